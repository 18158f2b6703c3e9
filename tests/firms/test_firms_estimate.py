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
