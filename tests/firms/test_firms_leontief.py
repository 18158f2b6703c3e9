"""SPEC §3.5: the spectral-radius check of the firm ripple against dense eigenvalues, and the walks
over tiers of the supply graph."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.firms import leontief
from chiiki.firms.graph import gather_ranges, reach_upstream
from chiiki.firms.leontief import solve_leontief, spectral_check


def _radius(A: sp.spmatrix) -> float:
    return float(np.abs(np.linalg.eigvals(A.toarray())).max()) if A.shape[0] else 0.0


@st.composite
def coefficient_matrices(draw) -> sp.csc_matrix:
    """Sparse non-negative matrices without a diagonal, scaled so that ρ lands on either side of 1."""
    n = draw(st.integers(1, 9))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.01, 3.0)),
            max_size=3 * n,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    cells = [c for c in cells if c[0] != c[1]]
    rows = np.array([c[0] for c in cells], dtype=np.int64)
    cols = np.array([c[1] for c in cells], dtype=np.int64)
    vals = np.array([c[2] for c in cells]) * draw(st.sampled_from([0.1, 0.5, 1.0, 2.0]))
    return sp.csc_matrix((vals, (rows, cols)), shape=(n, n))


@settings(max_examples=300, deadline=None)
@given(coefficient_matrices())
def test_spectral_check_agrees_with_dense_eigenvalues(A):
    rho = _radius(A)
    if abs(rho - 1.0) < 1e-6:
        return  # on the boundary either answer is a rounding matter
    check = spectral_check(A)
    assert check.below_one == (rho < 1.0)
    if check.below_one:
        assert check.radius >= rho - 1e-9  # an upper bound
        assert check.offenders.size == 0
    else:
        assert check.radius >= 1.0 - 1e-9 and check.offenders.size > 0
        colsum = np.asarray(A.sum(axis=0)).ravel()
        assert (colsum[check.offenders] >= 1.0).all()


def test_spectral_check_methods_from_cheapest_up():
    col = sp.csc_matrix(np.array([[0, 0.5], [0.4, 0]]))
    assert spectral_check(col).method == "column sums"
    row = sp.csc_matrix(np.array([[0, 0, 0], [0.9, 0, 0], [0.9, 0, 0]]))  # column sum 1.8, rows 0.9
    assert spectral_check(row).method == "row sums"
    chain = sp.csc_matrix(np.array([[0, 2.0, 0], [0, 0, 3.0], [0, 0, 0]]))
    c = spectral_check(chain)
    assert (c.below_one, c.radius, c.method) == (True, 0.0, "no cycles")
    cycle = sp.csc_matrix(np.array([[0, 1.5], [0.1, 0]]))
    c = spectral_check(cycle)
    assert c.below_one and c.method == "Collatz–Wielandt" and np.sqrt(0.15) <= c.radius < 1.0


def test_spectral_check_asks_arpack_when_the_bounds_stay_on_both_sides(monkeypatch):
    monkeypatch.setattr(leontief, "POWER_STEPS", 1)
    n = 12
    weights = np.full(n, 1.0)
    weights[:2] = 10.0  # two firms on the cycle buy ten times their sales: row and column sums ≥ 1
    weights[2:] = (1.0 / 100.0) ** (1 / (n - 2))  # the product of the cycle's weights is 1
    rows, cols = np.arange(n), (np.arange(n) + 1) % n
    extra = (np.array([0, 3, 5]), np.array([4, 7, 9]))  # a few chords, so the cycle is not alone
    for scale in (0.3, 0.9, 1.1):
        vals = np.concatenate([weights * scale, np.full(3, 1e-3)])
        A = sp.csc_matrix(
            (vals, (np.concatenate([rows, extra[0]]), np.concatenate([cols, extra[1]]))), shape=(n, n)
        )
        c = spectral_check(A)
        assert c.method == "ARPACK" and c.below_one == (scale < 1)
        assert c.radius == pytest.approx(_radius(A), rel=1e-6)


def test_solve_leontief_matches_the_dense_inverse():
    A = sp.csc_matrix(np.array([[0, 1.5, 0], [0.1, 0, 0.2], [0, 0.3, 0]]))
    f = np.array([10.0, 0.0, 1.0])
    assert solve_leontief(A, f) == pytest.approx(np.linalg.solve(np.eye(3) - A.toarray(), f))


def test_gather_ranges_and_reach_upstream():
    indptr = np.array([0, 2, 2, 3, 4])  # node 0 → 1, 2; node 1 → none; node 2 → 3; node 3 → 0
    indices = np.array([1, 2, 3, 0])
    pos, owner = gather_ranges(indptr, np.array([0, 2]))
    assert pos.tolist() == [0, 1, 2] and owner.tolist() == [0, 0, 2]
    assert gather_ranges(indptr, np.array([1]))[0].size == 0
    start = np.array([False, False, True, False])
    assert reach_upstream(indptr, indices, start).tolist() == [True, True, True, True]
    assert reach_upstream(indptr, indices, np.array([False, True, False, False])).tolist() == [
        False,
        True,
        False,
        False,
    ]
