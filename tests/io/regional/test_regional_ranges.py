"""Ranges (low / central / high) and side-by-side comparison (issue 14 item 5)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from regional_data import toy_national

from chiiki.io import IOTableError, ripple
from chiiki.io.jobs import with_employment
from chiiki.io.ranges import RangeSettings, compare_scenarios, ripple_ranges, with_import_ratios
from chiiki.io.scenario import DemandScenario


def test_import_ratio_variant_keeps_output_and_balance():
    base = toy_national()
    up = with_import_ratios(base, 1.5)
    assert_allclose(up.X, base.X)
    assert_allclose(up.m, base.m * 1.5)
    assert_allclose(up.X, up.column_totals)
    assert_allclose(up.A, base.A)


def test_import_ratio_variant_stays_within_what_output_allows():
    base = toy_national()
    d = base.Z.sum(axis=1) + base.final_demand.sum(axis=1)
    down = with_import_ratios(base, 0.0)
    assert_allclose(down.m, np.clip(1 - base.X / d, 0, 1))  # local supply never above output
    assert (down.exports >= -1e-12).all()


def scenarios():
    return [DemandScenario("A", np.array([100.0, 0, 0])), DemandScenario("B", np.array([0, 50.0, 50.0]))]


def test_central_equals_the_plain_ripple():
    table = with_employment(toy_national(), np.array([10.0, 20.0, 5.0]))
    result = ripple_ranges(
        table, scenarios(), settings=RangeSettings(c=0.4, c_low=0.3, c_high=0.5, import_change=0.2)
    )
    plain = ripple(table, np.array([[100.0, 0], [0, 50.0], [0, 50.0]]), c=0.4, scenarios=["A", "B"]).summary
    money = result.frame.filter(pl.col("measure") != "就業誘発数")
    plain = plain.filter(pl.col("measure") != "就業誘発数")
    assert_allclose(money["central"].to_numpy(), plain["value"].to_numpy())
    assert (result.frame["low"] <= result.frame["central"]).all() and (
        result.frame["central"] <= result.frame["high"]
    ).all()
    assert len(result.cases) == 9


def test_bounds_come_from_the_expected_corners():
    result = ripple_ranges(
        toy_national(), scenarios(), settings=RangeSettings(c=0.4, c_low=0.3, c_high=0.5, import_change=0.2)
    )
    second = result.frame.filter(
        (pl.col("stage") == "第2次間接効果") & (pl.col("measure") == "生産誘発額")
    ).row(0, named=True)
    assert second["high_case"] == "中央・輸入係数×0.8・c=0.5"  # fewer imports, more consumption
    assert second["low_case"] == "中央・輸入係数×1.2・c=0.3"


def test_jobs_in_ranges_are_whole_persons_that_add_up():
    table = with_employment(toy_national(), np.array([10.0, 20.0, 5.0]))
    result = ripple_ranges(table, scenarios(), settings=RangeSettings(import_change=0.1))
    jobs = result.frame.filter(pl.col("measure") == "就業誘発数")
    assert (jobs["central"] == jobs["central"].round()).all() and (jobs["low"] == jobs["low"].round()).all()
    a = jobs.filter(pl.col("scenario") == "A")
    assert a["central"][3] == a["central"][:3].sum()


def test_method_variants_widen_the_range():
    base = toy_national()
    leaky = with_import_ratios(base, 1.8)
    narrow = ripple_ranges(base, scenarios())
    wide = ripple_ranges(base, scenarios(), variants={"輸入の多い表": leaky})
    total = lambda r: r.frame.filter((pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額"))  # noqa: E731
    assert (total(wide)["low"] < total(narrow)["low"]).all()
    assert total(narrow)["low"].to_list() == total(narrow)["high"].to_list()


def test_compare_up_to_five_side_by_side():
    many = [DemandScenario(f"S{i}", np.array([10.0 * (i + 1), 0, 0])) for i in range(6)]
    result = ripple_ranges(toy_national(), many, settings=RangeSettings(import_change=0.1))
    table = compare_scenarios(result, ["S0", "S1", "S2", "S3", "S4"])
    assert table.columns[:3] == ["段階", "指標", "単位"] and "S4（範囲）" in table.columns
    assert table["指標"][-1] == "波及倍率" and "〜" in table["S0（範囲）"][0]
    with pytest.raises(IOTableError, match="5 つまで"):
        compare_scenarios(result)
    with pytest.raises(IOTableError, match="S9"):
        compare_scenarios(result, ["S9"])


def test_duplicate_scenario_names_are_refused():
    with pytest.raises(IOTableError, match="重複"):
        ripple_ranges(toy_national(), [DemandScenario("A", np.ones(3)), DemandScenario("A", np.ones(3))])
