"""Regions and their employment (SPEC §7.1): census, firm data, and census shared out by firms."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from chiiki.io import IOTableError
from chiiki.io.regional import employment_basis, firm_basis, nested_basis, resolve_region
from chiiki.io.regional.regions import region_population_share


def test_regions_resolve_by_code_and_name():
    assert resolve_region("7").name == "福島県" and resolve_region("福島県").code == "07"
    assert resolve_region("東北").prefectures == ("02", "03", "04", "05", "06", "07")
    city = resolve_region("072010")  # with the check digit
    assert city.code == "07201" and city.kind == "municipality" and city.municipalities == ("07201",)


def test_designated_city_includes_its_wards():
    sendai = resolve_region("04100")
    assert sendai.municipalities[0] == "04100" and len(sendai.municipalities) == 6


def test_custom_region_lists_its_municipalities():
    region = resolve_region("会津", ["07202", "07208"])
    assert region.kind == "custom" and region.name == "会津" and region.prefectures == ("07",)


def test_unknown_region_is_a_japanese_error():
    with pytest.raises(IOTableError, match="見つかりません"):
        resolve_region("99999")
    with pytest.raises(IOTableError) as info:
        resolve_region(None, ["07201", "00000"])
    assert "00000" in str(info.value)


def test_population_share_only_at_prefecture_level():
    assert 0.01 < region_population_share(resolve_region("07")) < 0.02
    assert region_population_share(resolve_region("07201")) is None


def test_nested_basis_shares_out_the_prefecture_exactly(census, small_economy):
    companies = small_economy.companies
    pref = companies.group_by("prefecture_code").len().sort("len", descending=True)["prefecture_code"][0]
    munis = companies.filter(pl.col("prefecture_code") == pref)["municipality_code"].unique().sort().to_list()
    regions = [resolve_region(m) for m in munis]
    basis = nested_basis(census, companies, regions)
    census_row = census_basis_row(census, pref, basis.jsic_codes)
    assert_allclose(basis.regional.sum(axis=0), census_row, rtol=1e-9)
    assert "企業データ" in basis.source and "経済センサス" in basis.source


def census_basis_row(census, pref, codes):
    from chiiki.io.regional import census_basis

    b = census_basis(census, [resolve_region(pref)])
    return b.regional[0][[b.jsic_codes.index(c) for c in codes]]


def test_firm_basis_counts_the_data_set_for_region_and_nation(small_economy):
    companies = small_economy.companies
    year = companies["fiscal_year"].max()
    city = companies.filter(pl.col("fiscal_year") == year)["municipality_code"][0]
    basis = firm_basis(companies, [resolve_region(city)])
    current = companies.filter(pl.col("fiscal_year") == year)
    assert basis.national.sum() == pytest.approx(current["employees"].fill_null(0).sum())
    assert basis.regional.sum() == pytest.approx(
        current.filter(pl.col("municipality_code") == city)["employees"].fill_null(0).sum()
    )


def test_firm_basis_needs_the_whole_country(small_economy):
    one = small_economy.companies.filter(pl.col("prefecture_code") == "07")
    with pytest.raises(IOTableError, match="--census"):
        firm_basis(one, [resolve_region(one["municipality_code"][0])])


def test_municipal_estimate_without_firm_data_says_what_to_add(census):
    with pytest.raises(IOTableError, match="企業データ"):
        employment_basis([resolve_region("07201")], census=census)


def test_firm_data_without_employees_is_refused(small_economy):
    companies = small_economy.companies.with_columns(employees=pl.lit(None, dtype=pl.Int64))
    with pytest.raises(IOTableError, match="従業者数"):
        employment_basis([resolve_region("07201")], companies=companies)


def test_prefecture_from_firm_data_sums_its_municipalities(small_economy):
    basis = employment_basis([resolve_region("13")], companies=small_economy.companies)
    current = small_economy.companies.filter(
        pl.col("fiscal_year") == small_economy.companies["fiscal_year"].max()
    )
    expected = current.filter(pl.col("prefecture_code") == "13")["employees"].fill_null(0).sum()
    assert basis.regional.sum() == pytest.approx(expected)
    assert np.all(basis.regional >= 0)
