"""Trends (issue 13 item 4): series built from the existing builders, hand-worked on the toy economy."""

from __future__ import annotations

import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.data.contract import Dataset
from chiiki.firms import FirmAnalysisError, in_region_transaction_value, priority_scores
from chiiki.firms.trends import firm_trend, prefecture_trend, with_changes, yearly_indicators


def _toy_with_changing_links(toy) -> Dataset:
    """The toy economy with B→A 30 raised to 60 in 2024 and D absent in 2023."""
    t = toy.transactions.with_columns(
        pl.when(
            (pl.col("fiscal_year") == 2024) & (pl.col("supplier_id") == "B") & (pl.col("customer_id") == "A")
        )
        .then(60)
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    c = toy.companies.filter(~((pl.col("company_id") == "D") & (pl.col("fiscal_year") == 2023)))
    return Dataset(c, t)


def test_firm_trend_hand_worked(toy):
    ds = _toy_with_changing_links(toy)
    trend = firm_trend(yearly_indicators(ds.companies, ds.transactions), "A")
    assert trend.get_column("fiscal_year").to_list() == [2022, 2023, 2024]
    assert trend.get_column("sales").to_list() == [900, 950, 1000]
    assert trend.get_column("sales_change").to_list() == [None, 50, 50]
    assert trend.get_column("sales_change_pct").to_list()[1] == pytest.approx(50 / 900)
    # 2024: A buys 60 + 20 in-region; B's 60 + 10 … in-region purchases of 07 are 60 + 20 + 10.
    assert trend.get_column("hub_degree").to_list()[-1] == pytest.approx(80 / 90)
    assert trend.get_column("in_region_value").to_list() == [50, 50, 80]
    assert trend.get_column("in_region_value_change").to_list() == [None, 0, 30]
    assert trend.get_column("score_years").to_list() == [1, 2, 3]
    score_2024 = priority_scores(ds.companies, ds.transactions, prefecture="07", year=2024).firms
    assert trend.get_column("score").to_list()[-1] == pytest.approx(
        score_2024.filter(pl.col("company_id") == "A").get_column("score").item()
    )


def test_a_gap_in_the_series_has_no_change(toy):
    ds = _toy_with_changing_links(toy)
    trend = firm_trend(yearly_indicators(ds.companies, ds.transactions), "D")
    assert trend.get_column("fiscal_year").to_list() == [2022, 2024]
    assert trend.get_column("sales_change").to_list() == [None, None]  # 2023 is missing


def test_prefecture_trend_hand_worked_and_against_in_region_value(toy):
    ds = _toy_with_changing_links(toy)
    yearly = yearly_indicators(ds.companies, ds.transactions)
    trend = prefecture_trend(yearly, "07")
    assert trend.get_column("n_firms").to_list() == [4, 3, 4]
    assert trend.get_column("n_firms_change").to_list() == [None, -1, 1]
    # 2024: in-region links B→A 60, C→A 20, D→B 10, each once.
    assert trend.get_column("in_region_value").to_list()[-1] == 90
    total = in_region_transaction_value(
        ds.companies, ds.transactions, year=2024, firms=["A", "B", "C", "D"]
    ).total
    assert total == 90
    # connector degrees 2024: A 100/150, B 50/150 → HHI 5/9; hub: A 80/90, B 10/90.
    row = trend.filter(pl.col("fiscal_year") == 2024).row(0, named=True)
    assert row["connector_hhi"] == pytest.approx(5 / 9)
    assert row["hub_hhi"] == pytest.approx((80 / 90) ** 2 + (10 / 90) ** 2)
    assert row["connector_top10_share"] == pytest.approx(1.0)
    everyone = prefecture_trend(yearly)
    assert set(everyone.get_column("prefecture_code").to_list()) == {"07", "13", "15"}


def test_change_from_a_missing_value_is_null():
    frame = pl.DataFrame(
        {"fiscal_year": [2023, 2024], "x": [None, 4]}, schema={"fiscal_year": pl.Int64, "x": pl.Int64}
    )
    assert with_changes(frame, ["x"]).get_column("x_change").to_list() == [None, None]


def test_concentration_of_an_undefined_degree_is_null():
    companies = make_companies([("a", "07", 100), ("b", "13", 100)])
    yearly = yearly_indicators(companies, make_links([("a", "b", 10)]))
    row = prefecture_trend(yearly, "07").row(0, named=True)
    assert row["connector_hhi"] == pytest.approx(1.0) and row["hub_hhi"] is None  # no in-region purchases


def test_trends_bad_input_is_a_japanese_error(toy):
    yearly = yearly_indicators(toy.companies, toy.transactions, prefectures="07")
    assert set(yearly.firms.get_column("prefecture_code").to_list()) == {"07"}
    with pytest.raises(FirmAnalysisError, match="企業ID ZZ"):
        firm_trend(yearly, "ZZ")
    with pytest.raises(FirmAnalysisError, match="都道府県コード 99"):
        prefecture_trend(yearly, "99")
    with pytest.raises(FirmAnalysisError, match="2030"):
        yearly_indicators(toy.companies, toy.transactions, years=[2030])
