"""What a reader recognised in a table file, and what the table can and cannot compute (SPEC §5;
issue #11 items 4 and 6).

:class:`ReadReport` is plain data (tuples of strings, numbers and small records), so a shell can print
it (``chiiki io read``), send it as JSON (:meth:`ReadReport.as_dict`) or store it beside an upload.
:func:`table_limits` states in Japanese what a table cannot give — the open model without imports,
the second round without 民間消費支出 or 雇用者所得, jobs without an employment row — and
:func:`table_problems` lists what stops it being used at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from chiiki.io.checks import import_ratio_problems, output_problems
from chiiki.io.errors import IOTableError
from chiiki.io.table import IOTable, find_label


@dataclass(frozen=True)
class Placed:
    """One row or column: its ``role`` (see :data:`chiiki.io.published.labels.ROLE_LABELS`, or
    ``"unplaced"``), ``axis`` (``"row"`` / ``"column"``), ``label`` as shown, ``where`` in the file
    (``行 5`` / ``列 C``) and a ``detail`` (what a total sums, why a label could not be placed …)."""

    role: str
    axis: str
    label: str
    where: str
    detail: str = ""


@dataclass(frozen=True)
class Balance:
    """One check of published totals against the data: ``check`` (Japanese, what was compared),
    ``max_difference`` (largest absolute gap, in the table's unit), ``at`` (where it is largest) and
    ``ok`` (every gap within the relative tolerance)."""

    check: str
    max_difference: float
    at: str
    ok: bool


@dataclass(frozen=True)
class ReadReport:
    """What was recognised in a table file (issue #11 item 4).

    ``form`` says which layout was read (公表形式, 縦持ち, 横持ち, 12部門表); ``layout`` describes where the
    labels and numbers were found; ``sectors`` are the table's industry labels; ``placed`` every other
    recognised row and column (value added, final demand, exports, imports, totals, reference
    columns, an employment row); ``unplaced`` rows and columns that carry numbers but could not be
    placed; ``balances`` the checks of totals; ``notes`` what the reader did on the way (sign changes,
    residual columns, skipped text rows); ``limits`` what the table cannot compute; ``problems`` what
    stops the table being used (non-positive output, import ratios out of range, a singular model).
    """

    source: str
    sheet: str | None
    form: str
    unit: str
    unit_note: str | None
    layout: tuple[str, ...]
    sectors: tuple[str, ...]
    placed: tuple[Placed, ...]
    unplaced: tuple[Placed, ...]
    balances: tuple[Balance, ...]
    notes: tuple[str, ...]
    limits: tuple[str, ...]
    problems: tuple[str, ...]

    def of(self, role: str) -> list[Placed]:
        """The recognised rows and columns of one role, in file order."""
        return [p for p in self.placed if p.role == role]

    @property
    def max_balance_difference(self) -> float:
        """The largest gap over all balance checks (0 when there were none)."""
        return max((b.max_difference for b in self.balances), default=0.0)

    @property
    def balanced(self) -> bool:
        """True when every balance check is within the tolerance."""
        return all(b.ok for b in self.balances)

    @property
    def usable(self) -> bool:
        """True when nothing stops the table being used (it may still have limits)."""
        return not self.problems

    def as_dict(self) -> dict:
        """The report as plain JSON-ready data."""
        return asdict(self)


def balance(
    check: str, published: np.ndarray, computed: np.ndarray, labels: list[str], tol: float
) -> Balance:
    """Compare a published line with the sum of its parts, element by element (relative ``tol``)."""
    gap = np.asarray(published, dtype=float) - np.asarray(computed, dtype=float)
    if gap.size == 0:
        return Balance(check, 0.0, "", True)
    worst = int(np.argmax(np.abs(gap)))
    at = labels[worst] if gap[worst] != 0 else ""
    scale = np.maximum(np.maximum(np.abs(published), np.abs(computed)), 1.0)
    return Balance(check, float(abs(gap[worst])), at, bool(np.all(np.abs(gap) <= tol * scale)))


def core_balance(table: IOTable) -> Balance:
    """Row totals X (中間需要＋最終需要＋輸出－輸入) against column totals (中間投入＋粗付加価値), per sector."""
    return balance(
        "行計（中間需要＋最終需要＋輸出－輸入）と列計（中間投入＋粗付加価値）",
        table.X,
        table.column_totals,
        table.labels,
        table.settings.balance_tolerance,
    )


def _has(names: tuple[str, ...], wanted: str) -> bool:
    try:
        find_label(names, wanted, what="")
    except IOTableError:
        return False
    return True


def table_limits(table: IOTable) -> list[str]:
    """What ``table`` cannot compute, in Japanese (issue #11 item 6); empty when it can do everything."""
    limits = []
    if not table.imports_known:
        limits.append(
            "輸入（移輸入）の列がないため、輸入係数・開放型の逆行列 [I−(I−M̂)A]⁻¹・経済波及効果は計算しません。"
            "輸入がない（0）とみなせる場合だけ、そう明示して計算できます（--imports-zero）。"
            "閉鎖型の逆行列 (I−A)⁻¹ とその列和は計算できます。"
        )
    s = table.settings
    if table.final_demand_regions is None and not _has(table.final_demand_names, s.consumption_column):
        limits.append(
            f"民間消費支出の列（設定「{s.consumption_column}」）がないため、消費構成比 h と第2次間接効果、"
            "したがって経済波及効果（ripple）は計算できません。別の名前の列なら --consumption-column で指定してください"
            f"（最終需要の列: {', '.join(table.final_demand_names) or 'なし'}）。"
        )
    if not _has(table.value_added_names, s.income_row):
        limits.append(
            f"雇用者所得の行（設定「{s.income_row}」）がないため、雇用者所得誘発額と第2次間接効果、"
            "したがって経済波及効果（ripple）は計算できません。別の名前の行なら --income-row で指定してください"
            f"（粗付加価値の行: {', '.join(table.value_added_names) or 'なし'}）。"
        )
    if table.employment is None:
        limits.append("就業者数の行がないため、就業誘発数は計算しません。")
    return limits


def table_problems(table: IOTable) -> list[str]:
    """What stops ``table`` being used: non-positive output, import ratios outside [0, 1], or a model
    without an inverse (B, or L when imports are unknown). Balance is reported apart."""
    problems = output_problems(table)
    if problems:
        return problems
    if table.imports_known:
        problems = import_ratio_problems(table)
        if problems:
            return problems
    try:
        _ = table.B if table.imports_known else table.L
    except IOTableError as exc:
        return [exc.headline, *exc.problems]
    return []
