"""Writing tables for people: CSV and Excel exports that are safe to open and fast at national scale
(issue #10 §7, issue #15 §4).

- **Formula injection** (OWASP "CSV injection"): a text cell that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return would be evaluated by a spreadsheet. :func:`neutralise_formulas`
  prefixes such text with an apostrophe, which every spreadsheet shows as text; numbers stay numbers
  (only text columns are touched). Every CSV and Excel export of the web, the API and the CLI goes
  through :func:`write_table` / :func:`write_tables`.
- **Streaming Excel**: :func:`write_xlsx` writes the worksheet XML in batches of rows, each batch built
  by vectorised Polars string expressions and streamed into the zip, so 700,000 rows take seconds and
  memory stays bounded by one batch. Cells are numbers, booleans or inline strings (never formulas).
  A library writer (xlsxwriter's constant-memory mode) makes one Python call per cell, which is
  several times slower at this size (docs/benchmarks.md), hence this writer.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
BATCH_ROWS = 50_000
"""Rows per batch of the streaming Excel writer (bounds its memory)."""
MAX_SHEET_ROWS = 1_048_576
_BOM = b"\xef\xbb\xbf"


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Categorical) or isinstance(t, pl.Enum)]


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would evaluate prefixed by ``'``."""
    cols = _text_columns(frame)
    if not cols:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.Utf8).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c).cast(pl.Utf8))
        .otherwise(pl.col(c).cast(pl.Utf8))
        .alias(c)
        for c in cols
    )


def safe_cell(value: object) -> object:
    """One value as :func:`neutralise_formulas` writes it (for writers that set cells one by one)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _displayable(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns a CSV or a sheet can hold: dates and times as ISO text, lists and structs as text."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype.is_temporal():
            exprs.append(pl.col(name).cast(pl.Utf8))
        elif isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object | pl.Binary):
            exprs.append(pl.col(name).map_elements(str, return_dtype=pl.Utf8))
        elif dtype == pl.Decimal or isinstance(dtype, pl.Decimal):
            exprs.append(pl.col(name).cast(pl.Float64))
    return frame.with_columns(exprs) if exprs else frame


def write_csv(frame: pl.DataFrame, path: Path | BinaryIO) -> Path | BinaryIO:
    """UTF-8 CSV with a byte-order mark (Excel opens it as UTF-8), formula-safe, at ``path`` or into
    an open binary file."""
    safe = neutralise_formulas(_displayable(frame))
    if hasattr(path, "write"):
        path.write(_BOM)
        safe.write_csv(path)
        return path
    with Path(path).open("wb") as f:
        f.write(_BOM)
        safe.write_csv(f)
    return Path(path)


def _xml_text(expr: pl.Expr) -> pl.Expr:
    """Text escaped for XML; characters XML 1.0 cannot hold are dropped."""
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "")
    )


def _cell_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.Boolean:
        cell = pl.concat_str(pl.lit('<c t="b"><v>'), col.cast(pl.Int8).cast(pl.Utf8), pl.lit("</v></c>"))
        return pl.when(col.is_null()).then(pl.lit("<c/>")).otherwise(cell)
    if dtype.is_numeric():
        ok = col.is_not_null() & (col.cast(pl.Float64).is_finite() if dtype.is_float() else pl.lit(True))
        cell = pl.concat_str(pl.lit("<c><v>"), col.cast(pl.Utf8), pl.lit("</v></c>"))
        return pl.when(ok).then(cell).otherwise(pl.lit("<c/>"))
    text = _xml_text(col.cast(pl.Utf8))
    cell = pl.concat_str(
        pl.lit('<c t="inlineStr"><is><t xml:space="preserve">'), text, pl.lit("</t></is></c>")
    )
    return pl.when(col.is_null()).then(pl.lit("<c/>")).otherwise(cell)


def _row_strings(frame: pl.DataFrame) -> pl.Series:
    """One ``<row>…</row>`` string per row of ``frame``."""
    cells = [_cell_expr(n, t) for n, t in frame.schema.items()]
    return frame.select(pl.concat_str([pl.lit("<row>"), *cells, pl.lit("</row>")]).alias("xml")).to_series()


def _column_widths(frame: pl.DataFrame) -> str:
    widths = []
    for i, name in enumerate(frame.columns, start=1):
        width = min(max(10, 2 * len(name) + 2), 60)
        widths.append(f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>')
    return f"<cols>{''.join(widths)}</cols>"


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
"""Two cell formats: plain, and bold for the header row."""

_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>'
)


def _write_sheet(z: zipfile.ZipFile, index: int, frame: pl.DataFrame) -> None:
    frame = neutralise_formulas(_displayable(frame))
    header = pl.DataFrame({c: [c] for c in frame.columns}, schema=dict.fromkeys(frame.columns, pl.Utf8))
    with z.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as out:
        out.write(_SHEET_HEAD.encode())
        out.write(_column_widths(frame).encode())
        out.write(b"<sheetData>")
        out.write(_row_strings(header).item().replace("<c ", '<c s="1" ').encode())
        for start in range(0, frame.height, BATCH_ROWS):
            rows = _row_strings(frame.slice(start, BATCH_ROWS))
            out.write("".join(rows.to_list()).encode())
        out.write(b"</sheetData></worksheet>")


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    out: list[str] = []
    for name in names:
        clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
        base, k = clean, 2
        while clean in out:
            suffix = f" ({k})"
            clean, k = base[: 31 - len(suffix)] + suffix, k + 1
        out.append(clean)
    return out


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_xlsx(frames: dict[str, pl.DataFrame], path: Path | BinaryIO) -> Path | BinaryIO:
    """A workbook with one sheet per frame (streamed; see the module docstring) at ``path`` or into
    an open binary file."""
    too_long = [n for n, f in frames.items() if f.height + 1 > MAX_SHEET_ROWS]
    if too_long:
        raise ValueError(
            f"Excel の1シートに入る行数（{MAX_SHEET_ROWS:,} 行）を超えています（{', '.join(too_long)}）。"
            "CSV か Parquet で書き出してください。"
        )
    names = _sheet_names(frames)
    path = path if hasattr(path, "write") else Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        n = len(names)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{_xml_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        ) + (
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/>'
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        z.writestr("xl/styles.xml", _STYLES)
        for i, frame in enumerate(frames.values(), 1):
            _write_sheet(z, i, frame)
    return path


def write_table(frame: pl.DataFrame, path: Path, *, sheet: str = "結果") -> Path:
    """Write ``frame`` to ``path``; the suffix picks the format (.csv, .xlsx, .parquet, .json)."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return write_csv(frame, path)
    if suffix == ".xlsx":
        return write_xlsx({sheet: frame}, path)
    if suffix == ".parquet":
        frame.write_parquet(path)
        return path
    if suffix == ".json":
        _displayable(frame).write_json(path)
        return path
    raise ValueError(
        f"出力ファイルの拡張子は .csv / .xlsx / .parquet / .json のいずれかにしてください: {path}"
    )
