"""Screening, 加点 and support-measure matching (SPEC §6.4) on worked examples."""

from __future__ import annotations

import polars as pl
import pytest

from chiiki.plans.bonus import bonus_frame, bonus_points, degree_percentiles
from chiiki.plans.measures import CATALOG, catalog_frame, match_firm, match_plan
from chiiki.plans.rules import PlanRules
from chiiki.plans.screening import screen

CODES = ["R1", "R2", "R3"]


def test_screen_total_and_approve() -> None:
    r = screen({"R1": 2, "R2": 1, "R3": 2}, requirement_codes=CODES)
    assert (r.total, r.max_total, r.decision) == (5, 6, "approve")
    assert r.ratio == pytest.approx(5 / 6)


def test_screen_zero_score_returns_plan() -> None:
    r = screen({"R1": 2, "R2": 0, "R3": 2}, requirement_codes=CODES)
    assert r.decision == "return" and any("R2" in x for x in r.reasons)


def test_screen_not_applicable_left_out_of_maximum() -> None:
    r = screen(
        {"R1": 1, "R2": None, "R3": 1}, requirement_codes=CODES, rules=PlanRules(screening_pass_ratio=0.5)
    )
    assert (r.total, r.max_total, r.decision) == (2, 4, "approve")


def test_screen_below_pass_ratio_returns() -> None:
    assert screen({"R1": 1, "R2": 1, "R3": 1}, requirement_codes=CODES).decision == "return"  # 50 % < 60 %


@pytest.mark.parametrize(
    "scores", [{"R1": 2, "R2": 2}, {"R1": 2, "R2": 2, "R3": 3}, {"R1": 2, "R2": 2, "R3": 2, "X": 1}]
)
def test_screen_refuses_bad_scores(scores: dict) -> None:
    with pytest.raises(ValueError):
        screen(scores, requirement_codes=CODES)


def _scores() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "company_id": [f"f{i}" for i in range(10)] + ["t0", "t1"],
            "prefecture_code": ["07"] * 10 + ["13", "13"],
            "selected": [True] + [False] * 9 + [False, True],
            "connector_degree": [0.5, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.4, 0.9, 0.1],
            "hub_degree": [0.01 * i for i in range(10)] + [0.5, 0.5],
        }
    )


def test_degree_percentiles_within_prefecture() -> None:
    p = degree_percentiles(_scores())
    assert p["connector_percentile"].to_list()[:3] == [100.0, 80.0, 70.0]  # 7 ties at 0 → rank 7 of 10
    assert p["hub_percentile"].to_list()[-2:] == [100.0, 100.0]


def test_bonus_points_worked_example() -> None:
    s = _scores()
    assert bonus_points("f0", scores=s).points == 3  # priority 2 + connector top 1
    b9 = bonus_points("f9", scores=s)
    assert b9.points == 2 and len(b9.reasons) == 2  # connector 90th and hub 100th percentile
    assert bonus_points("f1", scores=s).points == 0
    assert bonus_points("t1", scores=s).points == 3  # priority 2 + hub (tie at top) 1, connector 50 %
    unknown = bonus_points("zz", scores=s)
    assert unknown.points == 0 and "含まれない" in unknown.reasons[0]


def test_bonus_cap_applies() -> None:
    out = bonus_frame(_scores(), rules=PlanRules(bonus_priority=5, bonus_max=4))
    row = out.filter(pl.col("company_id") == "f0")
    assert row["bonus_points"][0] == 4 and "上限 4 点を適用" in row["reasons"][0].to_list()


def test_bonus_never_exceeds_cap_or_negative() -> None:
    out = bonus_frame(_scores())
    assert out["bonus_points"].min() >= 0 and out["bonus_points"].max() <= PlanRules().bonus_max


def test_catalog_covers_the_seeds_four_groups() -> None:
    assert {m.category for m in CATALOG} == {
        "インフラ等支援",
        "審査上の考慮",
        "交付金支援・ソフト支援",
        "新たな財政措置",
    }
    assert catalog_frame().height == len(CATALOG)


def test_match_plan_by_type_and_local_resource() -> None:
    c = catalog_frame()
    assert set(match_plan(c, plan_type="A")["code"]) == {
        "infra_grant",
        "industrial_land",
        "talent",
        "large_growth_subsidy",
        "special_zone",
        "new_fiscal",
    }
    tourism = match_plan(c, plan_type="C", local_resources=["観光"])
    assert "ministry_support" in tourism["code"].to_list()
    assert "地域資源「観光」に該当" in tourism.filter(pl.col("code") == "ministry_support")["reason"][0]
    assert (
        "ministry_support" not in match_plan(c, plan_type="C", local_resources=["スポーツ"])["code"].to_list()
    )


def test_match_firm_only_for_priority_firms() -> None:
    c = catalog_frame()
    assert match_firm(c, priority_in_plan_types=[]).is_empty()
    m = match_firm(c, priority_in_plan_types=["B"], bonus_points=3)
    assert set(m["code"]) == {"large_growth_subsidy", "ministry_subsidies"}
    assert all("加点 3 点" in r for r in m["reason"])
