"""Screening of a plan (SPEC §6.4): a score per requirement, the total and the decision.

Scale per requirement: 0 = 不足, 1 = 一部充足, 2 = 充足 (``rules.screening_max_score``); a requirement
scored ``None`` is 該当なし and left out of the maximum. Decision 承認 (approve) when the total
reaches ``rules.screening_pass_ratio`` of the maximum and no applicable requirement scored 0, else
差戻し (return).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chiiki.plans.rules import PlanRules

DECISION_LABELS = {"approve": "承認", "return": "差戻し"}


@dataclass(frozen=True)
class ScreeningResult:
    scores: dict[str, int | None]
    total: int
    max_total: int
    ratio: float
    decision: str
    reasons: list[str]


def _label(code: str, labels: Mapping[str, str] | None) -> str:
    from chiiki.plans.requirements import REQUIREMENT_SPECS

    if labels and code in labels:
        return f"「{labels[code]}」"
    spec = REQUIREMENT_SPECS.get(code)
    return f"「{spec.label}」" if spec else f"「{code}」"


def screen(
    scores: Mapping[str, int | None],
    *,
    requirement_codes: Sequence[str],
    rules: PlanRules | None = None,
    labels: Mapping[str, str] | None = None,
) -> ScreeningResult:
    """Total and decision for ``scores`` (one per code in ``requirement_codes``); ``labels`` name the
    requirements in the Japanese reasons (default: the checklist's labels)."""
    rules = rules or PlanRules()
    top = rules.screening_max_score
    missing = [c for c in requirement_codes if c not in scores]
    unknown = [c for c in scores if c not in requirement_codes]
    if missing or unknown:
        raise ValueError(
            "審査の点数が要件と一致しません。"
            + (f"点数のない要件: {'、'.join(_label(c, labels) for c in missing)}。" if missing else "")
            + (f"この計画にない要件: {'、'.join(_label(c, labels) for c in unknown)}。" if unknown else "")
        )
    bad = {c: s for c, s in scores.items() if s is not None and (not isinstance(s, int) or not 0 <= s <= top)}
    if bad:
        shown = "、".join(f"{_label(c, labels)}に {s!r}" for c, s in bad.items())
        raise ValueError(f"点数は 0〜{top} の整数（該当なしは空欄）で入力してください: {shown}")
    applicable = {c: s for c, s in scores.items() if s is not None}
    total = sum(applicable.values())
    max_total = top * len(applicable)
    ratio = total / max_total if max_total else 0.0
    zeros = [c for c, s in applicable.items() if s == 0]
    reasons = [
        f"合計 {total} / {max_total} 点（{ratio * 100:.1f}%、"
        f"承認の目安 {rules.screening_pass_ratio * 100:.0f}% 以上）"
    ]
    if zeros:
        reasons.append(f"不足（0点）の要件があります: {'、'.join(_label(c, labels) for c in zeros)}")
    if not applicable:
        reasons.append("該当する要件がありません")
    passed = bool(applicable) and not zeros and ratio >= rules.screening_pass_ratio - 1e-12
    return ScreeningResult(dict(scores), total, max_total, ratio, "approve" if passed else "return", reasons)
