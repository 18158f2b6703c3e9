"""SPEC §3.3 amount estimation: hand-worked gravity allocation, flags and RAS identities."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.firms import FirmAnalysisError, connector_hub, estimate_amounts


def test_estimate_hand_worked_toy(toy):
    res = estimate_amounts(toy.companies, toy.transactions)
    filled = res.transactions.filter(pl.col("amount_estimated")).sort("fiscal_year")
    # 2024: C (sales 300) sells to A (1000) and D (200): 300 · 200 / 1200 = 50.
    assert filled.get_column("amount").to_list() == [round(250 * 220 / 1120), round(280 * 210 / 1160), 50]
    assert res.report.n_filled == 3 and res.report.n_missing == 3
    # reported amounts are kept
    kept = res.transactions.filter(~pl.col("amount_estimated"))
    assert (
        kept.get_column("amount").to_list()
        == toy.transactions.drop_nulls("amount").get_column("amount").to_list()
    )


def test_estimate_beta_and_business_share():
    companies = make_companies([("s", "07", 1000), ("a", "07", 100), ("b", "07", 300)])
    links = make_links([("s", "a", None), ("s", "b", None)])
    r0 = estimate_amounts(companies, links, beta=0.0)
    assert r0.transactions.get_column("amount").to_list() == [500, 500]
    r2 = estimate_amounts(companies, links, beta=2.0, business_share={"E": 0.5})  # JSIC 24 is 製造業 E
    assert r2.transactions.get_column("amount").to_list() == [50, 450]  # 500 · 1/10, 500 · 9/10


def test_estimate_unknown_customer_left_missing_and_counted():
    companies = make_companies([("s", "07", 1000), ("a", "07", 100)])
    res = estimate_amounts(companies, make_links([("s", "a", None), ("s", "ghost", None)]))
    assert res.transactions.get_column("amount").to_list() == [1000, None]
    assert res.report.n_unknown_partner == 1
    assert any("推計できず" in n for n in res.report.notes)


def test_estimated_amounts_propagate_flag_to_degrees(toy):
    est = estimate_amounts(toy.companies, toy.transactions).transactions
    res = connector_hub(toy.companies, est, year=2024)
    assert res.report.n_missing_amount == 0 and res.uses_estimated
    assert any("推計値" in n for n in res.notes)


def test_ras_meets_row_and_column_targets():
    companies = make_companies([("s1", "07", 100), ("s2", "07", 200), ("c1", "07", 400), ("c2", "07", 500)])
    links = make_links([("s1", "c1", None), ("s1", "c2", None), ("s2", "c1", None), ("s2", "c2", None)])
    purchases = pl.DataFrame(
        {"company_id": ["c1", "c2"], "fiscal_year": [2024, 2024], "purchases": [120, 180]}
    )
    res = estimate_amounts(companies, links, ras=True, purchases=purchases, tol=1e-12)
    assert res.report.ras_converged
    t = res.transactions
    rows = t.group_by("supplier_id").agg(pl.col("amount").sum()).sort("supplier_id").get_column("amount")
    cols = t.group_by("customer_id").agg(pl.col("amount").sum()).sort("customer_id").get_column("amount")
    assert rows.to_list() == [100, 200] and cols.to_list() == [120, 180]


def test_business_share_out_of_range_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="0〜1"):
        estimate_amounts(toy.companies, toy.transactions, business_share={"E": 1.5})


def test_estimate_total_equals_business_sales_when_all_missing():
    companies = make_companies([("s", "07", 999), ("a", "07", 1), ("b", "07", 2), ("c", "07", 3)])
    res = estimate_amounts(companies, make_links([("s", x, None) for x in "abc"]))
    assert np.isclose(res.transactions.get_column("amount").sum(), 999, atol=1.5)


def test_self_links_are_left_out_of_estimation():
    """A self-link is no customer of its supplier and stays missing, as every analysis leaves it out
    (issue 13 item 7): s's sales all go to a."""
    companies = make_companies([("s", "07", 1000), ("a", "07", 100)])
    res = estimate_amounts(companies, make_links([("s", "a", None), ("s", "s", None)]))
    assert res.transactions.get_column("amount").to_list() == [1000, None]
    assert res.transactions.get_column("amount_estimated").to_list() == [True, False]
    assert res.report.n_self == 1 and res.report.n_filled == 1
    assert any("自己取引 1 件" in n for n in res.report.notes)


