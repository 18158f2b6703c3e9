"""A sheet or CSV file as a grid of cells, before any meaning is given to them (SPEC §5; issue #11 item 4).

Published input–output tables are read cell by cell: title and unit rows, label rows and columns and
numbers all live in one rectangle. :func:`read_grid` reads an Excel sheet (.xlsx, .xlsm, .xlsb, .xls,
.ods through calamine, which keeps every number exact) or a CSV (UTF-8 or Shift_JIS/CP932; comma,
tab or semicolon) into a :class:`Grid`: the text of every cell, its number where it is one, and its
kind. A file is told apart by its bytes, not its name, so a CSV saved as .xlsx still reads.

Numbers written the Japanese way are numbers: thousands separators, full-width digits, ``△``/``▲``
for minus, and a lone dash (``-``, ``－``, ``―``) for nothing (0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError

EMPTY, NUMBER, TEXT = 0, 1, 2
EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, xlsm, xlsb, ods) and OLE (xls)
DASHES = ("-", "－", "―", "‐", "—", "–", "ｰ", "ー")
_DELIMITERS = (",", "\t", ";")


class SheetChoiceError(IOTableError):
    """A workbook has several sheets and none was chosen (or the one named is not there).

    ``sheets`` lists every sheet name so a caller can offer them as a choice.
    """

    def __init__(self, headline: str, sheets: list[str], problems: list[str] | tuple[str, ...] = ()) -> None:
        self.sheets = tuple(sheets)
        super().__init__(headline, problems)


@dataclass(frozen=True, eq=False)
class Grid:
    """The cells of one sheet from A1: ``text`` (stripped, ``""`` when empty), ``values`` (float, NaN
    where the cell is not a number) and ``kind`` (EMPTY, NUMBER or TEXT), all ``rows × columns``."""

    text: np.ndarray
    values: np.ndarray
    kind: np.ndarray
    source: str
    sheet: str | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.kind.shape

    def where(self, row: int, column: int | None = None) -> str:
        """A cell's or row's place as a person sees it: ``行 5, 列 C`` (1-based, Excel letters)."""
        return f"行 {row + 1}" if column is None else f"行 {row + 1}, 列 {column_letters(column)}"


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (Excel column letters)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def source_bytes(source: str | Path | bytes, name: str | None) -> tuple[bytes, str]:
    """The file's bytes and the name used in messages (the path, or ``name`` for uploaded bytes)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or "アップロードされたファイル"
    path = Path(source)
    if not path.is_file():
        raise IOTableError(f"{path}: ファイルが見つかりません。パスを確認してください。")
    return path.read_bytes(), name or str(path)


def is_workbook(data: bytes) -> bool:
    """True for Excel/ODS bytes (a zip or OLE container), whatever the file is called."""
    return data.startswith(EXCEL_MAGIC)


def _workbook(data: bytes, label: str):  # noqa: ANN202 - python_calamine has no stubs
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise IOTableError(
            f"{label}: Excel ファイルとして開けません（{exc}）。壊れていないか、パスワードが付いていないか確認してください。"
        ) from exc


def workbook_sheets(source: str | Path | bytes, *, name: str | None = None) -> list[str]:
    """The sheet names of a workbook, in order (``[]`` for a CSV)."""
    data, label = source_bytes(source, name)
    return list(_workbook(data, label).sheet_names) if is_workbook(data) else []


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _from_rows(rows: list[list[object]], label: str, sheet: str | None) -> Grid:
    """Build the three arrays from rows of Python values (str, int, float, bool, dates, None)."""
    width = max((len(r) for r in rows), default=0)
    height = len(rows)
    flat: list[object] = []
    for row in rows:
        flat.extend(row)
        flat.extend([""] * (width - len(row)))
    text = np.empty(height * width, dtype=object)
    values = np.full(height * width, np.nan)
    numeric = np.zeros(height * width, dtype=bool)
    strings: list[str] = []
    string_at: list[int] = []
    for i, cell in enumerate(flat):
        if isinstance(cell, bool) or cell is None:
            text[i] = "" if cell is None else str(cell)
        elif isinstance(cell, int | float):
            value = float(cell)
            values[i], numeric[i], text[i] = value, True, _number_text(value)
        else:
            s = str(cell).strip()
            text[i] = s
            if s:
                strings.append(s)
                string_at.append(i)
    if strings:
        parsed = _parse_numbers(pl.Series(strings, dtype=pl.Utf8)).to_numpy()
        at = np.asarray(string_at)
        ok = ~np.isnan(parsed)
        values[at[ok]] = parsed[ok]
        numeric[at[ok]] = True
    kind = np.where(numeric, NUMBER, np.where(text != "", TEXT, EMPTY)).astype(np.int8)
    shape = (height, width)
    return Grid(text.reshape(shape), values.reshape(shape), kind.reshape(shape), label, sheet)


