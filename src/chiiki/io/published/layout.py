"""Find a published table's structure in a grid of cells (SPEC §5; issue #11 item 4).

What a published 取引基本表 looks like, whoever publishes it: a few title and unit rows, then one or two
label rows across the top (a code row and a name row, or "code name" in one cell), one or two label
columns down the left (code and name, or "code name"), and a block of numbers. This module finds them
without knowing the publisher:

- the **name column** is the column with the most text cells (and mostly text); the label columns run
  from the first used column to it (a code column on its left is one of them);
- the **name row** is the row with the most text cells right of the label columns; the header is
  everything above it, plus a code row directly below it;
- the **label rows** are header rows filled across the data columns (a title or unit row is not);
- every later row with a label and numbers is a data row, every column with a label a data column.
  Text-only rows (notes, headings) are skipped and listed; numbers without a label are reported.

The unit comes from a unit note anywhere in the header (``（単位：百万円）``, ``単位：１００万円``,
``(万円)``), else from a note below the table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from chiiki.io.errors import IOTableError
from chiiki.io.published.grid import EMPTY, NUMBER, TEXT, Grid, column_letters
from chiiki.io.published.labels import Label, clean_name, is_code, label_key, split_code

HEADER_WORDS = {
    "コード",
    "部門コード",
    "code",
    "row_code",
    "row_name",
    "部門",
    "部門名",
    "名称",
    "番号",
    "name",
}
_UNITS = {
    "円": "円",
    "千円": "千円",
    "1000円": "千円",
    "万円": "万円",
    "10000円": "万円",
    "百万円": "百万円",
    "100万円": "百万円",
    "1000000円": "百万円",
    "億円": "億円",
    "1億円": "億円",
    "十億円": "十億円",
    "10億円": "十億円",
}
_UNIT_NOTE = re.compile(r"単位[:：]?[(（]?([0-9,]*[十百千万億]*円)")
_UNIT_IN_BRACKETS = re.compile(r"[(（]([0-9,]*[十百千万億]+円)[)）]")
_MIN_LABEL_SHARE = 0.3


@dataclass(frozen=True, eq=False)
class Layout:
    """A table's labelled block, whatever file it came from.

    ``values`` is ``len(row_labels) × len(column_labels)`` (NaN where a cell is empty); ``text_cells``
    marks cells holding text that is not a number. ``unplaced`` lists rows and columns with numbers
    but no label (``(where, reason)``), ``skipped`` text-only rows and columns left out, ``layout`` the
    structure found (Japanese lines for the report).
    """

    source: str
    sheet: str | None
    row_labels: tuple[Label, ...]
    column_labels: tuple[Label, ...]
    values: np.ndarray
    text_cells: np.ndarray
    cell_text: np.ndarray
    unit: str | None = None
    unit_note: str | None = None
    layout: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    unplaced: tuple[tuple[str, str], ...] = ()


def _unit_of(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    match = _UNIT_NOTE.search(key) or _UNIT_IN_BRACKETS.search(key)
    return None if match is None else _UNITS.get(match.group(1).replace(",", ""))


def find_unit(grid: Grid, header_rows: range) -> tuple[str | None, str | None]:
    """The unit from the unit notes of the header (else of the whole sheet) and where it was written.

    Raises :class:`IOTableError` when the header's notes disagree."""
    for rows in (header_rows, range(grid.shape[0])):
        found: dict[str, str] = {}
        for r in rows:
            for c in np.flatnonzero(grid.kind[r] == TEXT):
                unit = _unit_of(grid.text[r, c])
                if unit is not None:
                    found.setdefault(unit, f"{grid.where(r, c)}「{grid.text[r, c]}」")
        if len(found) > 1:
            raise IOTableError(
                f"{grid.source}: 単位の記載が食い違っています。正しい単位を指定してください（--unit）。",
                [f"{where} → {unit}" for unit, where in found.items()],
            )
        if found:
            unit, where = next(iter(found.items()))
            return unit, where
    return None, None


