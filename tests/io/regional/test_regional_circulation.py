"""地域経済循環 (SPEC §7.2) by hand and on 宮崎県's real table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from regional_data import toy_national

from chiiki.io import IOTable
from chiiki.io.circulation import CirculationSettings, circulation


def toy_region() -> IOTable:
    """The toy table with 輸出 read as 移輸出 and one more final-demand column of each kind."""
    t = toy_national()
    extra = np.array([[5.0, 2.0], [0.0, 3.0], [1.0, 0.0]])
    return replace(
        t,
        final_demand=np.hstack([t.final_demand, extra]),
        final_demand_names=("民間消費支出", "一般政府消費支出", "県内総固定資本形成"),
        imports=t.imports - extra.sum(axis=1, keepdims=True),  # extra demand met by imports
    )


def test_circulation_by_hand():
    c = circulation(toy_region())
    # value added 75 + 65 + 65 = 205 (雇用者所得 100, 営業余剰 105)
    assert c.production == pytest.approx(205.0)
    assert c.distribution == pytest.approx(205.0) and c.rate == pytest.approx(100.0)
    parts = dict(zip(c.summary["項目"], c.summary["金額"], strict=True))
    assert parts["雇用者所得"] == pytest.approx(100.0)
    assert parts["民間消費"] == pytest.approx(150.0)
    assert parts["政府支出"] == pytest.approx(6.0)
    assert parts["民間投資"] == pytest.approx(5.0)
    assert parts["純移輸出（移輸出 − 移輸入）"] == pytest.approx(85.0 - 30.0 - 11.0)
    assert parts["支出計"] == pytest.approx(205.0)  # 生産 = 支出 in a balanced table


def test_income_from_outside_lowers_the_rate():
    c = circulation(toy_region(), CirculationSettings(commuting_income=20.0, other_income=25.0))
    assert c.distribution == pytest.approx(250.0)
    assert c.rate == pytest.approx(100.0 * 205.0 / 250.0)


def test_net_exports_by_industry_are_sorted_and_labelled():
    c = circulation(toy_region())
    net = c.net_exports["純移輸出（百万円）"].to_list()
    assert net == sorted(net, reverse=True)
    assert c.net_exports.filter(pl.col("純移輸出（百万円）") > 0)["区分"].unique().to_list() == [
        "域外から稼ぐ"
    ]


def test_miyazaki_circulation_matches_its_published_totals(miyazaki37):
    c = circulation(miyazaki37)
    # published 2011 宮崎県 table (万円): 粗付加価値部門計 and the 移輸出・（控除）移輸入 columns
    va = float(miyazaki37.value_added.sum())
    assert c.production == pytest.approx(va)
    assert c.expenditure == pytest.approx(va, rel=1e-9)
    net = c.industries["純移輸出（万円）"].sum()
    assert net == pytest.approx(154_506_564 - 211_826_339)
    assert c.rate == pytest.approx(100.0)