def _parse_numbers(strings: pl.Series) -> pl.Series:
    """Numbers written as text → Float64 (NaN where not a number): NFKC, no separators, △/▲ = minus,
    a lone dash = 0."""
    s = strings.str.normalize("NFKC").str.strip_chars()
    compact = s.str.replace_all(r"[,\s]", "").str.replace(r"^[△▲−]", "-")
    dash = s.is_in(list(DASHES))
    number = compact.cast(pl.Float64, strict=False)
    return pl.select(pl.when(dash).then(0.0).otherwise(number).fill_null(float("nan"))).to_series()


def _csv_rows(data: bytes, label: str) -> list[list[str]]:
    from chiiki.data.readers import DataReadError, decode_csv_bytes

    try:
        text, _ = decode_csv_bytes(data, Path(label))
    except DataReadError as exc:
        raise IOTableError(str(exc)) from exc
    if "\x00" in text:
        raise IOTableError(
            f"{label}: CSV ではない（バイナリの）ファイルです。CSV か Excel で保存してください。"
        )
    head = text[:20_000].splitlines()[:40]
    delimiter = max(_DELIMITERS, key=lambda d: sum(line.count(d) for line in head))
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_grid(source: str | Path | bytes, *, sheet: str | None = None, name: str | None = None) -> Grid:
    """The cells of a CSV file, or of one sheet of a workbook (``sheet``; the only sheet when None).

    A workbook with several sheets and no ``sheet`` raises :class:`SheetChoiceError` naming them;
    callers that can pick a sheet themselves use :func:`workbook_sheets` and :func:`read_sheets`.
    """
    data, label = source_bytes(source, name)
    if not is_workbook(data):
        if sheet is not None:
            raise IOTableError(
                f"{label}: CSV ファイルにはシートがありません。シートの指定（--sheet {sheet}）を外してください。"
            )
        return _from_rows(_csv_rows(data, label), label, None)
    grids = read_sheets(data, name=label, sheets=None if sheet is None else [sheet])
    if len(grids) > 1:
        names = [g.sheet or "" for g in grids]
        raise SheetChoiceError(
            f"{label}: シートが {len(names)} 枚あります。読むシートを指定してください（--sheet 名前）。",
            names,
            [f"シート: {', '.join(names)}"],
        )
    return grids[0]


def read_sheets(
    source: str | Path | bytes, *, name: str | None = None, sheets: list[str] | None = None
) -> list[Grid]:
    """Every sheet of a workbook as a grid (or only ``sheets``, in that order)."""
    data, label = source_bytes(source, name)
    book = _workbook(data, label)
    available = list(book.sheet_names)
    wanted = available if sheets is None else sheets
    missing = [s for s in wanted if s not in available]
    if missing:
        raise SheetChoiceError(
            f"{label}: シート「{'」「'.join(missing)}」がありません。",
            available,
            [f"あるシート: {', '.join(available)}"],
        )
    grids = []
    for sheet in wanted:
        try:
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
            raise IOTableError(f"{label}: シート「{sheet}」を読めません（{exc}）。") from exc
        grids.append(_from_rows(rows, label, sheet))
    return grids