def _mostly_codes(cells: list[str]) -> bool:
    return bool(cells) and sum(is_code(t) for t in cells) >= 0.6 * len(cells)


def _is_code_row(grid: Grid, r: int, label_cols: range, data_cols: np.ndarray) -> bool:
    """A row of sector codes: its label cells empty or a header word, its cells codes across the columns."""
    labels = [grid.text[r, c] for c in label_cols if grid.text[r, c]]
    if any(label_key(t).lower() not in HEADER_WORDS for t in labels):
        return False
    cells = [grid.text[r, c] for c in data_cols if grid.text[r, c]]
    return len(cells) >= max(2, _MIN_LABEL_SHARE * len(data_cols)) and _mostly_codes(cells)


def _label(cells: list[tuple[bool, str]], where: str) -> Label | None:
    """A label from its cells ``(in a code row/column, text)``: the first code, the last name."""
    codes = [t for coded, t in cells if coded and is_code(t)]
    names = [t for coded, t in cells if not (coded and is_code(t))]
    if not codes and not names:
        return None
    code = unicodedata.normalize("NFKC", codes[0]).strip() if codes else None
    if not names:
        return Label(code, code or "", where)
    name_code, name = split_code(names[-1])
    if code is None:
        code = name_code
    elif name_code != code:
        name = clean_name(names[-1])
    return Label(code, name, where)


