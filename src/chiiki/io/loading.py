"""One entry for every table file (SPEC §5; issue #11 item 4): the long and wide forms of SPEC §5, the
layouts prefectures and the government publish, and the 12-sector regional tables.

:func:`read_table_with_report` returns the table and what was recognised (for ``chiiki io read`` and
an upload page); :func:`read_io_table` returns a checked table and raises on any problem (for
analyses). Both take a path or the file's bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from chiiki.io.checks import check_table
from chiiki.io.errors import IOTableError
from chiiki.io.published import Grid, read_grid, read_published_grid, read_published_table, workbook_sheets
from chiiki.io.published.grid import EMPTY, source_bytes
from chiiki.io.published.report import Placed, ReadReport, core_balance, table_limits, table_problems
from chiiki.io.readers import table_from_long, wide_to_long
from chiiki.io.table import IOSettings, IOTable

PARQUET_MAGIC = b"PAR1"
LONG_FORM = "縦持ち（SPEC §5: input_type, input_name, output_type, output_name, value）"
WIDE_FORM = "横持ち（SPEC §5: input 列 + 種類/名前 の列）"


def _contract_frame(grid: Grid) -> pl.DataFrame | None:
    """The grid as a frame when its first used row is a header of the SPEC §5 long or wide form."""
    used = (grid.kind != EMPTY).any(axis=1).nonzero()[0]
    if used.size == 0:
        return None
    header = [str(t) for t in grid.text[used[0]]]
    if "input_type" not in header and "input" not in header:
        return None
    keep = [c for c, name in enumerate(header) if name]
    body = grid.text[used[0] + 1 :, keep]
    columns = {header[c]: [v or None for v in body[:, k]] for k, c in enumerate(keep)}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Utf8))


def _contract_report(table: IOTable, source: str, sheet: str | None, form: str) -> ReadReport:
    placed = [Placed("value_added", "row", name, "") for name in table.value_added_names]
    for role, names in (
        ("final_demand", table.final_demand_names),
        ("export", table.export_names),
        ("import", table.import_names),
    ):
        placed += [Placed(role, "column", name, "") for name in names]
    return ReadReport(
        source=source,
        sheet=sheet,
        form=form,
        unit=table.unit,
        unit_note=None,
        layout=(),
        sectors=tuple(table.labels),
        placed=tuple(placed),
        unplaced=(),
        balances=(core_balance(table),),
        notes=(),
        limits=tuple(table_limits(table)),
        problems=tuple(table_problems(table)),
    )


def _from_contract(
    frame: pl.DataFrame, *, settings: IOSettings | None, unit: str | None, regions: bool, source: str
) -> tuple[IOTable, str]:
    if "input_type" in frame.columns:
        return table_from_long(frame, settings=settings, unit=unit, source=source, check=False), LONG_FORM
    long = wide_to_long(frame, regions=regions, source=source)
    table = table_from_long(long, settings=settings, unit=unit or "百万円", source=source, check=False)
    return table, WIDE_FORM


def read_table_with_report(
    source: str | Path | bytes,
    *,
    sheet: str | None = None,
    area: str | None = None,
    name: str | None = None,
    settings: IOSettings | None = None,
    unit: str | None = None,
    regions: bool = False,
) -> tuple[IOTable, ReadReport]:
    """Read any table file (path or bytes; ``name`` names bytes in messages) into a table and its report.

    Long and wide forms (SPEC §5; CSV, Excel or Parquet), published layouts
    (:func:`chiiki.io.published.read_published_table`: ``sheet`` of a workbook, ``unit`` override) and
    12-sector regional tables (``area``). Nothing is refused for imbalance here: see the report.
    """
    data, label = source_bytes(source, name)
    if data.startswith(PARQUET_MAGIC):
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
            raise IOTableError(f"{label}: Parquet ファイルを読めません（{exc}）。") from exc
        table, form = _from_contract(frame, settings=settings, unit=unit, regions=regions, source=label)
        return table, _contract_report(table, label, None, form)
    sheets = workbook_sheets(data, name=label)
    if sheet is None and len(sheets) > 1:  # the first sheet when it holds a SPEC §5 form, as before
        first = read_grid(data, sheet=sheets[0], name=label)
        if _contract_frame(first) is None:
            return read_published_table(data, name=label, area=area, settings=settings, unit=unit)
        sheet = sheets[0]
    grid = read_grid(data, sheet=sheet, name=label)
    frame = _contract_frame(grid)
    if frame is not None:
        table, form = _from_contract(frame, settings=settings, unit=unit, regions=regions, source=label)
        return table, _contract_report(table, label, grid.sheet, form)
    return read_published_grid(grid, area=area, settings=settings, unit=unit)


def read_io_table(
    path: str | Path | bytes,
    *,
    settings: IOSettings | None = None,
    unit: str | None = None,
    regions: bool = False,
    check_balance: bool = True,
    sheet: str | None = None,
    area: str | None = None,
    name: str | None = None,
) -> IOTable:
    """Read a table in any form (see :func:`read_table_with_report`) and check it.

    Raises :class:`IOTableError` on every problem :func:`chiiki.io.checks.check_table` finds
    (non-positive output, row and column totals apart beyond the tolerance unless
    ``check_balance=False``, import ratios outside [0, 1], a singular model).
    """
    table, _ = read_table_with_report(
        path, sheet=sheet, area=area, name=name, settings=settings, unit=unit, regions=regions
    )
    return check_table(table, balance=check_balance)
