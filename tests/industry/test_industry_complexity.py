"""RCA, proximity, relatedness density, ECI/PCI (SPEC §4): hand-worked 3 × 4, identities and the
PyPI ``ecomplexity`` package on the same matrix."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from industry_helpers import X34, long_frame

from chiiki.industry import (
    complexity,
    density_matrix,
    eci_pci,
    presence_matrix,
    proximity,
    proximity_matrix,
    rca,
    rca_matrix,
    relatedness_density,
)

M34 = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 1]], dtype=float)
PHI34 = np.array([[1, 0, 0.5, 0.5], [0, 1, 0, 0], [0.5, 0, 1, 0], [0.5, 0, 0, 1]])
DENSITY34 = np.array([[0.75, 0, 1, 1 / 3], [0, 1, 0, 0], [0.75, 0, 1 / 3, 1]])


def test_rca_presence_proximity_density_hand_worked_3x4():
    M = presence_matrix(rca_matrix(X34))
    np.testing.assert_array_equal(M, M34)
    np.testing.assert_allclose(proximity_matrix(M), PHI34)
    np.testing.assert_allclose(density_matrix(M, PHI34), DENSITY34)


def test_frame_functions_hand_worked_3x4(frame34):
    cells = relatedness_density(frame34)
    np.testing.assert_allclose(cells["density"].to_numpy().reshape(3, 4), DENSITY34)
    assert cells["presence"].to_list() == M34.astype(int).ravel().tolist()
    r = rca(frame34)
    assert r.columns == ["region_code", "industry_code", "value", "rca", "presence"]
    prox = proximity(frame34)
    assert prox.filter(pl.col("industry_a") == "09", pl.col("industry_b") == "28")["proximity"].item() == 0.5
    assert prox.height == 4  # (09,28), (09,29) both ways


def test_rca_is_null_for_an_industry_absent_everywhere():
    X = np.array([[1.0, 0.0], [2.0, 0.0]])
    assert np.isnan(rca_matrix(X)[:, 1]).all()
    assert (presence_matrix(rca_matrix(X))[:, 1] == 0).all()


def _random_matrix(seed: int, n: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.lognormal(3, 2, (n, k)) * (rng.random((n, k)) < 0.7)


@pytest.mark.parametrize("seed,n,k", [(0, 20, 40), (1, 47, 99)])
def test_complexity_agrees_with_ecomplexity(seed, n, k):
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    X = _random_matrix(seed, n, k)
    regions = [f"{i + 1:02d}" for i in range(n)]
    industries = [f"{j + 100}" for j in range(k)]
    f = long_frame(X, regions, industries)
    ours = complexity(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ecomplexity(
            f.to_pandas().assign(year=2020),
            {"time": "year", "loc": "region_code", "prod": "industry_code", "val": "value"},
            verbose=False,
            check_logsupermodularity=False,
        )
    eci = theirs.groupby("region_code").eci.first().reindex(regions).to_numpy()
    pci = theirs.groupby("industry_code").pci.first().reindex(industries).to_numpy()
    np.testing.assert_allclose(ours.regions["eci"].to_numpy(), eci, atol=1e-9)
    np.testing.assert_allclose(ours.industries["pci"].to_numpy(), pci, atol=1e-9)
    t = theirs.set_index(["region_code", "industry_code"])
    c = ours.cells.to_pandas().set_index(["region_code", "industry_code"])
    np.testing.assert_allclose(c["density"].to_numpy(), t["density"].reindex(c.index).to_numpy(), atol=1e-12)
    np.testing.assert_allclose(c["rca"].to_numpy(), t["rca"].reindex(c.index).to_numpy(), rtol=1e-12)
    assert (c["presence"].to_numpy() == t["mcp"].reindex(c.index).to_numpy()).all()


def test_eci_is_mean_pci_of_present_industries_and_standardised():
    M = presence_matrix(rca_matrix(_random_matrix(3, 30, 60)))
    eci, pci = eci_pci(M)
    ok = ~np.isnan(pci)
    np.testing.assert_allclose(eci, (M[:, ok] @ pci[ok]) / M[:, ok].sum(axis=1), atol=1e-10)
    assert abs(eci.mean()) < 1e-12 and abs(eci.std() - 1) < 1e-12
    assert np.corrcoef(M.sum(axis=1), eci)[0, 1] > 0  # sign: more diverse regions score higher
    _, pci_own = eci_pci(M, pci_scale="own")
    assert abs(np.nanmean(pci_own)) < 1e-12 and abs(np.nanstd(pci_own) - 1) < 1e-12


def test_eci_is_an_eigenvector_of_the_region_matrix():
    M = presence_matrix(rca_matrix(_random_matrix(4, 25, 50)))
    M = M[:, M.sum(axis=0) > 0]
    eci, _ = eci_pci(M)
    Mcc = (M / M.sum(axis=1, keepdims=True)) @ (M / M.sum(axis=0, keepdims=True)).T
    # Mcc is row-stochastic (Mcc·1 = 1), so for the standardised eigenvector Mcc·ECI = λ·ECI + c·1
    A = np.column_stack([eci, np.ones_like(eci)])
    coef, *_ = np.linalg.lstsq(A, Mcc @ eci, rcond=None)
    np.testing.assert_allclose(A @ coef, Mcc @ eci, atol=1e-10)
    lam = coef[0]
    eig = np.sort(np.linalg.eigvals(Mcc).real)
    assert abs(lam - eig[-2]) < 1e-9


def test_complexity_marks_absent_industry_pci_null():
    X = _random_matrix(5, 10, 8)
    X[:, 3] = 0
    f = long_frame(X, [f"{i:02d}" for i in range(1, 11)], [f"{j}" for j in range(100, 108)])
    ind = complexity(f).industries
    assert ind.filter(pl.col("industry_code") == "103")["pci"].item() is None
    assert ind["pci"].null_count() == 1
