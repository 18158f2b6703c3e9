"""Checks that an input–output table can be used (SPEC §5; issue #4 item 2).

Each check returns Japanese problem lines (every offending sector, not only the first);
:func:`check_table` runs them all and raises one :class:`IOTableError` listing everything.
A singular (I − (I − M̂)A) is reported by :func:`check_table` too, which computes the open inverse B
once (it is cached on the table); the closed model's (I − A) is checked when L is first used
(:func:`chiiki.io.coefficients.closed_inverse`).
"""

from __future__ import annotations

import numpy as np

from chiiki.io.errors import IOTableError
from chiiki.io.table import IOTable


def _fmt(x: float) -> str:
    return f"{x:,.6g}"


def balance_problems(table: IOTable, *, tolerance: float | None = None) -> list[str]:
    """Industries whose row total X_i and column total (Σ_k Z_ki + Σ valueadded_i) differ by more than
    ``tolerance`` × max(|X_i|, |column total|, 1) (relative; default the table's setting)."""
    tol = table.settings.balance_tolerance if tolerance is None else tolerance
    rows, cols = table.X, table.column_totals
    gap = rows - cols
    scale = np.maximum(np.maximum(np.abs(rows), np.abs(cols)), 1.0)
    bad = np.flatnonzero(np.abs(gap) > tol * scale)
    labels = table.labels
    return [
        f"{labels[i]}: 行計 {_fmt(rows[i])} と列計 {_fmt(cols[i])} が一致しません（差 {_fmt(gap[i])} {table.unit}）"
        for i in bad
    ]


def output_problems(table: IOTable) -> list[str]:
    """Industries with negative output X_i, or zero output where the sector still has inputs or no
    demand at all (the coefficients divide by X).

    A sector with X_i = 0 (up to rounding), an empty column (no inputs, no value added) and some demand,
    all of it imported, is allowed: a regional table has such sectors (SPEC §7.1), and their coefficients are 0.
    """
    labels = table.labels
    empty_column = ~(table.Z != 0).any(axis=0) & ~(table.value_added != 0).any(axis=0)
    has_demand = (table.Z != 0).any(axis=1) | (table.final_demand != 0).any(axis=1)
    row_size = (
        np.abs(table.Z).sum(axis=1)
        + np.abs(table.final_demand).sum(axis=1)
        + np.abs(table.exports).sum(axis=1)
    )
    zero = np.abs(table.X) <= 1e-9 * np.maximum(row_size, 1.0)  # 0 up to the rounding of the row sum
    imported_only = zero & empty_column & has_demand
    return [
        f"{labels[i]}: 生産額（行計）が {_fmt(table.X[i])} です。0以下の部門は除くか、値を確認してください。"
        for i in np.flatnonzero(~(table.X > 0) & ~imported_only)
    ]


def import_ratio_problems(table: IOTable) -> list[str]:
    """Industries whose import ratio m_i is undefined or outside [0, 1] (beyond rounding, 1e-9)."""
    labels = table.labels
    m = table.m
    bad = np.flatnonzero(~((m >= -1e-9) & (m <= 1 + 1e-9)))
    return [
        f"{labels[i]}: 輸入係数が {_fmt(m[i])} で 0〜1 の範囲外です"
        "（輸入列は控除としてマイナスで、域内需要より小さいはずです）。"
        for i in bad
    ]


def check_table(table: IOTable, *, balance: bool = True) -> IOTable:
    """Raise :class:`IOTableError` listing every problem of ``table``; return it unchanged otherwise.

    Checks, in order: positive output, row/column balance (``balance=False`` skips it, e.g. for a
    table published without value-added rows), import ratios in [0, 1], and that (I − (I − M̂)A) can
    be inverted (B is computed here and kept). A table without imports (``imports_known`` False) skips
    the import ratios and checks (I − A) instead.
    """
    problems = output_problems(table)
    if problems:
        raise IOTableError("生産額が0以下の部門があります。", problems)
    if balance:
        problems = balance_problems(table)
        if problems:
            tol = table.settings.balance_tolerance
            raise IOTableError(
                f"行計（産出側）と列計（投入側）が許容差（相対 {tol:g}）を超えて一致しない部門があります。"
                "表の転記漏れや符号（輸入は控除でマイナス）を確認してください。",
                problems,
            )
    if not table.imports_known:
        _ = table.L  # raises IOTableError (特異) when the closed model has no inverse
        return table
    problems = import_ratio_problems(table)
    if problems:
        raise IOTableError("輸入係数が 0〜1 の範囲にない部門があります。", problems)
    _ = table.B  # raises IOTableError (特異) when the open model has no inverse
    return table
