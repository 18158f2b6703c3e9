"""特化係数 and 稼ぐ力 (SPEC §4): hand-worked 3 × 4 example, identities, zero employment."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from industry_helpers import X34, long_frame

from chiiki.industry import IndustryDataError, earning_power, location_quotient, national_totals

# LQ by hand: national shares .1 .2 .2 .5; region totals 40, 60, 100
LQ34 = np.array([[2.5, 0.0, 2.5, 0.5], [0.0, 2.5, 5 / 6, 2 / 3], [1.0, 0.5, 0.5, 1.4]])


def test_location_quotient_matches_hand_worked_3x4(frame34):
    out = location_quotient(frame34)
    assert out.columns == ["region_code", "industry_code", "measure", "value", "share", "lq"]
    np.testing.assert_allclose(out["lq"].to_numpy().reshape(3, 4), LQ34)
    np.testing.assert_allclose(out["share"].to_numpy().reshape(3, 4), X34 / X34.sum(axis=1, keepdims=True))


def test_location_quotient_zero_employment_is_zero_and_absent_row_is_filled(frame34):
    dropped = frame34.filter(~((pl.col("region_code") == "01") & (pl.col("industry_code") == "10")))
    out = location_quotient(dropped)
    cell = out.filter(pl.col("region_code") == "01", pl.col("industry_code") == "10")
    assert cell["value"].item() == 0.0 and cell["lq"].item() == 0.0
    np.testing.assert_allclose(out["lq"].to_numpy().reshape(3, 4), LQ34)


def test_location_quotient_uses_national_row_when_present(frame34):
    national = pl.DataFrame(
        {
            "region_code": "00",
            "industry_code": ["09", "10", "28", "29"],
            "measure": "employees",
            "value": [100.0, 100.0, 100.0, 100.0],
        }
    )
    out = location_quotient(pl.concat([frame34, national]))
    assert "00" not in out["region_code"].to_list()
    # national shares are all 1/4: LQ = 4 × regional share
    np.testing.assert_allclose(out["lq"].to_numpy().reshape(3, 4), 4 * X34 / X34.sum(axis=1, keepdims=True))
    assert national_totals(pl.concat([frame34, national]))["national_value"].sum() == 400.0


def test_location_quotient_empty_region_gives_null(frame34):
    empty = pl.DataFrame(
        {"region_code": "04", "industry_code": ["09"], "measure": "employees", "value": [0.0]}
    )
    out = location_quotient(pl.concat([frame34, empty])).filter(pl.col("region_code") == "04")
    assert out.height == 4 and out["lq"].null_count() == 4


def test_location_quotient_by_measure_and_year_separately(frame34):
    a = frame34.with_columns(fiscal_year=pl.lit(2023))
    b = frame34.with_columns(fiscal_year=pl.lit(2024), measure=pl.lit("sales"), value=pl.col("value") * 7)
    out = location_quotient(pl.concat([a, b]))
    for (_m, _y), g in out.group_by("measure", "fiscal_year"):
        np.testing.assert_allclose(
            g.sort("region_code", "industry_code")["lq"].to_numpy().reshape(3, 4), LQ34
        )


def test_location_quotient_unknown_measure_is_reported(frame34):
    with pytest.raises(IndustryDataError, match="不明な指標"):
        location_quotient(frame34.with_columns(measure=pl.lit("workers")))


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (4, 5), elements=st.integers(0, 10**6).map(float)).filter(
        lambda a: (a.sum(axis=1) > 0).all()
    )
)
def test_location_quotient_national_weighted_mean_is_one(X):
    regions, industries = ["01", "02", "03", "04"], ["01", "02", "03", "04", "05"]
    out = location_quotient(long_frame(X, regions, industries))
    lq = out["lq"].to_numpy().reshape(4, 5)
    national_share = X.sum(axis=0) / X.sum()
    ok = national_share > 0
    # Σ_i (x_Ni/x_N) LQ_ri = Σ_i x_ri/x_r = 1, and Σ_r x_r LQ_ri / x_N = 1 where x_Ni > 0
    np.testing.assert_allclose((lq[:, ok] * national_share[ok]).sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose((X.sum(axis=1)[:, None] * lq[:, ok]).sum(axis=0) / X.sum(), 1.0, rtol=1e-9)


def test_earning_power_log_lq_and_quadrants(frame34):
    out = earning_power(frame34, region="01")
    row = {r["industry_code"]: r for r in out.iter_rows(named=True)}
    assert row["28"]["employment_share"] == 0.5 and math.isclose(row["28"]["log_lq"], math.log(2.5))
    assert row["10"]["log_lq"] is None  # zero employment: LQ 0, no logarithm
    assert row["28"]["quadrant"] == "both"  # LQ 2.5, share .5 ≥ 1/3
    assert row["09"]["quadrant"] == "earning"  # LQ 2.5, share .25 < 1/3
    assert row["29"]["quadrant"] == "neither"
    assert out["employment_share"].to_list() == sorted(out["employment_share"].to_list(), reverse=True)
    assert set(out["label"]) <= {
        "稼ぐ力・雇用力ともに高い",
        "稼ぐ力が高い（特化型）",
        "雇用の受け皿",
        "稼ぐ力・雇用力ともに低い",
    }


def test_earning_power_unknown_region_fails(frame34):
    with pytest.raises(ValueError, match="地域コード 47"):
        earning_power(frame34, region="47")
