"""Requirement checklists (SPEC §6.2): the automatic items are decided from the data and say how."""

from __future__ import annotations

from datetime import date

from chiiki.plans.requirements import REQUIREMENTS, KpiFacts, PlanFacts, ProjectFacts, check_requirements
from chiiki.plans.rules import PlanRules

TODAY = date(2026, 6, 1)


def _status(checks) -> dict[str, str]:  # noqa: ANN001
    return {c.code: c.status for c in checks}


def _b(kpis: dict[str, KpiFacts]) -> PlanFacts:
    return PlanFacts(plan_type="B", period_start=2026, period_end=2030, prefecture_code="07", kpis=kpis)


GOOD_KPIS = {
    "regional_transactions": KpiFacts(1000, {2030: 1050}),
    "sales": KpiFacts(5000, {2030: 5200}),
    "employees": KpiFacts(100, {2030: 100}),
    "payroll": KpiFacts(400, {2030: 520}),
}


def test_checklists_follow_the_seed() -> None:
    assert [r.code for r in REQUIREMENTS["A"]] == ["A_FIELD", "A_COORD", "A_INVEST", "A_WAGE"]
    assert {r.code for r in REQUIREMENTS["B"] if not r.auto} == {"B_EXPORT", "B_LOCALISE", "B_SUPPORT"}
    assert {r.code for r in REQUIREMENTS["C"] if not r.auto} == {"C_VALUE", "C_DESK"}


def test_b_plan_with_targets_meets_auto_items_manual_stay_pending() -> None:
    checks = check_requirements(_b(GOOD_KPIS), rules=PlanRules(min_wage_growth=0.05), today=TODAY)
    assert _status(checks) == {
        "B_EXPORT": "pending",
        "B_LOCALISE": "pending",
        "B_TARGETS": "met",
        "B_TARGET_RULE": "met",
        "B_WAGE_RULE": "met",
        "B_SUPPORT": "pending",
    }
    why = {c.code: c.explanation for c in checks}
    assert why["B_TARGET_RULE"].startswith("自動判定: ") and "域内取引額" in why["B_TARGET_RULE"]
    assert "5.39%" in why["B_WAGE_RULE"]  # (520/400)^(1/5) − 1 over 2025→2030
    assert "審査担当者" in why["B_EXPORT"]


def test_b_plan_missing_targets_is_not_met_and_names_them() -> None:
    kpis = {k: v for k, v in GOOD_KPIS.items() if k != "employees"}
    checks = {c.code: c for c in check_requirements(_b(kpis), today=TODAY)}
    assert checks["B_TARGETS"].status == "not_met" and "雇用者数" in checks["B_TARGETS"].explanation


def test_b_plan_wage_rule_refused_below_minimum_wage_growth() -> None:
    kpis = dict(GOOD_KPIS, payroll=KpiFacts(400, {2030: 440}))
    checks = _status(check_requirements(_b(kpis), rules=PlanRules(min_wage_growth=0.05), today=TODAY))
    assert checks["B_WAGE_RULE"] == "not_met"


def test_c_plan_target_rule_not_met_when_growth_too_small() -> None:
    kpis = {k: KpiFacts(v.baseline, {2030: v.baseline * 1.001}) for k, v in GOOD_KPIS.items()}
    facts = PlanFacts(plan_type="C", period_start=2026, period_end=2030, kpis=kpis)
    checks = _status(check_requirements(facts, today=TODAY))
    assert checks["C_TARGETS"] == "met" and checks["C_TARGET_RULE"] == "not_met"
    assert checks["C_DESK"] == "pending"


def _project(**kw) -> ProjectFacts:  # noqa: ANN003
    base = dict(
        title="P",
        prefecture_code="04",
        field_id=1,
        investment_amount=3_000_000,
        ministries=[{"name": "経済産業省", "since": "2026-01-15"}],
        wage_growth_rate=0.06,
    )
    return ProjectFacts(**(base | kw))


def test_a_plan_projects_checked_each() -> None:
    facts = PlanFacts(plan_type="A", period_start=2026, period_end=2035, projects=[_project()])
    assert set(_status(check_requirements(facts, today=TODAY)).values()) == {"met"}
    bad = PlanFacts(
        plan_type="A",
        period_start=2026,
        period_end=2035,
        projects=[
            _project(),
            _project(
                title="Q", field_id=18, investment_amount=1_999_999, ministries=[], wage_growth_rate=0.01
            ),
        ],
    )
    checks = {
        c.code: c
        for c in check_requirements(bad, rules=PlanRules(investment_threshold=2_000_000), today=TODAY)
    }
    assert {c.status for c in checks.values()} == {"not_met"}
    assert (
        "「Q」（宮城県）: ×" in checks["A_INVEST"].explanation
        and "1,999,999 千円" in checks["A_INVEST"].explanation
    )


def test_a_plan_coordination_must_have_started() -> None:
    future = PlanFacts(
        plan_type="A",
        period_start=2026,
        period_end=2035,
        projects=[_project(ministries=[{"name": "国土交通省", "since": "2026-12-01"}])],
    )
    assert _status(check_requirements(future, today=TODAY))["A_COORD"] == "not_met"


def test_a_plan_without_projects_is_not_met() -> None:
    facts = PlanFacts(plan_type="A", period_start=2026, period_end=2035)
    checks = check_requirements(facts, today=TODAY)
    assert all(c.status == "not_met" and "登録されていません" in c.explanation for c in checks)
