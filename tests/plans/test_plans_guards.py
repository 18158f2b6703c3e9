"""The pure workflow guards (issue #12 §1) and name matching (§2), each refusal on a hand-made plan."""

from __future__ import annotations

import polars as pl

from chiiki.firms.names import match_names, name_key
from chiiki.plans.guards import (
    FirmPick,
    RequirementAnswer,
    ScreeningFacts,
    SubmitFacts,
    actual_problems,
    approve_missing,
    decision_missing,
    refusal_message,
    submit_missing,
)
from chiiki.plans.kpi import value_problem
from chiiki.plans.requirements import REQUIREMENTS, KpiFacts, PlanFacts, check_requirements

YEARS = {2026: 1.0, 2027: 1.0, 2028: 1.0}


def _answers(plan_type: str, evidence: str = "根拠") -> list[RequirementAnswer]:
    return [
        RequirementAnswer(r.code, r.label, r.auto, "met" if r.auto else "pending", evidence)
        for r in REQUIREMENTS[plan_type]
    ]


def _kpis(**over: KpiFacts) -> dict[str, KpiFacts]:
    base = {
        c: KpiFacts(100.0, {y: 110.0 for y in YEARS}, 2025)
        for c in ("regional_transactions", "sales", "employees", "payroll")
    }
    return base | over


def _b(**kw) -> SubmitFacts:  # noqa: ANN003
    values = dict(plan_type="B", period_start=2026, period_end=2028, requirements=_answers("B"), kpis=_kpis(),
                  firms=[FirmPick("会津精密", "取引の要")])  # fmt: skip
    return SubmitFacts(**(values | kw))


def test_complete_b_plan_may_be_submitted() -> None:
    assert submit_missing(_b()) == []


def test_each_submit_guard_refuses() -> None:
    assert submit_missing(_b(requirements=_answers("B", evidence=" "))) == [
        f"要件「{r.label[:29]}…」の根拠が未記入です"
        if len(r.label) > 30
        else f"要件「{r.label}」の根拠が未記入です"
        for r in REQUIREMENTS["B"]
        if not r.auto
    ]
    assert submit_missing(_b(kpis={k: v for k, v in _kpis().items() if k != "employees"})) == [
        "KPI「雇用者数」が設定されていません（基準値と各年度の目標を入力してください）"
    ]
    assert submit_missing(_b(kpis=_kpis(sales=KpiFacts(None, {2026: 1.0, 2028: 2.0})))) == [
        "KPI「売上額」の基準値が未入力です",
        "KPI「売上額」の目標が未入力の年度があります（2027年度）",
    ]
    assert submit_missing(_b(kpis=_kpis(regional_transactions=KpiFacts(0.0, YEARS)))) == [
        "KPI「域内取引額」の基準値が 0 以下です（実際の値を入力してください）"
    ]
    assert submit_missing(_b(firms=[])) == ["重点支援企業が1社も選ばれていません"]
    assert submit_missing(_b(firms=[FirmPick("会津精密", ""), FirmPick("郡山部品", "要")])) == [
        "選定理由が未記入の重点支援企業があります（会津精密）"
    ]
    a = SubmitFacts("A", 2026, 2035, requirements=_answers("A"))
    assert submit_missing(a) == ["候補プロジェクトが1件も提出されていません"]
    assert (
        submit_missing(SubmitFacts("A", 2026, 2035, requirements=_answers("A"), project_titles=["P"])) == []
    )
    # a KPI without any target is a reference figure (付加価値額 from the data): not asked for
    assert submit_missing(_b(kpis=_kpis(value_added=KpiFacts(50.0, {})))) == []


def test_approve_and_decision_guards() -> None:
    answers = _answers("B")
    assert approve_missing(answers, None) == [
        "この審査の採点がまだ記録されていません（「審査（採点）」で全要件を採点してください）"
    ]
    partial = ScreeningFacts({"B_EXPORT": 2}, "approve")
    assert len(approve_missing(answers, partial)) == 5
    full = ScreeningFacts({r.code: (None if r.code == "B_LOCALISE" else 0) for r in answers}, "return")
    assert approve_missing(answers, full) == []  # 該当なし counts as scored
    assert decision_missing("approve", full, "") and decision_missing("approve", full, "理由あり") == []
    assert decision_missing("return", full, "") == []  # following the recommendation needs no reason
    assert decision_missing("return", ScreeningFacts({}, "approve"), "  ")


def test_actual_guard_period_and_range() -> None:
    assert actual_problems("sales", 2027, 100.0, period_start=2026, period_end=2030) == []
    assert (
        "2035年度は計画期間（2026〜2030年度）の外です"
        in actual_problems("sales", 2035, 1.0, period_start=2026, period_end=2030)[0]
    )
    assert "負の値" in actual_problems("employees", 2027, -3.0, period_start=2026, period_end=2030)[0]
    assert (
        "整数ではありません" in actual_problems("employees", 2027, 3.5, period_start=2026, period_end=2030)[0]
    )
    assert value_problem("value_added", -500.0) is None  # an operating loss may make it negative
    assert "大きすぎ" in value_problem("payroll", 2e12)


def test_refusal_message_numbers_the_items() -> None:
    assert (
        refusal_message("提出できません。", ["A", "B"])
        == "提出できません。次の 2 点を確認してください: （1）A。（2）B。"
    )


def test_zero_regional_transactions_is_not_met() -> None:
    """issue #12 §8: a baseline or target of 0 for 域内取引額 does not count as 充足."""
    for rt in (KpiFacts(0.0, {2030: 0.0}), KpiFacts(100.0, {2030: 0.0}), KpiFacts(0.0, {2030: 10.0})):
        kpis = _kpis(regional_transactions=rt)
        facts = PlanFacts(
            "B",
            2026,
            2030,
            prefecture_code="07",
            kpis={
                k: KpiFacts(v.baseline, {2030: 110.0} if k != "regional_transactions" else rt.targets)
                for k, v in kpis.items()
            },
        )
        [targets] = [c for c in check_requirements(facts) if c.code == "B_TARGETS"]
        assert targets.status == "not_met" and "域内取引額" in targets.explanation


def test_name_key_and_matching() -> None:
    assert {
        name_key(n)
        for n in ("株式会社会津精密", "(株)会津精密", "㈱会津精密", "会津精密　株式会社", "（株）会津精密")
    } == {"会津精密"}
    assert name_key("ＡＩＺＵ Ｔｅｃｈ") == name_key("aizu tech") == "aizutech"
    firms = pl.DataFrame(
        {
            "company_id": ["a", "b", "c", "d"],
            "name": ["株式会社会津精密", "郡山部品(株)", "郡山部品有限会社", "いわき化成工業"],
        }
    )
    q = pl.DataFrame({"row": [1, 2, 3, 4], "query": ["㈱会津精密", "郡山部品", "いわき化成", "東京商事"]})
    out = match_names(q, firms).select("row", "match", "company_id", "candidates").to_dicts()
    assert out == [
        {"row": 1, "match": "exact", "company_id": "a", "candidates": ["a"]},
        {"row": 2, "match": "several", "company_id": None, "candidates": ["b", "c"]},
        {"row": 3, "match": "partial", "company_id": None, "candidates": ["d"]},
        {"row": 4, "match": "none", "company_id": None, "candidates": []},
    ]
