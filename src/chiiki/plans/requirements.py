"""Requirement checklists per plan type (SPEC §6.2) and the automatic checks of the items the data can
decide (issue #6 §3). Pure: plain data in, plain data out.

Items marked ``auto`` are decided from the plan's own data and say how; the others start as 未確認
(pending) and are decided by a reviewer from the evidence the planner gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from chiiki.plans.kpi import KPI_DEFINITIONS, REQUIRED_TARGET_CODES, check_target_rules, check_wage_rule
from chiiki.plans.rules import PlanRules


@dataclass(frozen=True)
class RequirementSpec:
    code: str
    """Internal key (stored; never shown on screen)."""
    label: str
    auto: bool
    help: str = ""
    """What the planner writes as evidence or how the item is decided (shown beside the label)."""


TARGETS_HELP = (
    "域内取引額・売上額・雇用者数・給与総額の4つの KPI すべてに、0 より大きい基準値と計画最終年度の目標値が"
    "あれば充足です（データから自動判定）。"
)
TARGET_RULE_HELP = (
    "目標の伸び率が、域内取引額 +5%・売上額 +10%・雇用者数 +0.5%・給与総額 +4% のいずれか1つ以上を"
    "満たせば充足です（データから自動判定）。"
)
WAGE_RULE_HELP = (
    "給与総額の基準値から最終年度の目標までの年平均伸び率が、最低賃金の伸び率（設定値）以上なら充足です"
    "（データから自動判定）。"
)

REQUIREMENTS: dict[str, tuple[RequirementSpec, ...]] = {
    "A": (
        RequirementSpec(
            "A_FIELD",
            "日本成長戦略本部における17の戦略分野に関する検討と整合していること",
            True,
            "各候補プロジェクトが17の戦略分野のいずれかに属していれば充足です（候補プロジェクトの戦略分野から自動判定）。",
        ),
        RequirementSpec(
            "A_COORD",
            "必要な予算措置について、関係省庁との事前調整が開始されていること",
            True,
            "各候補プロジェクトに、事前調整を始めた省庁と開始日が1つ以上あれば充足です（自動判定）。",
        ),
        RequirementSpec(
            "A_INVEST",
            "一定の大規模投資の見込みがあること",
            True,
            "各候補プロジェクトの投資見込額が基準額（設定値）以上なら充足です（自動判定）。",
        ),
        RequirementSpec(
            "A_WAGE",
            "賃上げも含めた持続可能な地域の労働環境整備に貢献すること",
            True,
            "各候補プロジェクトの賃金の年平均伸び率が最低賃金の伸び率以上なら充足です（自動判定）。",
        ),
    ),
    "B": (
        RequirementSpec(
            "B_EXPORT",
            "実現する製品・サービスが海外輸出で外貨を稼げる又は国内で上位シェアを目指すものか",
            False,
            "対象の製品・サービス、輸出先や目標とする海外売上比率、または国内シェアの目標と根拠資料を記入してください。",
        ),
        RequirementSpec(
            "B_LOCALISE",
            "域外企業の誘致の場合、労働・技術の現地化のロードマップ及び収益の再投資方針を示し、立地する地域に裨益するものか",
            False,
            "誘致する企業がある場合は、現地雇用・技術移転の工程と収益の再投資方針を記入してください。"
            "誘致がない場合は「誘致なし」と記入してください。",
        ),
        RequirementSpec(
            "B_TARGETS",
            "域内取引額、売上額、雇用の創出・賃上げに関する目標値を設定できているか",
            True,
            TARGETS_HELP,
        ),
        RequirementSpec("B_TARGET_RULE", "目標値が既定の目標基準を満たすか", True, TARGET_RULE_HELP),
        RequirementSpec(
            "B_WAGE_RULE",
            "給与総額の目標が賃上げ基準（最低賃金の伸び率以上）を満たすか",
            True,
            WAGE_RULE_HELP,
        ),
        RequirementSpec(
            "B_SUPPORT",
            "計画期間中の継続的な自治体の伴走支援体制があるか",
            False,
            "伴走支援を担う部署・人数・期間、関係する市町村や支援機関を記入してください。",
        ),
    ),
    "C": (
        RequirementSpec(
            "C_VALUE",
            "実現する製品・サービスが、既存製品・サービスと比較して付加価値を高める又は販路拡大が見込まれるものか",
            False,
            "既存の製品・サービスと比べて何が高まるか（価格・品質・新しい販路など）と、その根拠を記入してください。",
        ),
        RequirementSpec(
            "C_TARGETS",
            "域内取引額、売上額、雇用の創出・賃上げに関する目標値を設定できているか",
            True,
            TARGETS_HELP,
        ),
        RequirementSpec("C_TARGET_RULE", "目標値が既定の目標基準を満たすか", True, TARGET_RULE_HELP),
        RequirementSpec(
            "C_WAGE_RULE",
            "給与総額の目標が賃上げ基準（最低賃金の伸び率以上）を満たすか",
            True,
            WAGE_RULE_HELP,
        ),
        RequirementSpec(
            "C_DESK",
            "自治体で相談窓口を設置しているか",
            False,
            "相談窓口の名称・担当部署・連絡先・開設日を記入してください。",
        ),
    ),
}
REQUIREMENT_SPECS: dict[str, RequirementSpec] = {r.code: r for specs in REQUIREMENTS.values() for r in specs}
"""Every requirement by its internal key."""

MANUAL_EXPLANATION = "自動判定の対象外です。根拠資料をもとに審査担当者が確認します。"


@dataclass(frozen=True)
class KpiFacts:
    """A KPI as the checks see it: baseline and yearly targets."""

    baseline: float | None
    targets: Mapping[int, float] = field(default_factory=dict)
    baseline_year: int | None = None


@dataclass(frozen=True)
class ProjectFacts:
    """An A-plan candidate project as the checks see it."""

    title: str
    prefecture_code: str
    field_id: int | None
    investment_amount: int | None
    ministries: Sequence[Mapping[str, str]] = ()
    wage_growth_rate: float | None = None


@dataclass(frozen=True)
class PlanFacts:
    """What the automatic checks need from a plan."""

    plan_type: str
    period_start: int
    period_end: int
    prefecture_code: str | None = None
    focus_fields: Sequence[int] = ()
    kpis: Mapping[str, KpiFacts] = field(default_factory=dict)
    projects: Sequence[ProjectFacts] = ()


@dataclass(frozen=True)
class RequirementCheck:
    code: str
    label: str
    auto: bool
    status: str
    """pending | met | not_met (manual items stay pending)."""
    explanation: str


def _end_target(kpi: KpiFacts | None, end: int) -> float | None:
    if kpi is None or not kpi.targets:
        return None
    if end in kpi.targets:
        return kpi.targets[end]
    return kpi.targets[max(kpi.targets)]


def _pref_name(code: str) -> str:
    from chiiki.reference import prefectures

    names = dict(zip(prefectures()["prefecture_code"], prefectures()["name"], strict=True))
    return names.get(code, code)


def _field_name(field_id: int | None) -> str:
    from chiiki.reference import fields

    names = dict(zip(fields()["field_id"].to_list(), fields()["name"].to_list(), strict=True))
    return f"戦略分野「{names[field_id]}」" if field_id in names else "戦略分野が未設定または範囲外"


def _per_project(projects: Sequence[ProjectFacts], test, what: str, what_not: str) -> tuple[str, str]:  # noqa: ANN001
    """Every project tested; ``what`` says what a passing project is, ``what_not`` a failing one."""
    if not projects:
        return "not_met", "候補プロジェクトがまだ登録されていません"
    lines = []
    ok_all = True
    for p in projects:
        ok, why = test(p)
        ok_all &= ok
        lines.append(f"「{p.title}」（{_pref_name(p.prefecture_code)}）: {'○' if ok else '×'} {why}")
    head = (
        f"全 {len(projects)} 件の候補プロジェクトが{what}"
        if ok_all
        else f"{what_not}候補プロジェクトがあります"
    )
    return ("met" if ok_all else "not_met"), head + "。" + " / ".join(lines)


def _check_a(code: str, facts: PlanFacts, rules: PlanRules, today: date) -> tuple[str, str]:
    projects = facts.projects
    if code == "A_FIELD":

        def test(p: ProjectFacts) -> tuple[bool, str]:
            ok = p.field_id is not None and 1 <= p.field_id <= 17
            return ok, _field_name(p.field_id)

        return _per_project(
            projects, test, "17の戦略分野のいずれかに属しています", "17の戦略分野のいずれにも属さない"
        )
    if code == "A_COORD":

        def test(p: ProjectFacts) -> tuple[bool, str]:
            started = [
                m
                for m in p.ministries
                if m.get("name") and m.get("since") and date.fromisoformat(m["since"]) <= today
            ]
            names = "、".join(f"{m['name']}（{m['since']}〜）" for m in started)
            return bool(started), names or "調整開始済みの省庁なし"

        return _per_project(
            projects, test, "関係省庁との事前調整を開始済みです", "関係省庁との事前調整を始めていない"
        )
    if code == "A_INVEST":
        threshold = rules.investment_threshold

        def test(p: ProjectFacts) -> tuple[bool, str]:
            amount = p.investment_amount
            ok = amount is not None and amount >= threshold
            shown = f"{amount:,} 千円" if amount is not None else "未設定"
            return ok, f"投資見込額 {shown}（基準 {threshold:,} 千円以上）"

        return _per_project(projects, test, "大規模投資の基準額以上です", "投資見込額が基準額に届かない")

    def test(p: ProjectFacts) -> tuple[bool, str]:
        required = rules.min_wage_growth_for(p.prefecture_code)
        rate = p.wage_growth_rate
        ok = rate is not None and rate >= required - 1e-12
        shown = f"{rate * 100:.2f}%" if rate is not None else "未設定"
        return ok, f"賃上げ率 年 {shown}（最低賃金の伸び率 {required * 100:.2f}% 以上）"

    return _per_project(projects, test, "賃上げ基準を満たしています", "賃上げ基準を満たさない")


def _check_bc(code: str, facts: PlanFacts, rules: PlanRules) -> tuple[str, str]:
    end = facts.period_end
    suffix = code.split("_", 1)[1]
    if suffix == "TARGETS":
        missing, zero = [], []
        for c in REQUIRED_TARGET_CODES:
            k = facts.kpis.get(c)
            target = _end_target(k, end)
            if target is None or k is None or k.baseline is None:
                missing.append(KPI_DEFINITIONS[c][0])
            elif target <= 0 or k.baseline <= 0:
                zero.append(KPI_DEFINITIONS[c][0])
        why = []
        if missing:
            why.append(f"基準値または目標値が未設定の KPI: {'、'.join(missing)}")
        if zero:
            why.append(f"基準値または目標値が 0 以下の KPI: {'、'.join(zero)}（実際の値を設定してください）")
        if why:
            return "not_met", "。".join(why)
        return "met", "域内取引額・売上額・雇用者数・給与総額のすべてに基準値と目標値が設定されています"
    if suffix == "TARGET_RULE":
        import polars as pl

        rows = [
            (c, k.baseline, _end_target(k, end)) for c, k in facts.kpis.items() if c in rules.target_growth
        ]
        frame = pl.DataFrame(
            rows, schema={"code": pl.Utf8, "baseline": pl.Float64, "target": pl.Float64}, orient="row"
        )
        result, _ = check_target_rules(frame, rules=rules)
        return ("met" if result.met else "not_met"), result.explanation
    payroll = facts.kpis.get("payroll")
    start = payroll.baseline if payroll else None
    base_year = (
        payroll.baseline_year if payroll and payroll.baseline_year is not None else facts.period_start - 1
    )
    result = check_wage_rule(
        start,
        _end_target(payroll, end),
        max(end - base_year, 1),
        prefecture_code=facts.prefecture_code,
        rules=rules,
    )
    return ("met" if result.met else "not_met"), result.explanation


def check_requirements(
    facts: PlanFacts, *, rules: PlanRules | None = None, today: date | None = None
) -> list[RequirementCheck]:
    """The checklist of ``facts.plan_type`` with every automatic item decided and explained (SPEC §6.2).

    The wage rule counts the years from the payroll KPI's baseline year (default: the year before the
    period) to the period's last year.
    """
    rules = rules or PlanRules()
    today = today or date.today()
    out = []
    for spec in REQUIREMENTS[facts.plan_type]:
        if not spec.auto:
            out.append(RequirementCheck(spec.code, spec.label, False, "pending", MANUAL_EXPLANATION))
            continue
        if facts.plan_type == "A":
            status, why = _check_a(spec.code, facts, rules, today)
        else:
            status, why = _check_bc(spec.code, facts, rules)
        out.append(RequirementCheck(spec.code, spec.label, True, status, f"自動判定: {why}"))
    return out
