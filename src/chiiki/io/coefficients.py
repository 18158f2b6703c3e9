"""Input–output coefficients and inverses as pure functions named after their symbols (SPEC §5).

Every function takes NumPy arrays and returns a new array; nothing is mutated. Shapes: ``n`` industries
(for an interregional table, region × sector pairs), ``Z`` is ``n × n`` (row = selling industry),
final-demand, export and import blocks are ``n × k`` (imports negative, 控除), value-added rows are
``r × n``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

from chiiki.io.errors import IOTableError


def output_x(Z: np.ndarray, final_demand: np.ndarray, exports: np.ndarray, imports: np.ndarray) -> np.ndarray:
    """Output X_i = row total of industry i over all columns, imports negative (SPEC §5).

    X = Z·1 + F·1 + E·1 + M·1 (M ≤ 0).
    """
    return Z.sum(axis=1) + final_demand.sum(axis=1) + exports.sum(axis=1) + imports.sum(axis=1)


def per_output(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``values / X`` over the last axis, 0 where X_j = 0 (a sector without output in a regional
    table, SPEC §7.1: its column is empty, so all of its coefficients are 0)."""
    values = np.asarray(values, dtype=float)
    divisor = np.broadcast_to(x, values.shape)
    return np.divide(values, divisor, out=np.zeros_like(values), where=divisor != 0)


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Input coefficients A = Z·diag(X)⁻¹ (投入係数, SPEC §5): a_ij = z_ij / X_j (0 where X_j = 0)."""
    return per_output(Z, x)


def domestic_demand(Z: np.ndarray, final_demand: np.ndarray) -> np.ndarray:
    """Domestic demand d_i = Σ_j Z_ij + Σ finaldemand_i, exports excluded (域内需要, SPEC §5)."""
    return Z.sum(axis=1) + final_demand.sum(axis=1)


def import_ratios(Z: np.ndarray, final_demand: np.ndarray, imports: np.ndarray) -> np.ndarray:
    """Import ratios m_i = (−Σ import_i) / d_i (輸入係数, SPEC §5).

    A sector with no (or, through negative entries such as scrap or 在庫純増, negative) domestic
    demand and no imports has m_i = 0; one with imports but no positive domestic demand has no ratio
    (NaN), which :func:`chiiki.io.checks.check_table` reports.
    """
    d = domestic_demand(Z, final_demand)
    imported = 0.0 - imports.sum(axis=1)  # 0.0 − keeps +0.0 where there are no imports
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(d > 0, imported / np.where(d > 0, d, 1.0), np.nan)
    return np.where((d <= 0) & (imported == 0), 0.0, m)


def _inverse(matrix: np.ndarray, *, what: str, labels: list[str] | None) -> np.ndarray:
    """(matrix)⁻¹ by LU factorisation and solve against I, with a Japanese error when singular."""
    n = matrix.shape[0]
    with warnings.catch_warnings():  # singularity is reported below, in Japanese
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        lu, piv = scipy.linalg.lu_factor(matrix, check_finite=True)
    diag = np.abs(np.diag(lu))
    scale = max(float(np.abs(matrix).max()), 1.0)
    tiny = diag <= n * np.finfo(float).eps * scale
    if tiny.any():
        where = [labels[i] for i in np.flatnonzero(tiny)] if labels else []
        raise IOTableError(
            f"{what} が特異（逆行列がない）ため、レオンチェフ逆行列を計算できません。"
            "投入係数の列和が1以上の部門や、全て0の行・列がないか確認してください。",
            [f"問題の部門の候補: {name}" for name in where],
        )
    inverse = scipy.linalg.lu_solve((lu, piv), np.eye(n), check_finite=False)
    if not np.isfinite(inverse).all():
        raise IOTableError(f"{what} の逆行列に無限大・非数が現れました。表の値を確認してください。")
    return inverse


def open_inverse(A: np.ndarray, m: np.ndarray, *, labels: list[str] | None = None) -> np.ndarray:
    """Open-model Leontief inverse B = [I − (I − M̂)A]⁻¹ (競争輸入型の逆行列係数, SPEC §5).

    Computed with an LU factorisation and a solve, not an explicit inverse. ``labels`` only improve
    the error message when the matrix is singular.
    """
    n = A.shape[0]
    return _inverse(np.eye(n) - (1.0 - m)[:, np.newaxis] * A, what="(I − (I − M̂)A)", labels=labels)


def closed_inverse(A: np.ndarray, *, labels: list[str] | None = None) -> np.ndarray:
    """Leontief inverse L = (I − A)⁻¹ (the model without imports, SPEC §5), by LU solve."""
    return _inverse(np.eye(A.shape[0]) - A, what="(I − A)", labels=labels)


def income_coefficients(income: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Employee-income coefficients w_j = 雇用者所得_j / X_j (雇用者所得率, SPEC §5)."""
    return per_output(income, x)


def value_added_coefficients(value_added: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gross value-added coefficients v_j = Σ valueadded_j / X_j (粗付加価値率, SPEC §5)."""
    return per_output(value_added.sum(axis=0), x)


def employment_coefficients(employment: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Employment coefficients e_j = jobs_j / X_j (就業係数: persons per table unit, SPEC §5 step 5)."""
    return per_output(employment, x)


def consumption_pattern(consumption: np.ndarray) -> np.ndarray:
    """Consumption pattern h = 民間消費支出 column / its sum (民間消費支出構成比, SPEC §5).

    ``consumption`` is ``n`` (one region) or ``n × R`` (one column per region of an interregional
    table); each column is normalised on its own.
    """
    total = consumption.sum(axis=0)
    if np.any(total == 0):
        raise IOTableError(
            "民間消費支出の列の合計が0のため、消費構成比 h を計算できません。列の指定を確認してください。"
        )
    return consumption / total


def linkages(inverse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Backward and forward linkages (影響力係数・感応度係数) of a Leontief inverse (SPEC §5).

    backward_j = (Σ_i b_ij) / mean_j(Σ_i b_ij) — column sums over their mean;
    forward_i = (Σ_j b_ij) / mean_i(Σ_j b_ij) — row sums over their mean. Both average 1.
    """
    column_sums = inverse.sum(axis=0)
    row_sums = inverse.sum(axis=1)
    return column_sums / column_sums.mean(), row_sums / row_sums.mean()
