"""商流圏 (supplier dependence, issue 13 item 3): hand-worked on the toy economy, against dense matrix
powers, and against the firm ripple (SPEC §3.5)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.firms import FirmAnalysisError, estimate_amounts, firm_ripple
from chiiki.firms.dependence import DEPENDENCE_COLUMNS, supplier_dependence
from chiiki.firms.graph import distinct_nodes, gather_ranges, supply_graph
from chiiki.firms.network import build_network


def _rows(r) -> dict[str, dict]:
    return {row["company_id"]: row for row in r.firms.iter_rows(named=True)}


def test_dependence_hand_worked_three_tiers(toy):
    r = supplier_dependence(toy.companies, toy.transactions, year=2024, company_id="A", tiers=3, delta=100)
    got = _rows(r)
    assert r.firms.columns == DEPENDENCE_COLUMNS
    # Tier 1: B 30/500, C 20/300, H 15/300 of their sales go to A; tier 2: D→B, G→H; tier 3: F→G.
    assert {k: v["tier"] for k, v in got.items()} == {"B": 1, "C": 1, "H": 1, "D": 2, "G": 2, "F": 3}
    assert got["B"]["share"] == pytest.approx(0.06) and got["B"]["direct_amount"] == 30
    assert got["D"]["share"] == pytest.approx(10 / 200 * 0.06) and got["D"]["direct_amount"] == 0
    assert got["F"]["share"] == pytest.approx(60 / 800 * 25 / 400 * 15 / 300)
    # Δx: a_HA Δ = 15/1000 · 100 = 1.5; G 25/300 · 1.5; F 60/400 · G.
    assert got["H"]["delta_output"] == pytest.approx(1.5)
    assert got["F"]["delta_output"] == pytest.approx(60 / 400 * 25 / 300 * 1.5)
    for row in got.values():  # no path returns to A within 3 tiers: Δx_j = share_j · sales_j · Δ / sales_A
        assert row["delta_output"] == pytest.approx(row["share"] * row["sales"] * 100 / 1000)
        assert row["delta_share"] == pytest.approx(row["delta_output"] / row["sales"])
    assert {k: v["in_region"] for k, v in got.items()} == {
        "B": True,
        "C": True,
        "D": True,
        "H": False,
        "G": False,
        "F": False,
    }
    assert r.by_tier.select("tier", "n_firms", "n_in_region").rows() == [(1, 3, 2), (2, 2, 1), (3, 1, 0)]
    assert r.focus["delta_output"] == pytest.approx(100.0)


def test_dependence_share_stops_at_the_firm_but_delta_goes_round(toy):
    r = supplier_dependence(toy.companies, toy.transactions, year=2024, company_id="A", tiers=6, delta=100)
    got = _rows(r)
    # B also reaches A over B→E→F→G→H→A (5 links); A itself is no upstream firm of its own.
    loop = 50 / 500 * 40 / 2000 * 60 / 800 * 25 / 400 * 15 / 300
    assert got["B"]["share"] == pytest.approx(0.06 + loop)
    assert "A" not in got and got["E"]["tier"] == 4
    # Δ at A comes back to A over A→E→F→G→H→A: a_AE · x_E with x_E = 40/800 · 60/400 · 25/300 · 1.5.
    x_e = 40 / 800 * 60 / 400 * 25 / 300 * 1.5
    assert r.focus["delta_output"] == pytest.approx(100 + 100 / 2000 * x_e)


def test_dependence_in_region_equals_the_firm_ripple_when_tiers_suffice(toy):
    r = supplier_dependence(
        toy.companies, toy.transactions, year=2024, company_id="A", tiers=10, delta=100, in_region_only=True
    )
    ripple = firm_ripple(toy.companies, toy.transactions, year=2024, firms="A", delta=100)
    expected = {k: v for k, v in ripple.firms.select("company_id", "induced").iter_rows() if k != "A"}
    assert dict(r.firms.select("company_id", "delta_output").iter_rows()) == pytest.approx(expected)


def test_dependence_matches_dense_matrix_powers():
    rng = np.random.default_rng(11)
    n = 25
    ids = [f"f{i:02d}" for i in range(n)]
    sales = rng.integers(500, 5000, n)
    companies = make_companies([(ids[i], "07" if i < 15 else "13", int(sales[i])) for i in range(n)])
    pairs = sorted({(int(a), int(b)) for a, b in rng.integers(0, n, size=(90, 2)) if a != b})
    amounts = {p: int(rng.integers(1, 60)) for p in pairs}
    links = make_links([(ids[a], ids[b], amt) for (a, b), amt in amounts.items()])
    M = np.zeros((n, n))
    for (a, b), amt in amounts.items():
        M[a, b] = amt
    B = M / sales[:, None]  # b_jk = amount_jk / sales_j
    A = M / sales[None, :]  # a_jk = amount_jk / sales_k
    focus, tiers, delta = 3, 4, 1000.0
    # share: paths into the focus firm that do not pass it before the end
    B_open = B.copy()
    B_open[:, focus] = 0.0
    u = B[:, focus].copy()
    share = u.copy()
    for _ in range(tiers - 1):
        u = B_open @ u
        share += u
    f = np.zeros(n)
    f[focus] = delta
    dx, v = np.zeros(n), f.copy()
    for _ in range(tiers):
        v = A @ v
        dx += v
    r = supplier_dependence(companies, links, year=2024, company_id=ids[focus], tiers=tiers, delta=delta)
    got = _rows(r)
    reached = {ids[j] for j in range(n) if j != focus and (share[j] > 0 or dx[j] > 0)}
    assert set(got) == reached
    for j in range(n):
        if ids[j] in got:
            assert got[ids[j]]["share"] == pytest.approx(share[j], rel=1e-12)
            assert got[ids[j]]["delta_output"] == pytest.approx(dx[j], rel=1e-12)
    assert r.focus["delta_output"] == pytest.approx(delta + dx[focus])


def test_dependence_flags_shares_resting_on_estimates(toy):
    est = estimate_amounts(toy.companies, toy.transactions).transactions  # C→D is estimated
    r = supplier_dependence(toy.companies, est, year=2024, company_id="A", tiers=3)
    flags = dict(r.firms.select("company_id", "uses_estimated").iter_rows())
    # C reaches A directly and over C→D→B→A, which uses the estimate; D's path D→B→A does not.
    assert flags["C"] and not flags["D"] and not flags["B"] and r.uses_estimated
    assert r.firms.get_column("delta_output").is_null().all()  # no Δ given
    assert any("推計値" in n for n in r.notes)


def test_dependence_reuses_a_built_graph(toy):
    graph = supply_graph(build_network(toy.companies, toy.transactions, year=2024))
    a = supplier_dependence(toy.companies, toy.transactions, year=2024, company_id="A", tiers=3)
    b = supplier_dependence(pl.DataFrame(), pl.DataFrame(), year=2024, company_id="A", tiers=3, graph=graph)
    assert a.firms.equals(b.firms)


def test_dependence_bad_input_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="企業ID ZZ"):
        supplier_dependence(toy.companies, toy.transactions, year=2024, company_id="ZZ")
    with pytest.raises(FirmAnalysisError, match="階層数"):
        supplier_dependence(toy.companies, toy.transactions, year=2024, company_id="A", tiers=0)


def test_graph_helpers_match_numpy():
    rng = np.random.default_rng(3)
    nodes = rng.integers(0, 50, 400)
    assert distinct_nodes(nodes, 50).tolist() == np.unique(nodes).tolist()
    assert distinct_nodes(np.zeros(0, dtype=np.int64), 5).size == 0
    indptr = np.array([0, 2, 2, 5])
    pos, owner = gather_ranges(indptr, np.array([2, 0]))
    assert pos.tolist() == [2, 3, 4, 0, 1] and owner.tolist() == [2, 2, 2, 0, 0]
