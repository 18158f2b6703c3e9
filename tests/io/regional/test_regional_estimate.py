"""Regional tables (SPEC §7.1): the balancing rule on a hand-worked 3-sector table, the contract of
the result, and real prefectures from the census."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from regional_data import TOY_CONCORDANCE, toy_national

from chiiki.io import read_io_table, ripple, table_from_long
from chiiki.io.regional import (
    EmploymentBasis,
    Region,
    RegionalSettings,
    census_basis,
    regionalize,
    resolve_region,
    sector_employment,
)

REGION = Region("r", "テスト地域", "custom", ("07",))


def toy_basis(regional=(20.0, 30.0, 50.0)) -> EmploymentBasis:
    return EmploymentBasis(
        regions=("r",),
        jsic_codes=("011", "021", "031"),
        regional=np.array([regional]),
        national=np.array([100.0, 600.0, 300.0]),
        source="テスト",
    )


def estimate(method="slq", basis="total", regional=(20.0, 30.0, 50.0), population_share=None, **settings):
    national = toy_national()
    b = toy_basis(regional)
    return regionalize(
        national,
        b,
        REGION,
        settings=RegionalSettings(
            method=method, delta=0.3, basis=basis, population_share=population_share, **settings
        ),
        sectors=sector_employment(national, b, TOY_CONCORDANCE),
    )


def test_output_is_employment_times_national_output_per_employee():
    assert_allclose(estimate().table.X, [100 * 20 / 100, 100 * 30 / 600, 100 * 50 / 300])


def test_slq_commodity_balance_by_hand():
    t = estimate().table
    x = np.array([20.0, 5.0, 50 / 3])
    A = toy_national().Z / 100
    demand = A @ x + np.array([5.0, 6.0, 4.0])  # consumption × employment share 100/1000
    local = np.array([1.0, 0.5, 1.0]) * demand  # min(SLQ, 1) for buyers and final demand alike
    assert_allclose(t.Z, A * x)
    assert_allclose(-t.imports[:, 0], demand - local)
    assert_allclose(t.exports[:, 0], x - local)
    assert_allclose(t.m, [0.0, 0.5, 0.0])
    assert_allclose(t.value_added, toy_national().value_added / 100 * x)
    assert t.export_names == ("移輸出",) and t.import_names == ("（控除）移輸入",)


def test_non_traded_sector_uses_its_output_in_the_region_by_hand():
    t = estimate(non_traded=("02",)).table
    x = np.array([20.0, 5.0, 50 / 3])
    intermediate = (toy_national().Z[1] / 100) @ x  # (5·20 + 10·5 + 10·50/3) / 100 = 3.1667
    # 02's final demand (consumption 60 × employment share 0.1 = 6) shrinks to what its output leaves
    assert t.final_demand[1, 0] == pytest.approx(5.0 - intermediate)
    assert t.exports[1, 0] == 0.0 and t.imports[1, 0] == 0.0 and t.m[1] == 0.0
    assert_allclose(t.X, x)
    plain = estimate().table  # the other sectors are as without the rule
    assert_allclose(t.final_demand[[0, 2]], plain.final_demand[[0, 2]])
    assert_allclose(t.m[[0, 2]], plain.m[[0, 2]])


def test_non_traded_default_applies_to_prefectures_not_municipalities(national37):
    from chiiki.io.regional.estimate import non_traded_mask

    codes = [s[:2] for s in national37.sectors]
    expected = [c in ("41", "55", "61", "64") for c in codes]
    assert non_traded_mask(national37, resolve_region("07"), RegionalSettings()).tolist() == expected
    assert not non_traded_mask(national37, resolve_region("07201"), RegionalSettings()).any()
    chosen = non_traded_mask(national37, resolve_region("07201"), RegionalSettings(non_traded=("41",)))
    assert [national37.sectors[i] for i in np.flatnonzero(chosen)] == ["41_建設"]


def test_domestic_basis_applies_the_lq_to_national_domestic_coefficients():
    t = estimate(basis="domestic").table
    keep = 1 - toy_national().m  # 1 − 10/85, 1 − 10/85, 1 − 10/75
    assert_allclose(1 - t.m, keep * np.array([1.0, 0.5, 1.0]))


def test_local_supply_never_exceeds_output():
    # SLQ_01 = 1 but half the nation's consumers: demand 28 against an output of 10
    t = estimate(method="slq", regional=(10.0, 30.0, 60.0), population_share=0.5).table
    assert t.X[0] == pytest.approx(10.0)
    assert t.exports[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert -t.imports[0, 0] == pytest.approx(28.0 - 10.0)
    assert (t.exports >= -1e-12).all() and (t.imports <= 1e-12).all()


def test_sector_without_regional_employment_stays_with_all_demand_imported():
    t = estimate(regional=(20.0, 0.0, 50.0)).table
    assert t.X[1] == 0 and t.m[1] == pytest.approx(1.0)
    assert not t.Z[:, 1].any() and not t.value_added[:, 1].any()
    result = ripple(t, np.array([0.0, 10.0, 0.0]))  # demand for the absent sector leaks out entirely
    total = result.summary.filter((pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額"))
    assert total["value"][0] == pytest.approx(0.0, abs=1e-9)


def test_estimated_table_carries_method_and_status_for_every_cell(tmp_path):
    rt = estimate(method="flq")
    long = rt.long_frame()
    assert set(long["status"]) == {"推計"} and long["method"].null_count() == 0
    assert "FLQ（δ = 0.3）" in rt.method_text and rt.provenance()["状態"].to_list() == ["推計"] * 7
    path = tmp_path / "regional.csv"
    long.write_csv(path)
    back = read_io_table(path)
    assert_allclose(back.X, rt.table.X, rtol=1e-9)
    assert_allclose(back.m, rt.table.m, atol=1e-9)
    assert_allclose(back.employment, [20.0, 30.0, 50.0])


def test_every_census_prefecture_gives_a_balanced_table(national37, census):
    regions = [resolve_region(p) for p in ("07", "13", "45")]
    basis = census_basis(census, regions)
    sectors = sector_employment(national37, basis)
    for region in regions:
        t = regionalize(national37, basis, region, sectors=sectors).table
        assert_allclose(t.X, t.column_totals, rtol=1e-9)
        assert ((t.m >= 0) & (t.m <= 1 + 1e-9)).all()
        assert t.employment.sum() == pytest.approx(basis.row(region.code).sum(), rel=1e-3)


def test_block_sums_its_prefectures(national37, census):
    tohoku = resolve_region("tohoku")
    basis = census_basis(census, [tohoku, *[resolve_region(p) for p in tohoku.prefectures]])
    assert_allclose(basis.row("tohoku"), sum(basis.row(p) for p in tohoku.prefectures))


def test_block_with_a_prefecture_missing_from_the_census_is_refused(census):
    from chiiki.io import IOTableError

    with pytest.raises(IOTableError, match="17"):
        census_basis(census, [resolve_region("chubu")])  # 石川県 is not in the census file


def test_185_sector_table_of_a_prefecture(national185, census):
    region = resolve_region("45")
    basis = census_basis(census, [region])
    rt = regionalize(national185, basis, region)
    assert rt.table.n == 185
    assert_allclose(rt.table.X, rt.table.column_totals, rtol=1e-9)
    absent = (rt.table.X == 0).sum()
    assert any("域内生産のない部門" in n for n in rt.notes) == bool(absent)


def test_round_trip_through_the_long_form_keeps_the_ripple(national37, census):
    region = resolve_region("07")
    rt = regionalize(national37, census_basis(census, [region]), region)
    frame = rt.long_frame()
    back = table_from_long(frame)
    F = np.zeros(37)
    F[2] = 100.0
    a = ripple(rt.table, F).summary["value"].to_numpy()
    b = ripple(back, F).summary["value"].to_numpy()
    assert_allclose(a, b, rtol=1e-9)


def test_municipal_185_table_with_absent_sectors_round_trips(national185, census, small_economy):
    from chiiki.io.regional import nested_basis

    companies = small_economy.companies
    city = companies.filter(pl.col("prefecture_code") == "07")["municipality_code"].mode()[0]
    region = resolve_region(city)
    rt = regionalize(national185, nested_basis(census, companies, [region]), region)
    assert (rt.table.X == 0).sum() > 20  # a small place makes few of the 185 products
    back = table_from_long(rt.long_frame(), unit="十億円")
    assert back.sectors == rt.table.sectors
    assert_allclose(back.m, rt.table.m, atol=1e-9)