def test_a_pair_on_two_rows_is_one_customer_and_counted_as_a_duplicate():
    companies = make_companies([("s", "07", 1001), ("a", "07", 100), ("b", "07", 300)])
    links = make_links([("s", "a", None), ("s", "a", None), ("s", "b", None)])
    res = estimate_amounts(companies, links)
    # C(s) = {a, b}: a's share 1001 · 100/400 = 250.25 → 250, split 125 + 125; b 750.75 → 751.
    assert res.transactions.get_column("amount").to_list() == [125, 125, 751]
    assert res.report.n_duplicates == 1
    assert any("重複" in n and "1 件" in n for n in res.report.notes)


def test_estimated_amounts_stay_whole_thousand_yen():
    companies = make_companies([("s", "07", 1001), ("a", "07", 100)])
    links = make_links([("s", "a", None), ("s", "a", None)]).with_columns(pl.col("amount").cast(pl.Float64))
    res = estimate_amounts(companies, links)
    amounts = res.transactions.get_column("amount")
    assert amounts.dtype == pl.Int64 and amounts.to_list() == [501, 500]  # 1001 split in whole 千円
    bad = make_links([("s", "a", None), ("a", "s", None)]).with_columns(
        pl.Series("amount", [None, 2.5], dtype=pl.Float64)
    )
    with pytest.raises(FirmAnalysisError, match="2 行目、列 amount の値 2.5"):
        estimate_amounts(companies, bad)


def test_ras_that_does_not_converge_says_so_and_keeps_suppliers_within_their_sales():
    """Contradictory targets (the supplier sells 100, its only customer is to buy 500): the fit
    oscillates. The result ends on the supplier step (no supplier sells more than its sales, where
    it used to end at 5×) and the report says it did not converge."""
    companies = make_companies([("s", "07", 100), ("c", "07", 1000)])
    purchases = pl.DataFrame({"company_id": ["c"], "fiscal_year": [2024], "purchases": [500]})
    res = estimate_amounts(companies, make_links([("s", "c", None)]), ras=True, purchases=purchases)
    assert not res.report.ras_converged
    assert res.transactions.get_column("amount").to_list() == [100]
    assert res.report.ras_max_residual == pytest.approx(0.8)  # |100 − 500| / 500 left at the customer
    assert any("収束しませんでした" in n for n in res.report.notes)


def test_default_ras_targets_on_the_synthetic_economy_are_reported_and_keep_suppliers_within_sales(
    small_economy,
):
    """The default RAS purchase targets P = sales − operating_profit − payroll checked against the
    generator's truth (issue 13 item 7; the numbers per option are in docs/firms.md): they overstate
    what firms buy from the data set's firms, so the fit cannot meet them and does not converge. The
    result says so and no supplier is given more than its sales (it used to reach 337×)."""
    companies, truth = small_economy.companies, small_economy.transactions
    keys = ["company_id", "fiscal_year"]
    bought = truth.group_by(pl.col("customer_id").alias("company_id"), "fiscal_year").agg(
        pl.col("amount").sum().alias("bought")
    )
    check = companies.join(bought, on=keys).with_columns(
        (pl.col("sales") - pl.col("operating_profit") - pl.col("payroll")).alias("default_p")
    )
    ratio = (check.get_column("default_p") / check.get_column("bought")).to_numpy()
    assert np.median(ratio) > 2.0 and check.get_column("default_p").sum() > check.get_column("bought").sum()

    blank = truth.with_columns(pl.lit(None, dtype=pl.Int64).alias("amount"))
    res = estimate_amounts(companies, blank, ras=True)
    assert not res.report.ras_converged and any("収束しませんでした" in n for n in res.report.notes)
    sold = (
        res.transactions.group_by(pl.col("supplier_id").alias("company_id"), "fiscal_year")
        .agg(pl.col("amount").sum(), pl.len().alias("n"))
        .join(companies.select(*keys, "sales"), on=keys)
    )
    assert sold.filter(pl.col("amount") > pl.col("sales") + 0.5 * pl.col("n")).height == 0
    assert res.transactions.get_column("amount").dtype == pl.Int64
