"""Input–output tables in the layouts prefectures and the government publish them (SPEC §5; issue #11
items 4 and 6).

>>> table, report = read_published_table("io2015.xlsx", sheet="⑤取引基本表")   # doctest: +SKIP
>>> report.sectors, report.balances, report.unplaced, report.limits           # doctest: +SKIP

:func:`read_published_table` reads a CSV or one sheet of a workbook (path or uploaded bytes), finds
its labels and numbers (:mod:`~chiiki.io.published.layout`), recognises sectors, value added, final
demand, exports, imports and totals (:mod:`~chiiki.io.published.labels`), checks every published
total against the data, and returns the :class:`~chiiki.io.table.IOTable` with a
:class:`~chiiki.io.published.report.ReadReport`. The 2015 12-sector regional tables
(``R{i}C{j}``/``Y{i}``, one row per area) load through the same reader with ``area``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from chiiki.io.errors import IOTableError
from chiiki.io.published.assemble import assemble
from chiiki.io.published.grid import (
    Grid,
    SheetChoiceError,
    read_grid,
    read_sheets,
    source_bytes,
    workbook_sheets,
)
from chiiki.io.published.layout import find_layout
from chiiki.io.published.report import Balance, Placed, ReadReport, table_limits
from chiiki.io.published.twelve import flow_output_layout, is_flow_output_layout
from chiiki.io.table import IOSettings, IOTable

__all__ = [
    "Balance",
    "Grid",
    "Placed",
    "ReadReport",
    "SheetChoiceError",
    "read_grid",
    "read_published_grid",
    "read_published_table",
    "table_limits",
    "workbook_sheets",
]


def read_published_grid(
    grid: Grid, *, area: str | None = None, settings: IOSettings | None = None, unit: str | None = None
) -> tuple[IOTable, ReadReport]:
    """The table and report of one grid (a CSV or one sheet), published layout or 12-sector table."""
    if is_flow_output_layout(grid):
        layout, area_name = flow_output_layout(grid, area)
        return assemble(layout, settings=settings, unit=unit, form=f"地域別12部門表（{area_name}）")
    if area is not None:
        raise IOTableError(
            f"{grid.source}: 地域の指定（--area {area}）は R{{i}}C{{j}}・Y{{i}} 形式の地域別表にだけ使えます。"
        )
    return assemble(find_layout(grid), settings=settings, unit=unit)


def _table_sheets(grids: list[Grid]) -> list[Grid]:
    """The sheets that hold a transaction table: sectors on both axes and output or final demand."""
    found = []
    for grid in grids:
        try:
            table, _ = read_published_grid(grid)
        except IOTableError:
            continue
        if table.n >= 2 and table.final_demand.size:
            found.append(grid)
    return found


def read_published_table(
    source: str | Path | bytes,
    *,
    sheet: str | None = None,
    area: str | None = None,
    name: str | None = None,
    settings: IOSettings | None = None,
    unit: str | None = None,
) -> tuple[IOTable, ReadReport]:
    """Read a published table (CSV, or a workbook's ``sheet``) into an :class:`IOTable` and its report.

    ``source`` is a path or the file's bytes (``name`` then names it in messages). In a workbook with
    several sheets and no ``sheet``, the one sheet that holds a transaction table is read (the report
    says so); when there are none or several, :class:`SheetChoiceError` names every sheet. ``area``
    picks the area of a 12-sector ``R{i}C{j}``/``Y{i}`` table. ``unit`` overrides the unit note;
    ``settings`` say which rows and columns are 雇用者所得 / 民間消費支出 (defaults match those names).

    Raises :class:`IOTableError` when no table can be found; imbalances, rows or columns it could not
    place, limits and problems are in the report (:func:`chiiki.io.read_io_table` raises on them).
    """
    data, label = source_bytes(source, name)
    sheets = workbook_sheets(data, name=label)
    if sheet is not None or len(sheets) <= 1:
        return read_published_grid(
            read_grid(data, sheet=sheet, name=label), area=area, settings=settings, unit=unit
        )
    candidates = _table_sheets(read_sheets(data, name=label))
    if len(candidates) != 1:
        which = (
            "産業連関表らしいシートがありません" if not candidates else "産業連関表らしいシートが複数あります"
        )
        raise SheetChoiceError(
            f"{label}: シートが {len(sheets)} 枚あり、{which}。読むシートを指定してください（--sheet 名前）。",
            sheets,
            [f"シート: {', '.join(sheets)}"]
            + ([f"表らしいシート: {', '.join(g.sheet or '' for g in candidates)}"] if candidates else []),
        )
    table, report = read_published_grid(candidates[0], area=area, settings=settings, unit=unit)
    chosen = f"シートの指定がないため、表のあるただ1つのシート「{candidates[0].sheet}」を読みました。"
    return table, _with_note(report, chosen)


def _with_note(report: ReadReport, note: str) -> ReadReport:
    return replace(report, notes=(note, *report.notes))
