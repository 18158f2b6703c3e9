"""SPEC §3.4 network roles and §3.5 域内取引額 and firm-level ripple, hand-worked."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links

from chiiki.firms import (
    FirmAnalysisError,
    estimate_amounts,
    firm_ripple,
    in_region_transaction_value,
    network_roles,
)
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


def test_roles_carry_uses_estimated_per_firm(toy):
    est = estimate_amounts(toy.companies, toy.transactions).transactions  # C→D 2024 is estimated
    r = network_roles(toy.companies, est, year=2024)
    flags = dict(r.select("company_id", "uses_estimated").iter_rows())
    assert {k for k, v in flags.items() if v} == {"C", "D"}
    plain = network_roles(toy.companies, toy.transactions, year=2024)
    assert not plain.get_column("uses_estimated").any()


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


def _dense_ripple(companies: pl.DataFrame, links: pl.DataFrame, shock: dict[str, float]) -> dict[str, float]:
    """x = (I − A)⁻¹ f by a dense solve, all firms in one region (the reference formulation)."""
    ids = companies.get_column("company_id").to_list()
    sales = dict(companies.select("company_id", "sales").iter_rows())
    A = np.zeros((len(ids), len(ids)))
    for s, c, amt in links.select("supplier_id", "customer_id", "amount").iter_rows():
        A[ids.index(s), ids.index(c)] += amt / sales[c]
    f = np.array([shock.get(i, 0.0) for i in ids])
    return dict(zip(ids, np.linalg.solve(np.eye(len(ids)) - A, f), strict=True))


def test_ripple_propagates_purchases_above_sales_when_there_is_no_cycle():
    """A firm buying in-region more than it sells (column sum 2) on no supply cycle: ρ(A) = 0, so
    (I − A)⁻¹ f exists and its purchases propagate (issue 13 item 7: they used to be set to zero)."""
    companies = make_companies([("a", "07", 10), ("b", "07", 100), ("c", "07", 100)])
    links = make_links([("b", "a", 20), ("c", "b", 10)])
    r = firm_ripple(companies, links, year=2024, firms="a", delta=1)
    got = dict(r.firms.select("company_id", "total").iter_rows())
    assert got == pytest.approx({"a": 1.0, "b": 2.0, "c": 0.2})  # x_b = 20/10, x_c = 10/100 · 2
    assert got == pytest.approx(_dense_ripple(companies, links, {"a": 1}))
    assert r.spectral.below_one and r.spectral.method == "no cycles"
    assert not any("発散" in n for n in r.notes)


def test_ripple_on_a_cycle_with_a_large_column_uses_the_inverse_when_radius_is_below_one():
    # a buys 15 from b with sales 10 (a_ba = 1.5), b buys 1 from a with sales 10 (a_ab = 0.1):
    # ρ = √(1.5 · 0.1) ≈ 0.387 < 1 although a's column sum is 1.5.
    companies = make_companies([("a", "07", 10), ("b", "07", 10), ("c", "07", 50)])
    links = make_links([("b", "a", 15), ("a", "b", 1), ("c", "b", 4)])
    r = firm_ripple(companies, links, year=2024, firms="a", delta=10)
    got = dict(r.firms.select("company_id", "total").iter_rows())
    assert got == pytest.approx(_dense_ripple(companies, links, {"a": 10}))
    assert r.spectral.below_one and r.spectral.radius < 1.0
    assert r.spectral.method == "Collatz–Wielandt"


def test_ripple_with_spectral_radius_not_below_one_is_a_japanese_error():
    # a_ba = 2, a_ab = 0.6: ρ = √1.2 > 1, the series diverges; the error names the firm to check.
    companies = make_companies([("a", "07", 10), ("b", "07", 10)])
    links = make_links([("b", "a", 20), ("a", "b", 6)])
    with pytest.raises(FirmAnalysisError, match=r"収束しません.*ρ.*（a）"):
        firm_ripple(companies, links, year=2024, firms="a", delta=1)


def test_ripple_checks_only_the_part_the_shock_reaches():
    # d and e form a diverging cycle, but nothing links them to a's suppliers: a's ripple is defined.
    companies = make_companies([("a", "07", 100), ("b", "07", 100), ("d", "07", 10), ("e", "07", 10)])
    links = make_links([("b", "a", 10), ("e", "d", 20), ("d", "e", 6)])
    r = firm_ripple(companies, links, year=2024, firms="a", delta=100)
    assert dict(r.firms.select("company_id", "total").iter_rows()) == pytest.approx({"a": 100.0, "b": 10.0})
    with pytest.raises(FirmAnalysisError, match="収束しません"):
        firm_ripple(companies, links, year=2024, firms="d", delta=1)


def test_ripple_flags_the_firms_whose_figure_rests_on_an_estimate(toy):
    est = estimate_amounts(toy.companies, toy.transactions).transactions  # C→D is estimated
    r = firm_ripple(toy.companies, est, year=2024, firms="A", delta=100)
    flags = dict(r.firms.select("company_id", "uses_estimated").iter_rows())
    # x_C = a_CA·100 + a_CD·x_D uses the estimated C→D; A, B and D do not depend on it.
    assert flags == {"A": False, "B": False, "C": True, "D": False}
    assert r.uses_estimated
    plain = firm_ripple(toy.companies, toy.transactions, year=2024, firms="A", delta=100)
    assert not plain.firms.get_column("uses_estimated").any() and not plain.uses_estimated


def test_ripple_of_a_fall_in_demand_lists_the_suppliers_that_lose(toy):
    r = firm_ripple(toy.companies, toy.transactions, year=2024, firms="A", delta=-100)
    got = dict(r.firms.select("company_id", "total").iter_rows())
    assert got == pytest.approx({"A": -100.0, "B": -3.0, "C": -2.0, "D": -0.06})


def test_ripple_unknown_firm_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="企業ID ZZ"):
        firm_ripple(toy.companies, toy.transactions, year=2024, firms="ZZ", delta=1)
