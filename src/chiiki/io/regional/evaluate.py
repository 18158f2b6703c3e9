"""How close an estimated regional table is to a real one (SPEC §7.1; the evidence in docs/io.md).

Both tables are first aggregated to a common classification (``G``: sectors × groups, 0/1), then
compared on their regional (locally supplied) input coefficients r = (I − M̂)A, which in a
competitive-import table are the flows bought inside the region per unit of output:

- STPE = 100 · Σ_ij |r̂_ij − r_ij| / Σ_ij r_ij   (standardised total percentage error; Flegg & Tohmo
  2013, *Regional Studies* 47(5):703–721)
- MAD = mean_ij |r̂_ij − r_ij|
- output multipliers μ_j = column sums of (I − r)⁻¹: mean absolute percentage error and mean bias
- import ratios m: mean absolute difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chiiki.io.coefficients import closed_inverse, per_output
from chiiki.io.table import IOTable


def aggregation_matrix(codes: list[str], groups: dict[str, str]) -> tuple[np.ndarray, list[str]]:
    """G (len(codes) × groups) putting each code into ``groups[code]`` (itself when not listed);
    the group keys are returned sorted."""
    keys = sorted({groups.get(c, c) for c in codes})
    G = np.zeros((len(codes), len(keys)))
    G[np.arange(len(codes)), [keys.index(groups.get(c, c)) for c in codes]] = 1.0
    return G, keys


@dataclass(frozen=True)
class LocalStructure:
    """A table aggregated by G: regional coefficients r, import ratios m, output X."""

    r: np.ndarray
    m: np.ndarray
    X: np.ndarray


def local_structure(table: IOTable, G: np.ndarray) -> LocalStructure:
    """Locally supplied flows (1 − m_i)·Z_ij summed into groups, over the groups' output."""
    local = (1.0 - table.m)[:, np.newaxis] * table.Z
    X = G.T @ table.X
    demand = G.T @ (table.Z.sum(axis=1) + table.final_demand.sum(axis=1))
    imported = G.T @ (-table.imports.sum(axis=1))
    m = np.divide(imported, demand, out=np.zeros_like(demand), where=demand > 0)
    return LocalStructure(r=per_output(G.T @ local @ G, X), m=m, X=X)


def stpe(estimate: np.ndarray, actual: np.ndarray) -> float:
    """Standardised total percentage error 100 · Σ|est − act| / Σ act."""
    return float(100.0 * np.abs(estimate - actual).sum() / actual.sum())


@dataclass(frozen=True)
class TableErrors:
    """Errors of an estimated table against a real one (module docstring)."""

    stpe: float
    mad: float
    multiplier_mape: float
    multiplier_bias: float
    import_ratio_mad: float


def table_errors(estimate: LocalStructure, actual: LocalStructure) -> TableErrors:
    """Compare two tables aggregated alike (:func:`local_structure`)."""
    mu_est = closed_inverse(estimate.r).sum(axis=0)
    mu_act = closed_inverse(actual.r).sum(axis=0)
    return TableErrors(
        stpe=stpe(estimate.r, actual.r),
        mad=float(np.abs(estimate.r - actual.r).mean()),
        multiplier_mape=float(100.0 * np.mean(np.abs(mu_est - mu_act) / mu_act)),
        multiplier_bias=float(np.mean(mu_est - mu_act)),
        import_ratio_mad=float(np.abs(estimate.m - actual.m).mean()),
    )
