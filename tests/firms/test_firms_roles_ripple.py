"""SPEC §3.4 network roles and §3.5 域内取引額 and firm-level ripple, hand-worked."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.firms import FirmAnalysisError, firm_ripple, in_region_transaction_value, network_roles
from chiiki.firms.roles import participation_and_z


def test_roles_hand_worked_toy(toy):
    r = network_roles(toy.companies, toy.transactions, year=2024)
    row = dict(zip(r["company_id"], r.select("participation", "within_z").rows(), strict=True))
    # A: links to E (13), B, C (07), H (15): P = 1 − (2² + 1 + 1)/4² = 0.625.
    # Within-07 link counts A 2, B 2, C 1, D 1: mean 1.5, sd 0.5, z_A = 1.
    assert row["A"] == pytest.approx((0.625, 1.0))
    assert row["C"] == pytest.approx((0.0, -1.0))
    wa = r.filter(pl.col("company_id") == "A").get_column("participation_weighted").item()
    assert wa == pytest.approx(1 - (50**2 + 100**2 + 15**2) / 165**2)


def test_participation_isolated_node_is_zero_not_nan():
    p, z = participation_and_z(np.array([0, 0, 1]), np.array([0]), np.array([1]), np.array([1.0]), n=3)
    assert p.tolist() == [0.0, 0.0, 0.0] and np.isfinite(z).all()


def test_roles_communities_module(toy):
    r = network_roles(toy.companies, toy.transactions, year=2024, modules="communities")
    assert r.get_column("participation").is_between(0, 1).all()


def test_in_region_value_counts_shared_link_once(toy):
    v = in_region_transaction_value(toy.companies, toy.transactions, year=2024, firms=["A", "B"])
    assert dict(v.firms.select("company_id", "in_region_value").iter_rows()) == {"A": 50, "B": 40}
    assert v.total == 60  # B→A 30 is counted once: 30 + 20 + 10


def test_ripple_hand_worked_toy(toy):
    r = firm_ripple(toy.companies, toy.transactions, year=2024, firms="A", delta=100)
    got = dict(r.firms.select("company_id", "total").iter_rows())
    # a_BA = 30/1000, a_CA = 20/1000, a_DB = 10/500: x_B = 3, x_C = 2, x_D = 0.06.
    assert got == pytest.approx({"A": 100.0, "B": 3.0, "C": 2.0, "D": 0.06})
    assert r.induced == pytest.approx(5.06) and r.total == pytest.approx(105.06)


def test_ripple_identity_matches_dense_inverse():
    rng = np.random.default_rng(3)
    ids = [f"f{i}" for i in range(30)]
    companies = make_companies([(i, "07", 1000) for i in ids])
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, 30, size=(120, 2)) if a != b}
    links = make_links([(ids[a], ids[b], int(rng.integers(1, 30))) for a, b in sorted(pairs)])
    r = firm_ripple(companies, links, year=2024, firms=["f0", "f1"], delta=[50, 20])
    A = np.zeros((30, 30))
    for s, c, amt in links.select("supplier_id", "customer_id", "amount").iter_rows():
        A[int(s[1:]), int(c[1:])] += amt / 1000
    f = np.zeros(30)
    f[0], f[1] = 50, 20
    x = np.linalg.solve(np.eye(30) - A, f)
    assert r.total == pytest.approx(x.sum())
    got = dict(r.firms.select("company_id", "total").iter_rows())
    assert got["f0"] == pytest.approx(x[0])
    # identity x − A x = f holds for the returned outputs
    full = np.zeros(30)
    for cid, tot in got.items():
        full[int(cid[1:])] = tot
    assert np.allclose(full - A @ full, f)


def test_ripple_purchases_above_sales_not_propagated_and_said():
    companies = make_companies([("a", "07", 10), ("b", "07", 100), ("c", "07", 100)])
    links = make_links([("b", "a", 20), ("c", "b", 10)])
    r = firm_ripple(companies, links, year=2024, firms="a", delta=1)
    assert r.total == pytest.approx(1.0)  # a's column (20/10 ≥ 1) is dropped, so nothing propagates
    assert any("発散" in n and "a" in n for n in r.notes)
    r_b = firm_ripple(companies, links, year=2024, firms="b", delta=100)
    assert r_b.total == pytest.approx(110.0)


def test_ripple_unknown_firm_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="企業ID ZZ"):
        firm_ripple(toy.companies, toy.transactions, year=2024, firms="ZZ", delta=1)
