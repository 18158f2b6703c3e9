"""Guards of the plan workflow (SPEC §6.2–6.5, issue #12 §1): what a plan needs before it may be
submitted or approved, and which yearly actuals may be recorded.

Each guard is a pure function over plain data and returns the list of what is missing, in
Japanese, one item a line (empty: the step may be taken). The store calls them before writing, so
the web pages, the API and the command line refuse the same plans with the same words.

- :func:`submit_missing` — every requirement answered (a manual item with the planner's evidence,
  an automatic item decided from the data), every KPI with targets has a baseline and a target for
  every year of the period (B and C: 域内取引額・売上額・雇用者数・給与総額 always, with a positive
  baseline), B: at least one
  重点支援企業, each with the planner's reason; A: at least one candidate project.
- :func:`approve_missing` — a screening of the current review with a score (or 該当なし) for every
  requirement; a decision against the screening's recommendation needs a
  written reason.
- :func:`actual_problems` — an actual for a year inside the plan period and within the KPI's valid
  range (:data:`chiiki.plans.kpi.KPI_RANGES`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chiiki.plans.kpi import KPI_DEFINITIONS, REQUIRED_TARGET_CODES, value_problem
from chiiki.plans.requirements import KpiFacts
from chiiki.plans.screening import DECISION_LABELS


@dataclass(frozen=True)
class RequirementAnswer:
    """A checklist item as the guards see it."""

    code: str
    label: str
    is_auto: bool
    status: str
    evidence: str = ""


@dataclass(frozen=True)
class FirmPick:
    """A 重点支援企業 as the guards see it: its name and the planner's reason."""

    name: str
    reason: str = ""


@dataclass(frozen=True)
class SubmitFacts:
    plan_type: str
    period_start: int
    period_end: int
    requirements: Sequence[RequirementAnswer] = ()
    kpis: Mapping[str, KpiFacts] = ()  # type: ignore[assignment]
    firms: Sequence[FirmPick] = ()
    project_titles: Sequence[str] = ()


def _kpi_label(code: str) -> str:
    return KPI_DEFINITIONS.get(code, (code, ""))[0]


def _short(label: str, n: int = 30) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _kpi_missing(code: str, kpi: KpiFacts | None, start: int, end: int) -> list[str]:
    label = _kpi_label(code)
    if kpi is None:
        return [f"KPI「{label}」が設定されていません（基準値と各年度の目標を入力してください）"]
    out = []
    if kpi.baseline is None:
        out.append(f"KPI「{label}」の基準値が未入力です")
    elif code in REQUIRED_TARGET_CODES and kpi.baseline <= 0:
        out.append(f"KPI「{label}」の基準値が 0 以下です（実際の値を入力してください）")
    years = [y for y in range(start, end + 1) if kpi.targets.get(y) is None]
    if years:
        shown = "・".join(str(y) for y in years)
        out.append(f"KPI「{label}」の目標が未入力の年度があります（{shown}年度）")
    return out


def submit_missing(facts: SubmitFacts) -> list[str]:
    """What ``facts``' plan still lacks before it may be submitted (empty: it may be submitted)."""
    out: list[str] = []
    for r in facts.requirements:
        if r.is_auto:
            if r.status == "pending":
                out.append(f"要件「{_short(r.label)}」の自動判定がまだ行われていません")
        elif not r.evidence.strip():
            out.append(f"要件「{_short(r.label)}」の根拠が未記入です")
    kpis = dict(facts.kpis or {})
    # a KPI without any target is a reference figure (付加価値額 from the data, say): not checked
    codes = [c for c, k in kpis.items() if k.targets]
    if facts.plan_type in ("B", "C"):
        codes = list(REQUIRED_TARGET_CODES) + [c for c in codes if c not in REQUIRED_TARGET_CODES]
    for code in codes:
        out += _kpi_missing(code, kpis.get(code), facts.period_start, facts.period_end)
    if facts.plan_type == "B":
        if not facts.firms:
            out.append("重点支援企業が1社も選ばれていません")
        without = [f.name for f in facts.firms if not f.reason.strip()]
        if without:
            names = "、".join(without[:5]) + (f" ほか{len(without) - 5}社" if len(without) > 5 else "")
            out.append(f"選定理由が未記入の重点支援企業があります（{names}）")
    if facts.plan_type == "A" and not facts.project_titles:
        out.append("候補プロジェクトが1件も提出されていません")
    return out


@dataclass(frozen=True)
class ScreeningFacts:
    """The latest screening of the current review."""

    scores: Mapping[str, int | None]
    decision: str
    """The screening's recommendation: approve | return."""


def approve_missing(
    requirements: Sequence[RequirementAnswer],
    screening: ScreeningFacts | None,
) -> list[str]:
    """What is missing before the plan may be approved: a screening of this review that scores every
    requirement (a score or 該当なし for each)."""
    out: list[str] = []
    if screening is None:
        out.append("この審査の採点がまだ記録されていません（「審査（採点）」で全要件を採点してください）")
    else:
        unscored = [r for r in requirements if r.code not in screening.scores]
        for r in unscored:
            out.append(f"要件「{_short(r.label)}」が採点されていません")
    return out


def against_recommendation(action: str, screening: ScreeningFacts | None) -> str | None:
    """The recommendation ``action`` goes against (Japanese label), or None when it follows it."""
    if screening is None or action not in DECISION_LABELS:
        return None
    return DECISION_LABELS[screening.decision] if screening.decision != action else None


def decision_missing(action: str, screening: ScreeningFacts | None, comment: str) -> list[str]:
    """A decision (approve / return) against the screening's recommendation needs a written reason."""
    rec = against_recommendation(action, screening)
    if rec and not comment.strip():
        return [
            f"採点の判定の目安は「{rec}」です。目安と異なる判断（{DECISION_LABELS[action]}）をするには、"
            "コメント欄に理由を書いてください"
        ]
    return []


def actual_problems(
    code: str, fiscal_year: int, value: float, *, period_start: int, period_end: int
) -> list[str]:
    """Why a yearly actual may not be recorded (empty: it may): the year must lie inside the plan
    period and the value within the KPI's valid range."""
    out = []
    label = _kpi_label(code)
    if not period_start <= fiscal_year <= period_end:
        out.append(
            f"{fiscal_year}年度は計画期間（{period_start}〜{period_end}年度）の外です。"
            "期間内の年度の実績を入力してください"
        )
    if not math.isfinite(value):
        out.append(f"{label}の実績が数値ではありません")
    else:
        problem = value_problem(code, value)
        if problem:
            out.append(f"{label}の実績: {problem}")
    return out


def refusal_message(head: str, missing: Sequence[str]) -> str:
    """One Japanese message for a refused step: the head and the numbered missing items."""
    items = "".join(f"（{i}）{m}。" for i, m in enumerate(missing, start=1))
    return f"{head}次の {len(missing)} 点を確認してください: {items}"
