"""SPEC §3.1 コネクター度・ハブ度: hand-worked toy network, identities and property tests."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.firms import FirmAnalysisError, connector_hub


def _row(res, cid):
    return res.firms.filter(pl.col("company_id") == cid).row(0, named=True)


def test_connector_hub_matches_hand_worked_toy(toy):
    res = connector_hub(toy.companies, toy.transactions, year=2024)
    a, b, c, d = (_row(res, x) for x in "ABCD")
    # Fukushima (07): out-of-region sales A→E 100, B→E 50; in-region purchases B→A 30, C→A 20, D→B 10.
    assert (a["out_sales"], b["out_sales"]) == (100, 50)
    assert a["connector_degree"] == pytest.approx(2 / 3)
    assert b["connector_degree"] == pytest.approx(1 / 3)
    assert a["hub_degree"] == pytest.approx(5 / 6)
    assert b["hub_degree"] == pytest.approx(1 / 6)
    assert (c["connector_degree"], d["hub_degree"]) == (0.0, 0.0)
    assert [a["connector_rank"], b["connector_rank"], c["connector_rank"], d["connector_rank"]] == [
        1,
        2,
        3,
        3,
    ]
    assert (a["in_sales"], a["out_purchases"], b["in_sales"]) == (0, 15, 30)
    assert (a["n_in_suppliers"], a["n_out_suppliers"], a["n_out_customers"]) == (2, 1, 1)
    f = _row(res, "F")
    assert (f["connector_degree"], f["hub_degree"]) == (1.0, 1.0)


def test_connector_hub_sorted_by_region_then_connector_rank(toy):
    res = connector_hub(toy.companies, toy.transactions, year=2024)
    assert res.firms.get_column("company_id").to_list() == ["A", "B", "C", "D", "F", "E", "H", "G"]


def test_connector_hub_reports_left_out_links(toy):
    rep = connector_hub(toy.companies, toy.transactions, year=2024).report
    assert (rep.n_links, rep.n_used) == (12, 9)
    assert (rep.n_unknown_supplier, rep.n_self, rep.n_missing_amount) == (1, 1, 1)
    assert not rep.uses_estimated
    table = rep.to_frame()
    assert table.filter(pl.col("reason").str.contains("企業データにない")).get_column("links").sum() == 1


def test_connector_hub_degrees_sum_to_one_per_region(toy):
    res = connector_hub(toy.companies, toy.transactions, year=2024)
    sums = res.firms.group_by("region_code").agg(pl.col("connector_degree", "hub_degree").sum())
    assert np.allclose(sums.get_column("connector_degree").to_numpy(), 1.0)
    assert np.allclose(sums.get_column("hub_degree").to_numpy(), 1.0)


def test_connector_hub_region_without_out_sales_is_undefined_not_divided():
    companies = make_companies([("a", "07", 100), ("b", "07", 100), ("c", "13", 100)])
    links = make_links([("a", "b", 10), ("c", "a", 5)])  # 07 sells nothing outside
    res = connector_hub(companies, links, year=2024)
    pref07 = res.regions.filter(pl.col("region_code") == "07").row(0, named=True)
    assert pref07["connector_defined"] is False and pref07["hub_defined"] is True
    assert "コネクター度は定義できません" in pref07["note"]
    a = res.firms.filter(pl.col("company_id") == "a").row(0, named=True)
    assert a["connector_degree"] is None and a["connector_rank"] is None
    assert a["hub_degree"] == 0.0  # b buys from a, so 07's hub total is 10 and a bought nothing
    assert any("07" in n and "定義できません" in n for n in res.notes)


def test_connector_hub_firm_without_links_gets_zero_not_nan():
    companies = make_companies([("a", "07", 100), ("b", "07", 100), ("lonely", "07", 5), ("c", "13", 100)])
    links = make_links([("a", "c", 10), ("b", "a", 4)])
    row = (
        connector_hub(companies, links, year=2024)
        .firms.filter(pl.col("company_id") == "lonely")
        .row(0, named=True)
    )
    assert row["connector_degree"] == 0.0 and row["hub_degree"] == 0.0


def test_connector_hub_unknown_partner_links_left_out():
    companies = make_companies([("a", "07", 100), ("c", "13", 100)])
    links = make_links([("a", "c", 10), ("a", "ghost", 99), ("ghost", "a", 7), ("ghost", "ghost2", 1)])
    res = connector_hub(companies, links, year=2024)
    assert (res.report.n_unknown_customer, res.report.n_unknown_supplier, res.report.n_unknown_both) == (
        1,
        1,
        1,
    )
    assert res.firms.filter(pl.col("company_id") == "a").get_column("out_sales").item() == 10


def test_connector_hub_duplicates_are_summed_and_counted_once():
    companies = make_companies([("a", "07", 100), ("c", "13", 100)])
    res = connector_hub(companies, make_links([("a", "c", 10), ("a", "c", 5)]), year=2024)
    a = res.firms.filter(pl.col("company_id") == "a").row(0, named=True)
    assert (a["out_sales"], a["n_out_customers"], res.report.n_duplicates) == (15, 1, 1)


def test_duplicate_count_is_the_number_of_repeated_rows_in_the_input():
    """A repeated pair counts as a duplicate whatever else leaves the row out (missing amount,
    self-link): the report says how many duplicate rows the input had (issue 13 item 7)."""
    companies = make_companies([("a", "07", 100), ("c", "13", 100)])
    links = make_links([("a", "c", 10), ("a", "c", None), ("a", "c", 5), ("a", "a", 1), ("a", "a", 2)])
    res = connector_hub(companies, links, year=2024)
    assert res.report.n_duplicates == 3  # two repeats of a→c, one of a→a
    assert (res.report.n_missing_amount, res.report.n_self, res.report.n_used) == (1, 2, 1)
    assert res.firms.filter(pl.col("company_id") == "a").get_column("out_sales").item() == 15
    assert any("3 件" in n and "重複" in n for n in res.notes)


def test_connector_hub_block_level_merges_prefectures(toy):
    # SPEC §1: Fukushima (07) is in 東北; Tokyo (13) and Niigata (15) are both in 関東.
    res = connector_hub(toy.companies, toy.transactions, year=2024, level="block")
    codes = dict(res.firms.select("company_id", "region_code").iter_rows())
    assert codes["A"] == "tohoku" and codes["E"] == codes["G"] == "kanto"
    # E→F and F→G and G→H are now in-region: F sells nothing outside, H sells to A (東北).
    h = res.firms.filter(pl.col("company_id") == "H").row(0, named=True)
    assert h["connector_degree"] == pytest.approx(1.0)


def test_connector_hub_custom_regions_and_unmapped_firms():
    companies = make_companies(
        [("a", "07", 100), ("b", "07", 100), ("c", "07", 100)],
        muni={"a": "07201", "b": "07202", "c": "07203"},
    )
    links = make_links([("a", "b", 10), ("b", "c", 20), ("c", "a", 5)])
    mapping = pl.DataFrame({"municipality_code": ["07201", "07202"], "region_code": ["aizu", "aizu"]})
    res = connector_hub(companies, links, year=2024, level="custom", regions=mapping)
    assert res.firms.get_column("company_id").to_list() == ["b", "a"]  # c is in no region
    b = res.firms.filter(pl.col("company_id") == "b").row(0, named=True)
    assert (b["out_sales"], b["in_purchases"], b["connector_degree"]) == (20, 10, 1.0)


def test_connector_hub_custom_without_mapping_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="地域定義"):
        connector_hub(toy.companies, toy.transactions, year=2024, level="custom")


def test_connector_hub_unknown_year_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="1999年度の企業データがありません"):
        connector_hub(toy.companies, toy.transactions, year=1999)


def test_connector_hub_flags_estimated_amounts(toy):
    tx = toy.transactions.with_columns((pl.col("supplier_id") == "A").alias("amount_estimated"))
    res = connector_hub(toy.companies, tx, year=2024)
    assert res.uses_estimated and any("推計値" in n for n in res.notes)
    flags = dict(res.firms.select("company_id", "uses_estimated").iter_rows())
    assert flags["A"] and flags["E"] and not flags["C"]


def test_connector_hub_matches_pandas_formulation(toy):
    pd = pytest.importorskip("pandas")
    res = connector_hub(toy.companies, toy.transactions, year=2024)
    c = toy.companies.filter(pl.col("fiscal_year") == 2024).to_pandas()[["company_id", "prefecture_code"]]
    t = toy.transactions.filter(pl.col("fiscal_year") == 2024).to_pandas().dropna(subset=["amount"])
    t = t.merge(c.rename(columns={"company_id": "supplier_id", "prefecture_code": "rs"}), on="supplier_id")
    t = t.merge(c.rename(columns={"company_id": "customer_id", "prefecture_code": "rc"}), on="customer_id")
    t = t[t.supplier_id != t.customer_id]
    out = t[t.rs != t.rc].groupby("supplier_id").amount.sum()
    df = c.set_index("company_id").assign(out_sales=out).fillna({"out_sales": 0})
    df["deg"] = df.out_sales / df.groupby("prefecture_code").out_sales.transform("sum")
    ours = res.firms.to_pandas().set_index("company_id")["connector_degree"]
    pd.testing.assert_series_equal(ours.sort_index(), df["deg"].sort_index(), check_names=False)


def _random_network(draw):
    n = draw(st.integers(3, 12))
    prefs = draw(st.lists(st.sampled_from(["07", "13", "15"]), min_size=n, max_size=n))
    ids = [f"f{i}" for i in range(n)]
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 1000)),
            min_size=0,
            max_size=40,
        )
    )
    companies = make_companies([(ids[i], prefs[i], 100) for i in range(n)])
    links = make_links([(ids[s], ids[c], a) for s, c, a in edges])
    return companies, links


@st.composite
def networks(draw):
    return _random_network(draw)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_connector_hub_invariants(net):
    companies, links = net
    res = connector_hub(companies, links, year=2024)
    f = res.firms
    for col, total in (("connector_degree", "out_sales_total"), ("hub_degree", "in_purchases_total")):
        sums = f.group_by("region_code").agg(pl.col(col).sum(), pl.col(col).null_count().alias("nulls"))
        joined = sums.join(res.regions, on="region_code")
        defined = joined.filter(pl.col(total) > 0)
        assert np.allclose(defined.get_column(col).to_numpy(), 1.0)
        assert not f.get_column(col).is_nan().any()
        undefined = joined.filter(pl.col(total) == 0)
        for row in undefined.iter_rows(named=True):
            n = res.regions.filter(pl.col("region_code") == row["region_code"]).get_column("n_firms").item()
            assert row["nulls"] == n
    # accounting identity: Σ out_sales + Σ in_sales = Σ used amounts
    used_total = f.get_column("out_sales").sum() + f.get_column("in_sales").sum()
    assert used_total == f.get_column("in_purchases").sum() + f.get_column("out_purchases").sum()


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(0, 1000))
def test_moving_link_inside_region_leaves_other_regions_unchanged(net, amount):
    companies, links = net
    in07 = companies.filter(pl.col("prefecture_code") == "07").get_column("company_id").to_list()
    if len(in07) < 2:
        return
    base = connector_hub(companies, links, year=2024).firms
    moved = pl.concat([links, make_links([(in07[0], in07[1], amount)])])
    after = connector_hub(companies, moved, year=2024).firms
    cols = ["company_id", "connector_degree", "hub_degree", "out_sales", "in_purchases"]
    other = pl.col("region_code") != "07"
    assert base.filter(other).select(cols).equals(after.filter(other).select(cols))
