"""RCA, presence, proximity, relatedness density and ECI/PCI (SPEC §4; Hidalgo & Hausmann 2009,
Hidalgo et al. 2007).

The array functions are pure and named after their symbols; the frame functions pivot the long
frame (:mod:`chiiki.industry.frame`) to a regions × industries matrix X and back. Conventions follow
the PyPI package ``ecomplexity`` so results agree with it (see docs/industry.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.industry.frame import from_matrix, to_matrix


def rca_matrix(X: np.ndarray) -> np.ndarray:
    """Balassa RCA_ri = (x_ri / x_r) / (x_i / x), totals over the regions of X (not the nation).

    NaN where a region or an industry total is 0.
    """
    X = np.asarray(X, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = X / X.sum(axis=1, keepdims=True)
        base = X.sum(axis=0, keepdims=True) / X.sum()
        return share / base


def presence_matrix(R: np.ndarray, *, threshold: float = 1.0) -> np.ndarray:
    """M_ri = 1 where RCA_ri ≥ threshold, else 0 (NaN counts as absent)."""
    return (np.nan_to_num(R) >= threshold).astype(float)


def proximity_matrix(M: np.ndarray) -> np.ndarray:
    """φ_ij = Σ_r M_ri M_rj / max(k_i, k_j), k_i = Σ_r M_ri (ubiquity). φ_ii = 1 where k_i > 0;
    rows and columns of industries present nowhere are 0."""
    M = np.asarray(M, dtype=float)
    co = M.T @ M
    k = np.diag(co)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = co / np.maximum.outer(k, k)
    return np.nan_to_num(phi)


def density_matrix(M: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Relatedness density ω_ri = Σ_j M_rj φ_ij / Σ_j φ_ij (in [0, 1]; the sums include j = i).

    NaN for industries with no neighbours (Σ_j φ_ij = 0, i.e. present nowhere)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(M, dtype=float) @ phi.T) / phi.sum(axis=1)[np.newaxis, :]


def eci_pci(M: np.ndarray, *, pci_scale: str = "eci") -> tuple[np.ndarray, np.ndarray]:
    """ECI of regions and PCI of industries by the eigenvector method (Hidalgo & Hausmann 2009).

    K_r is the eigenvector of M̃ = D⁻¹ M U⁻¹ Mᵀ (D = diag(diversity k_r), U = diag(ubiquity k_i))
    for the second-largest eigenvalue λ, signed so that it correlates positively with diversity;
    Q_i = U⁻¹ Mᵀ K / λ (the product-side eigenvector scaled so that K = D⁻¹ M Q).
    ECI = (K − mean K) / sd K. With ``pci_scale="eci"`` (ecomplexity / Stata convention) PCI =
    (Q − mean K) / sd K, so that ECI_r equals the mean PCI of the industries present in r; with
    ``"own"`` (Atlas convention) PCI = (Q − mean Q) / sd Q. sd is the population sd (ddof 0).
    Regions with diversity 0 and industries with ubiquity 0 get NaN.

    M̃ is similar to the symmetric S = D^{-1/2} M U⁻¹ Mᵀ D^{-1/2}, so a symmetric eigensolver is used.
    """
    if pci_scale not in ("eci", "own"):
        raise ValueError(f"pci_scale は 'eci' か 'own' です: {pci_scale}")
    M = np.asarray(M, dtype=float)
    kr, ki = M.sum(axis=1), M.sum(axis=0)
    rows, cols = kr > 0, ki > 0
    eci = np.full(M.shape[0], np.nan)
    pci = np.full(M.shape[1], np.nan)
    Mv = M[rows][:, cols]
    if Mv.shape[0] < 2 or Mv.shape[1] < 1:
        return eci, pci
    d, u = kr[rows], ki[cols]
    dh = 1.0 / np.sqrt(d)
    S = (dh[:, None] * Mv / u[None, :]) @ (Mv.T * dh[None, :])
    vals, vecs = np.linalg.eigh(S)
    lam = vals[-2]
    K = dh * vecs[:, -2]
    if np.corrcoef(d, K)[0, 1] < 0:
        K = -K
    Q = (Mv.T @ K) / u / lam
    mu, sd = K.mean(), K.std()
    eci[rows] = (K - mu) / sd
    pci[cols] = (Q - mu) / sd if pci_scale == "eci" else (Q - Q.mean()) / Q.std()
    return eci, pci


def rca(
    frame: pl.DataFrame, *, measure: str = "employees", fiscal_year: int | None = None, threshold: float = 1.0
) -> pl.DataFrame:
    """RCA and presence for every region × industry (SPEC §4): ``region_code, industry_code, value,
    rca, presence``. National rows are left out; RCA is relative to the regions in the frame."""
    X, regions, industries = to_matrix(frame, measure=measure, fiscal_year=fiscal_year)
    R = rca_matrix(X)
    return from_matrix(
        X, regions, industries, value=X, rca=R, presence=presence_matrix(R, threshold=threshold)
    ).with_columns(pl.col("rca").fill_nan(None), pl.col("presence").cast(pl.Int8))


def proximity(
    frame: pl.DataFrame, *, measure: str = "employees", fiscal_year: int | None = None, threshold: float = 1.0
) -> pl.DataFrame:
    """Proximity φ between industries (SPEC §4), long form ``industry_a, industry_b, proximity``
    over all ordered pairs (a ≠ b) with φ > 0."""
    X, _, industries = to_matrix(frame, measure=measure, fiscal_year=fiscal_year)
    phi = proximity_matrix(presence_matrix(rca_matrix(X), threshold=threshold))
    a, b = np.nonzero(phi * (1 - np.eye(len(industries))))
    codes = np.asarray(industries, dtype=object)
    return pl.DataFrame(
        {"industry_a": codes[a], "industry_b": codes[b], "proximity": phi[a, b]},
        schema={"industry_a": pl.Utf8, "industry_b": pl.Utf8, "proximity": pl.Float64},
    )


def relatedness_density(
    frame: pl.DataFrame, *, measure: str = "employees", fiscal_year: int | None = None, threshold: float = 1.0
) -> pl.DataFrame:
    """Relatedness density of each region in each industry (SPEC §4): ``region_code, industry_code,
    rca, presence, density``."""
    return complexity(frame, measure=measure, fiscal_year=fiscal_year, threshold=threshold).cells.select(
        "region_code", "industry_code", "rca", "presence", "density"
    )


@dataclass(frozen=True)
class Complexity:
    """Results of :func:`complexity`: ``regions`` (region_code, diversity, eci), ``industries``
    (industry_code, ubiquity, pci), ``cells`` (region_code, industry_code, value, rca, presence,
    density) and the proximity matrix ``phi`` ordered as ``industries``."""

    regions: pl.DataFrame
    industries: pl.DataFrame
    cells: pl.DataFrame
    phi: np.ndarray


def complexity(
    frame: pl.DataFrame,
    *,
    measure: str = "employees",
    fiscal_year: int | None = None,
    threshold: float = 1.0,
    pci_scale: str = "eci",
) -> Complexity:
    """All complexity indicators of one measure and year in one pass (SPEC §4): RCA, presence
    (RCA ≥ threshold), proximity, relatedness density, ECI of regions and PCI of industries."""
    X, regions, industries = to_matrix(frame, measure=measure, fiscal_year=fiscal_year)
    R = rca_matrix(X)
    M = presence_matrix(R, threshold=threshold)
    phi = proximity_matrix(M)
    eci, pci = eci_pci(M, pci_scale=pci_scale)
    cells = from_matrix(X, regions, industries, value=X, rca=R, presence=M, density=density_matrix(M, phi))
    return Complexity(
        regions=pl.DataFrame(
            {"region_code": regions, "diversity": M.sum(axis=1).astype(np.int64), "eci": eci}
        )
        .with_columns(pl.col("eci").fill_nan(None))
        .cast({"region_code": pl.Utf8}),
        industries=pl.DataFrame(
            {"industry_code": industries, "ubiquity": M.sum(axis=0).astype(np.int64), "pci": pci}
        )
        .with_columns(pl.col("pci").fill_nan(None))
        .cast({"industry_code": pl.Utf8}),
        cells=cells.with_columns(pl.col("rca", "density").fill_nan(None), pl.col("presence").cast(pl.Int8)),
        phi=phi,
    )
