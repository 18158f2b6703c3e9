"""The real economic-census table (``../shared/data/regional_census_2012_2014.csv``), SPEC §4."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from chiiki.industry import aggregate_industry, complexity, location_quotient, suggest_fields

# Fukushima (07000) employees, 2014 census, read off the file by hand: industry, Fukushima, nation.
# Totals over the numeric 小分類 columns plus 12A: Fukushima 872,531; nation (00000) 61,718,550.
FUKUSHIMA = {"327": (672, 6503), "275": (3800, 34309), "111": (202, 32522)}


@pytest.mark.parametrize("code", sorted(FUKUSHIMA))
def test_census_lq_fukushima_by_hand(census, code):
    f, n = FUKUSHIMA[code]
    expected = (f / 872_531) / (n / 61_718_550)
    out = location_quotient(census, measures=["employees"])
    got = out.filter(pl.col("region_code") == "07", pl.col("industry_code") == code)
    assert got["value"].item() == f
    assert got["lq"].item() == pytest.approx(expected, rel=1e-12)


def test_census_lq_lacquerware_is_high_in_fukushima(census):
    lq = location_quotient(census, measures=["employees"]).filter(pl.col("region_code") == "07")
    assert lq.filter(pl.col("industry_code") == "327")["lq"].item() == pytest.approx(7.3095, abs=1e-4)


def test_census_drops_letter_breakdowns_and_keeps_national_row(census, census_path):
    with census_path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert "SEmp_32A" in header and "SEmp_12A" in header
    emp = census.filter(pl.col("measure") == "employees")
    assert not emp["industry_code"].str.contains("[A-Z]").any()
    assert "121" in emp["industry_code"].to_list()  # 12A = 121 + 122
    assert "00" in emp["region_code"].to_list()
    regions = set(emp["region_code"].to_list()) - {"00"}
    assert len(regions) == 42 and "07" in regions  # five prefectures are not in the file
    # the national row is larger than the sum of the 42 prefectures, so it must be the one used
    nat = emp.filter(pl.col("region_code") == "00")["value"].sum()
    assert nat == 61_718_550 and emp.filter(pl.col("region_code") != "00")["value"].sum() < nat


def test_census_boolean_cells_read_as_counts(census):
    cell = census.filter(
        pl.col("measure") == "establishments", pl.col("industry_code") == "350", pl.col("region_code") == "00"
    )
    assert cell["value"].item() == 1.0


def test_census_major_measures_by_jsic_major(census):
    va = census.filter(pl.col("measure") == "value_added")
    assert va["fiscal_year"].unique().to_list() == [2012]
    assert sorted(va["industry_code"].unique().to_list()) == list("ACDEFGHIJKLMNOPQR")
    manufacturing = va.filter(pl.col("region_code") == "07", pl.col("industry_code") == "E")
    assert manufacturing["value"].item() == 850_788  # VA_4 of 07000, 百万円


def test_census_aggregates_minor_to_middle_and_major(census):
    emp = census.filter(pl.col("measure") == "employees")
    middle = aggregate_industry(emp, to="middle")
    major = aggregate_industry(emp, to="major")
    for df in (middle, major):
        assert df.filter(pl.col("region_code") == "07")["value"].sum() == 872_531
    assert middle["industry_code"].str.len_chars().max() == 2
    assert set(major["industry_code"].to_list()) <= set("ABCDEFGHIJKLMNOPQRST")


def test_census_complexity_and_suggestions_run(census):
    c = complexity(aggregate_industry(census, to="middle"), measure="employees")
    assert c.regions.height == 42 and c.regions["eci"].null_count() == 0
    s = suggest_fields(census, prefecture="07000")
    assert s.height == 17 and s["rank"].to_list() == list(range(1, 18))
