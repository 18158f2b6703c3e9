"""KPIs (SPEC §6.3): baseline, default targets, target rules, wage rule and status, on worked examples."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.firms import in_region_transaction_value
from chiiki.firms.examples import toy_economy
from chiiki.plans.kpi import (
    check_target_rules,
    check_wage_rule,
    default_targets,
    kpi_status,
    plan_baseline,
    regional_transaction_value,
    wage_growth_rate,
)
from chiiki.plans.rules import PlanRules


def _companies() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "company_id": ["a", "b", "c", "d"],
            "prefecture_code": ["07", "07", "07", "13"],
            "municipality_code": ["07201", "07203", "07201", "13101"],
            "fiscal_year": [2024] * 4,
            "sales": [1000, 500, 300, 9000],
            "operating_profit": [100, None, 30, 900],
            "employees": [10, 5, None, 90],
            "payroll": [400, 200, 120, 3600],
        }
    )


def _links() -> pl.DataFrame:
    # a→b 50 (in 07), b→a 20 (in 07), c→a 30 (in 07, c not in the plan), a→d 70 (out), c→b missing
    return pl.DataFrame(
        {
            "supplier_id": ["a", "b", "c", "a", "c"],
            "customer_id": ["b", "a", "a", "d", "b"],
            "fiscal_year": [2024] * 5,
            "amount": [50, 20, 30, 70, None],
        }
    )


def test_regional_transaction_value_counts_each_in_region_link_once() -> None:
    value, counts = regional_transaction_value(
        _companies(), _links(), company_ids=["a", "b"], fiscal_year=2024
    )
    assert value == 50 + 20 + 30  # a→b once, b→a, c→a; a→d is out of region; c→b has no amount
    assert counts == {"links": 4, "missing_amounts": 1, "estimated": 0}


def test_regional_transaction_value_by_municipality() -> None:
    value, _ = regional_transaction_value(
        _companies(), _links(), company_ids=["a"], fiscal_year=2024, region_level="municipality"
    )
    assert value == 30  # only c→a is inside 07201


def test_regional_transaction_value_matches_chiiki_firms_on_toy_economy() -> None:
    ds = toy_economy()
    year = max(ds.years)
    for firms in (["A", "B"], ["A"], list(ds.companies["company_id"].unique())):
        ours, _ = regional_transaction_value(
            ds.companies, ds.transactions, company_ids=firms, fiscal_year=year
        )
        peer = in_region_transaction_value(ds.companies, ds.transactions, year=year, firms=firms).total
        assert ours == pytest.approx(peer)


def test_plan_baseline_worked_example() -> None:
    base = plan_baseline(_companies(), _links(), company_ids=["a", "b", "x"], fiscal_year=2024)
    values = dict(zip(base["code"], base["baseline"], strict=True))
    assert values == {
        "regional_transactions": 100,
        "sales": 1500,
        "employees": 15,
        "payroll": 600,
        "value_added": 500,
    }  # b has no operating profit: value added 100 + 400 of a only
    source = dict(zip(base["code"], base["source"], strict=True))
    assert "データにない 1 社を除く" in source["sales"]
    assert "値のない 1 社を除く" in source["value_added"]
    assert "取引額のない 1 件は除外" in source["regional_transactions"]


def test_default_targets_linear_path_to_the_rule() -> None:
    base = pl.DataFrame(
        {
            "code": ["sales", "employees", "other"],
            "baseline": [1000.0, 200.0, 5.0],
            "baseline_year": [2025, 2025, 2025],
        }
    )
    t = default_targets(base, start_year=2026, end_year=2030)
    sales = t.filter(pl.col("code") == "sales")["target"].to_list()
    assert sales == pytest.approx([1020, 1040, 1060, 1080, 1100])
    assert t.filter(pl.col("code") == "employees")["target"][-1] == pytest.approx(201.0)
    assert "other" not in t["code"].to_list()


def test_default_payroll_target_also_meets_wage_rule() -> None:
    base = pl.DataFrame({"code": ["payroll"], "baseline": [1000.0], "baseline_year": [2025]})
    rules = PlanRules(min_wage_growth=0.05)
    end = default_targets(base, start_year=2026, end_year=2030, rules=rules)["target"][-1]
    assert end == 1277  # ⌈1000 · 1.05⁵ = 1276.28⌉: whole 千円, rounded up so the rule still holds
    assert check_wage_rule(1000, end, 5, rules=rules).met


def test_default_job_targets_are_whole_persons() -> None:
    """issue #12 §8: 1,364 人 → +0.5 % is 1,370.82 at the end, a target of 1,371 persons (never
    1,364.27 人 in between)."""
    base = pl.DataFrame({"code": ["employees"], "baseline": [1364.0], "baseline_year": [2025]})
    t = default_targets(base, start_year=2026, end_year=2030)["target"].to_list()
    # 1364 · (1 + 0.005 · k/5) for k = 1..5 = 1365.36, 1366.73, 1368.09, 1369.46, 1370.82 → rounded up
    assert t == [1366, 1367, 1369, 1370, 1371]
    assert all(float(v).is_integer() for v in t)


def test_target_rules_at_least_one() -> None:
    kpis = pl.DataFrame(
        {
            "code": ["regional_transactions", "sales", "employees", "payroll"],
            "baseline": [100.0, 1000.0, 200.0, 500.0],
            "target": [104.0, 1100.0, 200.0, 510.0],
        }
    )
    result, per = check_target_rules(kpis)
    assert result.met
    met = dict(zip(per["code"], per["met"], strict=True))
    assert met == {"employees": False, "payroll": False, "regional_transactions": False, "sales": True}
    assert "売上額" in result.explanation and "sales" not in result.explanation
    none_met, _ = check_target_rules(kpis.with_columns(target=pl.col("baseline")))
    assert not none_met.met and "ありません" in none_met.explanation


def test_target_rules_value_added_against_prefecture_mean() -> None:
    kpis = pl.DataFrame(
        {"code": ["sales", "value_added"], "baseline": [1000.0, 300.0], "target": [1200.0, 400.0]}
    )
    assert check_target_rules(kpis, prefecture_mean_value_added=90.0)[0].met  # +100 > 90
    result, _ = check_target_rules(kpis, prefecture_mean_value_added=150.0)
    assert not result.met and "上回らない" in result.explanation


def test_wage_rule_worked_example() -> None:
    # 400 → 520 over 5 years: (1.3)^(1/5) − 1 = 5.387 %
    assert wage_growth_rate(400, 520, 5) == pytest.approx(1.3**0.2 - 1)
    r = check_wage_rule(400, 520, 5, rules=PlanRules(min_wage_growth=0.05))
    assert r.met and r.value == pytest.approx(0.053874, abs=1e-6) and "5.39%" in r.explanation
    assert not check_wage_rule(400, 520, 5, rules=PlanRules(min_wage_growth=0.06)).met
    by_pref = PlanRules(min_wage_growth=0.05, min_wage_growth_by_prefecture={"07": 0.06})
    assert not check_wage_rule(400, 520, 5, prefecture_code="07", rules=by_pref).met
    assert not check_wage_rule(None, 520, 5).met
    assert not check_wage_rule(0, 520, 5).met


def test_kpi_status_worked_examples() -> None:
    frame = pl.DataFrame(
        {
            "baseline": [100.0, 100.0, 100.0, 100.0, 100.0, 100.0],
            "target": [110.0, 110.0, 110.0, 110.0, None, 90.0],
            "actual": [111.0, 108.0, 105.0, None, 120.0, 89.0],
        }
    )
    out = kpi_status(frame, rules=PlanRules(on_track_ratio=0.8))
    assert out["status"].to_list() == [
        "achieved",
        "on_track",
        "behind",
        "not_reported",
        "no_target",
        "achieved",
    ]
    assert out["status_label"].to_list() == ["達成", "順調", "遅れ", "未報告", "目標未設定", "達成"]
    assert out["progress"][1] == pytest.approx(0.8)
    assert "80.0% を達成" in out["explanation"][1]


@given(
    baseline=st.floats(1, 1e9),
    growth=st.floats(0.001, 1),
    share=st.floats(0, 2),
)
def test_kpi_status_progress_invariant(baseline: float, growth: float, share: float) -> None:
    target = baseline * (1 + growth)
    actual = baseline + share * (target - baseline)
    out = kpi_status(pl.DataFrame({"baseline": [baseline], "target": [target], "actual": [actual]}))
    assert out["progress"][0] == pytest.approx(share, rel=1e-6, abs=1e-6)
    expected = "achieved" if actual >= target - 1e-9 else ("on_track" if share >= 0.8 else "behind")
    if not math.isclose(share, 0.8, rel_tol=1e-9) and not math.isclose(share, 1.0, rel_tol=1e-9):
        assert out["status"][0] == expected