def find_layout(grid: Grid) -> Layout:
    """The labelled block of ``grid`` (see the module docstring); raises :class:`IOTableError` when the
    sheet has no recognisable table."""
    kind, text = grid.kind, grid.text
    rows_n, cols_n = kind.shape
    where = grid.source if grid.sheet is None else f"{grid.source} シート「{grid.sheet}」"
    unknown = (
        f"{where}: 産業連関表の形式が分かりません。部門名が縦（行の見出し）と横（列の見出し）に並び、"
        "数値がその交点にある表にしてください。縦持ち（input_type, input_name, output_type, output_name, "
        "value）や横持ち（input 列 + 種類/名前 の列）の形式でも読めます。"
    )
    if rows_n == 0 or cols_n == 0:
        raise IOTableError(f"{where}: 空のシート・ファイルです。")
    is_text = kind == TEXT
    used = kind != EMPTY
    col_text = is_text.sum(axis=0)
    heavy = (col_text >= 3) & (col_text >= 0.5 * used.sum(axis=0))
    if not heavy.any():
        raise IOTableError(unknown, ["部門名の列（文字が縦に並ぶ列）が見つかりません"])
    name_col = int(np.argmax(np.where(heavy, col_text, -1)))
    first_col = int(np.flatnonzero(used.any(axis=0))[0])
    last_label = name_col
    while last_label + 1 < cols_n and heavy[last_label + 1]:
        last_label += 1
    label_cols = range(first_col, last_label + 1)
    data_cols = np.asarray([c for c in range(last_label + 1, cols_n) if used[:, c].any()])
    if data_cols.size == 0:
        raise IOTableError(unknown, ["部門名の列の右に数値の列がありません"])

    row_text = is_text[:, data_cols].sum(axis=1)
    row_numbers = (kind[:, data_cols] == NUMBER).sum(axis=1)
    name_row = int(np.argmax(row_text))
    if row_text[name_row] < 2:
        raise IOTableError(unknown, ["列の見出し（部門名が横に並ぶ行）が見つかりません"])
    header_end = name_row
    while header_end + 1 < rows_n and (
        _is_code_row(grid, header_end + 1, label_cols, data_cols)
        or row_text[header_end + 1] >= max(2, 0.5 * (row_text[header_end + 1] + row_numbers[header_end + 1]))
    ):
        header_end += 1
    filled = used[: header_end + 1][:, data_cols].sum(axis=1)
    label_rows = [r for r in range(header_end + 1) if filled[r] >= max(2, _MIN_LABEL_SHARE * len(data_cols))]
    code_rows = {r for r in label_rows if _mostly_codes([text[r, c] for c in data_cols if text[r, c]])}

    body = range(header_end + 1, rows_n)
    label_cells = {c: [text[r, c] for r in body if text[r, c]] for c in label_cols}
    code_cols = {c for c in label_cols if c != name_col and _mostly_codes(label_cells[c])}

    skipped: list[str] = []
    unplaced: list[tuple[str, str]] = []
    row_labels: list[Label] = []
    kept_rows: list[int] = []
    for r in body:
        if not used[r].any():
            continue
        label = _label([(c in code_cols, text[r, c]) for c in label_cols if text[r, c]], grid.where(r))
        numbers = row_numbers[r]
        if label is None:
            if numbers:
                unplaced.append((grid.where(r), "見出しのない行に数値があります"))
            continue
        if numbers == 0 or (row_text[r] >= 2 and row_text[r] >= numbers):
            skipped.append(f"{grid.where(r)}「{label.shown}」（数値のない行）")
            continue
        row_labels.append(label)
        kept_rows.append(r)

    column_labels: list[Label] = []
    kept_cols: list[int] = []
    rows_idx = np.asarray(kept_rows, dtype=int)
    for c in data_cols:
        place = f"列 {column_letters(c)}"
        label = _label([(r in code_rows, text[r, c]) for r in label_rows if text[r, c]], place)
        column = kind[rows_idx, c] if rows_idx.size else np.zeros(0)
        numbers = int((column == NUMBER).sum())
        if label is None:
            if numbers:
                unplaced.append((place, "見出しのない列に数値があります"))
            continue
        if numbers == 0 or (column == TEXT).sum() > numbers:
            skipped.append(f"{place}「{label.shown}」（数値のない列）")
            continue
        column_labels.append(label)
        kept_cols.append(int(c))

    if not row_labels or not column_labels:
        raise IOTableError(unknown, ["見出しの付いた数値の行・列がありません"])
    cols_idx = np.asarray(kept_cols, dtype=int)
    block = np.ix_(rows_idx, cols_idx)
    unit, unit_note = find_unit(grid, range(header_end + 1))
    description = (
        _describe_rows(grid, label_rows, code_rows, header_end)
        + _describe_columns(label_cols, code_cols, name_col)
        + [
            f"数値: 行 {kept_rows[0] + 1}〜{kept_rows[-1] + 1}, 列 {column_letters(kept_cols[0])}〜{column_letters(kept_cols[-1])}"
        ]
    )
    return Layout(
        source=grid.source,
        sheet=grid.sheet,
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        values=grid.values[block],
        text_cells=kind[block] == TEXT,
        cell_text=text[block],
        unit=unit,
        unit_note=unit_note,
        layout=tuple(description),
        skipped=tuple(skipped),
        unplaced=tuple(unplaced),
    )


def _describe_rows(grid: Grid, label_rows: list[int], code_rows: set[int], header_end: int) -> list[str]:
    above = [r for r in range(header_end + 1) if r not in label_rows and (grid.kind[r] != EMPTY).any()]
    lines = []
    if above:
        lines.append(f"見出しの上の行（表題・単位など）: 行 {', '.join(str(r + 1) for r in above)}")
    kinds = ["コード" if r in code_rows else "名称" for r in label_rows]
    if len(label_rows) == 1 and not code_rows:
        kinds = ["名称（「コード 名称」を1つのセルに含む場合も）"]
    lines.append(
        "列の見出し: " + "、".join(f"行 {r + 1}（{k}）" for r, k in zip(label_rows, kinds, strict=True))
    )
    return lines


def _describe_columns(label_cols: range, code_cols: set[int], name_col: int) -> list[str]:
    parts = []
    for c in label_cols:
        kind = "コード" if c in code_cols else ("名称" if c == name_col else "見出し")
        parts.append(f"列 {column_letters(c)}（{kind}）")
    return ["行の見出し: " + "、".join(parts)]
