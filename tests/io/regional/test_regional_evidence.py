"""The evidence of docs/io.md, recomputed: estimated tables against real prefecture tables.

- 宮崎県 2011 (37 sectors, with 移輸入): regional input coefficients r = (I − M̂)A and output
  multipliers of tables estimated from the 2015 national table (37 and 185 sectors) and the 2014
  census, aggregated to 34 common groups;
- the 2015 12-sector prefecture tables (42 prefectures, intermediate flows and output only): the
  national technology, the estimated output and the estimated intermediate flows.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from regional_data import MIYAZAKI_TO_NATIONAL, NATIONAL_COMMON, NATIONAL_TO_12, flows12

from chiiki.io.coefficients import closed_inverse
from chiiki.io.regional import (
    DEFAULT_DELTA,
    RegionalSettings,
    aggregation_matrix,
    census_basis,
    local_structure,
    region_population_share,
    regionalize,
    resolve_region,
    sector_employment,
    stpe,
    table_errors,
)
from chiiki.io.regional.concordance import code_37, sector_codes

FLQ_DELTAS = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3)


@pytest.fixture(scope="module")
def miyazaki_setup(national37, national185, miyazaki37, census):
    region = resolve_region("45")
    basis = census_basis(census, [region])
    G_true, keys = aggregation_matrix(sector_codes(miyazaki37), MIYAZAKI_TO_NATIONAL)
    actual = local_structure(miyazaki37, G_true)
    setups = {}
    for size, table in (("37", national37), ("185", national185)):
        codes = [code_37(c) for c in sector_codes(table)] if size == "185" else sector_codes(table)
        G, keys_n = aggregation_matrix(codes, NATIONAL_COMMON)
        assert keys_n == keys
        setups[size] = (table, G, sector_employment(table, basis))
    return region, basis, actual, setups


def estimated(setup, size, **settings):
    """宮崎県 estimated as ``chiiki io regionalize`` does (population share for household and
    government demand), with ``settings`` changed."""
    region, basis, _, setups = setup
    table, _, sectors = setups[size]
    settings = {"population_share": region_population_share(region), **settings}
    return regionalize(table, basis, region, settings=RegionalSettings(**settings), sectors=sectors).table


def errors(setup, size, **settings):
    return table_errors(local_structure(estimated(setup, size, **settings), setup[3][size][1]), setup[2])


@pytest.mark.parametrize(("size", "stpe_value", "mape"), [("37", 70.3, 6.2), ("185", 64.9, 5.9)])
def test_default_method_error_against_miyazaki_is_as_documented(miyazaki_setup, size, stpe_value, mape):
    e = errors(miyazaki_setup, size)
    assert e.stpe == pytest.approx(stpe_value, abs=0.05)
    assert e.multiplier_mape == pytest.approx(mape, abs=0.05)


# docs/io.md, table of LQ methods against 宮崎県 2011: (method, δ, basis) → (STPE, multiplier MAPE, multiplier
# bias) at 37 sectors, then at 185
DOCUMENTED = {
    ("slq", 0.0, "domestic"): ((73.1, 9.0, 0.074), (63.1, 6.7, 0.025)),
    ("cilq", 0.0, "domestic"): ((72.4, 7.5, 0.056), (65.7, 6.1, 0.007)),
    ("flq", 0.025, "domestic"): ((70.7, 6.6, 0.017), (65.0, 5.7, -0.024)),
    ("flq", 0.05, "domestic"): ((70.3, 6.2, -0.018), (64.9, 5.9, -0.055)),
    ("flq", 0.1, "domestic"): ((70.9, 7.2, -0.081), (66.4, 8.3, -0.111)),
    ("flq", 0.25, "domestic"): ((75.0, 15.6, -0.218), (74.5, 16.5, -0.230)),
    ("aflq", 0.05, "domestic"): ((71.3, 6.6, 0.005), (65.7, 5.9, -0.020)),
    ("aflq", 0.1, "domestic"): ((71.6, 6.7, -0.061), (66.5, 7.2, -0.081)),
    ("slq", 0.0, "total"): ((83.5, 14.8, 0.171), (72.0, 10.3, 0.097)),
    ("flq", 0.05, "total"): ((79.5, 9.8, 0.062), (73.9, 7.2, 0.011)),
    ("flq", 0.1, "total"): ((78.5, 8.5, -0.016), (74.2, 7.2, -0.056)),
}


@pytest.mark.parametrize(("method", "delta", "basis"), list(DOCUMENTED))
def test_documented_method_errors_against_miyazaki(miyazaki_setup, method, delta, basis):
    for size, expected in zip(("37", "185"), DOCUMENTED[(method, delta, basis)], strict=True):
        e = errors(miyazaki_setup, size, method=method, delta=delta, basis=basis)
        got = (round(e.stpe, 1), round(e.multiplier_mape, 1), round(e.multiplier_bias, 3))
        assert got == expected, size


def _trade(table, G):
    """Net exports by common group as a share of total output, and total 移輸出, 移輸入 over output."""
    X = table.X.sum()
    net = G.T @ (table.exports.sum(axis=1) + table.imports.sum(axis=1)) / X
    return net, table.exports.sum() / X, -table.imports.sum() / X


@pytest.mark.parametrize(
    ("size", "with_rule", "without_rule", "shares"),
    [("37", 16.3, 26.4, (0.252, 0.341)), ("185", 14.2, 20.3, (0.273, 0.371))],
)
def test_non_traded_sectors_bring_trade_close_to_miyazaki(
    miyazaki_setup, miyazaki37, size, with_rule, without_rule, shares
):
    G_true, _ = aggregation_matrix(sector_codes(miyazaki37), MIYAZAKI_TO_NATIONAL)
    real, real_e, real_m = _trade(miyazaki37, G_true)
    G = miyazaki_setup[3][size][1]
    gaps = {}
    for rule, settings in ((True, {}), (False, {"non_traded": ()})):
        net, e, m = _trade(estimated(miyazaki_setup, size, **settings), G)
        gaps[rule] = round(100 * np.abs(net - real).sum(), 1)  # Σ |net-export error|, % of output
        if rule:
            assert (round(real_e, 3), round(real_m, 3)) == (0.242, 0.332)
            assert (round(e, 3), round(m, 3)) == shares
    assert gaps == {True: with_rule, False: without_rule}


@pytest.mark.parametrize("size", ["37", "185"])
@pytest.mark.parametrize(("method", "delta"), [("slq", 0.0), ("cilq", 0.0), ("flq", 0.05), ("aflq", 0.05)])
def test_domestic_basis_beats_total_basis_for_every_method(miyazaki_setup, size, method, delta):
    domestic = errors(miyazaki_setup, size, method=method, delta=delta, basis="domestic")
    total = errors(miyazaki_setup, size, method=method, delta=delta, basis="total")
    assert domestic.stpe < total.stpe - 5


@pytest.mark.parametrize("size", ["37", "185"])
def test_default_delta_has_the_lowest_flq_coefficient_error(miyazaki_setup, size):
    by_delta = {d: errors(miyazaki_setup, size, method="flq", delta=d).stpe for d in FLQ_DELTAS}
    assert min(by_delta, key=by_delta.get) == DEFAULT_DELTA
    # Flegg's usual δ ≈ 0.25 shrinks a prefecture too much: coefficients 4+ points off, multipliers 2–3×
    assert by_delta[0.25] > by_delta[DEFAULT_DELTA] + 4
    mape = {
        d: errors(miyazaki_setup, size, method="flq", delta=d).multiplier_mape for d in (0.25, DEFAULT_DELTA)
    }
    assert mape[0.25] > 2 * mape[DEFAULT_DELTA]


def test_national_coefficients_without_lq_are_far_from_miyazaki(miyazaki_setup, national37):
    _, _, actual, setups = miyazaki_setup
    e = table_errors(local_structure(national37, setups["37"][1]), actual)
    assert (round(e.stpe, 1), round(e.multiplier_mape, 1)) == (106.0, 30.1)
    assert closed_inverse(actual.r).sum(axis=0).mean() == pytest.approx(1.371, abs=5e-4)


def test_finer_table_is_closer_to_miyazaki(miyazaki_setup):
    assert errors(miyazaki_setup, "185").stpe < errors(miyazaki_setup, "37").stpe - 3


def test_twelve_sector_file_national_row_is_the_2015_table(national37, prefecture12):
    G, _ = aggregation_matrix(
        sector_codes(national37), {c: f"{NATIONAL_TO_12.get(c, 3):02d}" for c in sector_codes(national37)}
    )
    Z, Y = flows12(prefecture12, "00000")
    np.testing.assert_allclose(G.T @ national37.X, Y)
    np.testing.assert_allclose(G.T @ national37.Z @ G, Z)


def test_twelve_sector_prefecture_errors_are_as_documented(national37, census, prefecture12):
    codes = sector_codes(national37)
    G, _ = aggregation_matrix(codes, {c: f"{NATIONAL_TO_12.get(c, 3):02d}" for c in codes})
    areas = [a for a in prefecture12["area"] if a.endswith("000") and a != "00000"]
    regions = [resolve_region(a[:2]) for a in areas]
    basis = census_basis(census, regions)
    sectors = sector_employment(national37, basis)
    Zn, Yn = flows12(prefecture12, "00000")
    rows = []
    for region, area in zip(regions, areas, strict=True):
        t = regionalize(national37, basis, region, sectors=sectors).table
        Z, Y = flows12(prefecture12, area)
        rows.append(
            (
                stpe(Zn / Yn, Z / Y),  # national technology as the prefecture's
                stpe(G.T @ t.Z @ G, Z),  # estimated intermediate flows
                stpe(G.T @ t.X, Y),  # estimated output
            )
        )
    technology, flows, output = np.mean(rows, axis=0)
    assert len(rows) == 42
    assert technology == pytest.approx(18.9, abs=0.05)
    assert flows == pytest.approx(25.0, abs=0.05)
    assert output == pytest.approx(17.5, abs=0.05)
    assert pl.Series([r[2] for r in rows]).max() < 36
