"""花火図 data (issue 13 item 2): a firm's two tiers, industry flows and prefecture flows, hand-worked on
the toy economy and checked against the connector/hub totals of SPEC §3.1."""

from __future__ import annotations

import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.firms import FirmAnalysisError, connector_hub, estimate_amounts
from chiiki.firms.fireworks import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    firm_fireworks,
    industry_flows,
    prefecture_flows,
)


def test_firm_fireworks_two_tiers_in_region_suppliers_out_of_region_customers(toy):
    fw = firm_fireworks(toy.companies, toy.transactions, year=2024, company_id="A")
    assert fw.nodes.columns == NODE_COLUMNS and fw.edges.columns == EDGE_COLUMNS
    nodes = {r["company_id"]: r for r in fw.nodes.iter_rows(named=True)}
    # H→A (Niigata) is an out-of-region supplier: not drawn; E (Tokyo) and its customer F are.
    assert {k: (v["side"], v["tier"]) for k, v in nodes.items()} == {
        "A": ("focus", 0),
        "B": ("supplier", 1),
        "C": ("supplier", 1),
        "D": ("supplier", 2),
        "E": ("customer", 1),
        "F": ("customer", 2),
    }
    assert nodes["E"]["municipality_name"] == "千代田区" and nodes["E"]["lat"] == pytest.approx(
        35.69, abs=0.05
    )
    assert nodes["B"]["in_region"] and not nodes["E"]["in_region"]
    assert not fw.edges.get_column("amount_estimated").any() and not fw.uses_estimated


def test_firm_fireworks_scopes_top_and_a_firm_on_both_sides(toy):
    fw = firm_fireworks(
        toy.companies, toy.transactions, year=2024, company_id="A", suppliers="all", customers="all"
    )
    sides = dict(fw.nodes.select("company_id", "side").iter_rows())
    assert sides["H"] == "supplier" and sides["G"] == "supplier"
    # B supplies A but buys nothing from A or its customers: a supplier only
    assert sides["B"] == "supplier"
    one = firm_fireworks(toy.companies, toy.transactions, year=2024, company_id="A", tiers=1, top=1)
    assert one.edges.select("supplier_id", "customer_id").rows() == [("B", "A"), ("A", "E")]
    companies = make_companies([("a", "07", 100), ("b", "07", 100), ("c", "07", 100)])
    links = make_links([("b", "a", 5), ("a", "b", 3), ("c", "b", 2)])
    both = firm_fireworks(companies, links, year=2024, company_id="a", suppliers="all", customers="all")
    assert dict(both.nodes.select("company_id", "side").iter_rows()) == {
        "a": "focus",
        "b": "both",
        "c": "supplier",
    }
    # a→b→a is not a's own second tier
    assert ("a", "b", "supplier", 2) not in both.edges.select(
        "supplier_id", "customer_id", "side", "tier"
    ).rows()


def test_firm_fireworks_flags_estimated_links(toy):
    est = estimate_amounts(toy.companies, toy.transactions).transactions
    fw = firm_fireworks(toy.companies, est, year=2024, company_id="D", customers="all")
    flagged = fw.edges.filter("amount_estimated").select("supplier_id", "customer_id").rows()
    assert flagged == [("C", "D")] and fw.uses_estimated and any("推計値" in n for n in fw.notes)


def test_industry_flows_hand_worked_and_against_region_totals(toy):
    fw = industry_flows(toy.companies, toy.transactions, year=2024, region_code="07")
    edges = {
        (r[0], r[1], r[2]): r[3]
        for r in fw.edges.select("supplier_jsic", "customer_jsic", "flow", "amount").rows()
    }
    assert edges == {
        ("28", "29", "outflow"): 100,
        ("24", "29", "outflow"): 50,
        ("24", "28", "within"): 30,
        ("16", "28", "within"): 20,
        ("44", "24", "within"): 10,
        ("26", "28", "inflow"): 15,
    }
    region = connector_hub(toy.companies, toy.transactions, year=2024).regions.filter(
        pl.col("region_code") == "07"
    )
    by_flow = dict(fw.edges.group_by("flow").agg(pl.col("amount").sum()).iter_rows())
    row = region.row(0, named=True)
    assert by_flow == {
        "outflow": row["out_sales_total"],
        "inflow": row["out_purchases_total"],
        "within": row["in_purchases_total"],
    }
    nodes = {r["jsic_code"]: r for r in fw.nodes.iter_rows(named=True)}
    assert nodes["28"]["n_firms"] == 1 and nodes["28"]["sales"] == 1000 and nodes["28"]["outflow"] == 100
    assert nodes["28"]["inflow"] == 15 and nodes["29"]["n_firms"] == 0  # 29 is Tokyo's E
    assert fw.edges.get_column("flow_label").unique().sort().to_list() == sorted(
        ["域内取引", "域外からの仕入", "域外への販売"]
    )


def test_prefecture_flows_hand_worked_and_national_total(toy):
    fw = prefecture_flows(toy.companies, toy.transactions, year=2024, prefecture_code="13")
    assert fw.edges.select("from_prefecture", "to_prefecture", "amount", "n_links").rows() == [
        ("07", "13", 150, 2),
        ("13", "15", 60, 1),
        ("13", "13", 40, 1),
    ]
    nodes = {r["prefecture_code"]: r for r in fw.nodes.iter_rows(named=True)}
    assert fw.nodes.height == 47 and nodes["13"]["name"] == "東京都" and nodes["13"]["bought_in"] == 190
    everything = prefecture_flows(toy.companies, toy.transactions, year=2024)
    assert everything.edges.get_column("amount").sum() == 100 + 50 + 30 + 20 + 10 + 40 + 60 + 25 + 15


def test_fireworks_bad_input_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="階層は 1 または 2"):
        firm_fireworks(toy.companies, toy.transactions, year=2024, company_id="A", tiers=3)
    with pytest.raises(FirmAnalysisError, match="suppliers は"):
        firm_fireworks(toy.companies, toy.transactions, year=2024, company_id="A", suppliers="near")
    with pytest.raises(FirmAnalysisError, match="地域コード 99"):
        industry_flows(toy.companies, toy.transactions, year=2024, region_code="99")
    with pytest.raises(FirmAnalysisError, match="都道府県コード 99"):
        prefecture_flows(toy.companies, toy.transactions, year=2024, prefecture_code="99")
