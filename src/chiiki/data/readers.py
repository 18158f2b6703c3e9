"""Read firm-data tables from CSV (UTF-8 or Shift_JIS/CP932), Excel or Parquet (SPEC §2; issue #11 §1).

Readers only read: every check lives in :mod:`chiiki.data.validation`. ``read_dataset`` is the entry
point the analyses use: it validates a raw directory, or trusts a directory that ``chiiki import`` or
``chiiki synth`` already validated (it carries a manifest), so national-scale Parquet loads fast.

CSV: the delimiter (comma, tab or semicolon) is taken from the header line; UTF-8 (with or without
BOM) is read as is, anything else as Shift_JIS (CP932). A file that is not what its name says — a
UTF-8 file with a character cut in half, a row with more or fewer fields than the header, a CSV or
an old .xls saved under ``.xlsx`` — gets a Japanese message naming the file and the row. The checks
are vectorised over the file's bytes (NumPy), so they cost memory in proportion to the file, once.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

SUFFIXES = (".parquet", ".csv", ".tsv", ".xlsx", ".xlsm")
MANIFEST = "chiiki-manifest.json"
DELIMITERS = {b",": "カンマ", b"\t": "タブ", b";": "セミコロン"}
INSTRUCTION_SHEETS = ("説明", "記入方法", "記入例", "使い方", "注意事項", "instructions", "readme")
"""Sheets of a workbook that are never the data (the templates' instructions sheet among them)."""
TABLE_SHEETS = {
    "companies": ("companies", "企業", "企業データ", "企業一覧", "企業の表"),
    "transactions": ("transactions", "取引", "取引データ", "取引一覧", "取引の表"),
}
"""Sheet names that say which table a sheet holds."""
MAX_LISTED_ROWS = 5
"""How many row numbers one message lists."""


class DataReadError(Exception):
    """A file could not be read at all; the message is in Japanese and names the file."""


@dataclass(frozen=True)
class RawTable:
    """A table as read, before validation: the frame, its file and how rows are numbered."""

    frame: pl.DataFrame
    path: Path
    first_row: int
    """Row number (as a person sees it) of the first data row: 2 below a header line, 1 in Parquet."""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    """Every sheet of the workbook (Excel only)."""


def find_table_file(directory: Path, table: str) -> Path:
    """The one file for ``table`` (``companies`` / ``transactions``) in ``directory``."""
    found = [directory / f"{table}{s}" for s in SUFFIXES if (directory / f"{table}{s}").exists()]
    if not found:
        raise DataReadError(
            f"{directory}: {table}.csv / .xlsx / .parquet が見つかりません。"
            f"ファイル名を {table}.csv などにしてください。"
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise DataReadError(
            f"{directory}: {table} のファイルが複数あります（{names}）。1つだけ残してください。"
        )
    return found[0]


def _rows_text(rows: list[int]) -> str:
    shown = "、".join(f"{r:,}" for r in rows[:MAX_LISTED_ROWS])
    return shown + (" ほか" if len(rows) > MAX_LISTED_ROWS else "")


def _broken_utf8_rows(data: bytes) -> tuple[list[int], int, int]:
    """Rows (1 = first line) holding bytes that are not UTF-8, the number of such places and of
    well-formed non-ASCII characters; read in 4 MiB pieces."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    rows: list[int] = []
    bad = good = 0
    line = 1
    step = 1 << 22
    for start in range(0, len(data), step):
        text = decoder.decode(data[start : start + step], final=start + step >= len(data))
        n_bad = text.count("\ufffd")
        if n_bad and len(rows) <= MAX_LISTED_ROWS:
            at = -1
            while (at := text.find("\ufffd", at + 1)) >= 0 and len(rows) <= MAX_LISTED_ROWS:
                row = line + text.count("\n", 0, at)
                if not rows or rows[-1] != row:
                    rows.append(row)
        bad += n_bad
        good += len(text) - len(text.encode("ascii", "ignore")) - n_bad
        line += text.count("\n")
    return rows, bad, good


def _raise_if_broken_utf8(data: bytes, path: Path) -> None:
    rows, bad, good = _broken_utf8_rows(data)
    if good >= 20 * bad:
        raise DataReadError(
            f"{path}: UTF-8 の文字が途中で切れています（{_rows_text(rows)} 行目、{bad:,} か所）。"
            "該当の行を見直し（文字の一部が欠けていないか）、UTF-8 で保存し直してください。"
        )


def to_utf8(data: bytes, path: Path) -> tuple[bytes, str]:
    """CSV bytes as UTF-8 and the encoding they came in (``utf-8`` or ``cp932``). A Shift_JIS file
    whose data rows are ASCII (codes and amounts) has only its header line decoded."""
    if is_utf8(data):
        return data, "utf-8"
    end = data.find(b"\n") + 1
    if 0 < end < len(data) and data[end:].isascii():
        text, encoding = decode_csv_bytes(data[:end], path)
        return text.encode("utf-8") + data[end:], encoding
    text, encoding = decode_csv_bytes(data, path)
    return text.encode("utf-8"), encoding


def decode_csv_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), else Shift_JIS/CP932; returns (text, encoding).

    A UTF-8 file with a few broken characters (one cut in half by an editor or a split) is not taken
    for Shift_JIS: the message lists its rows."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        # Shift_JIS text fails as UTF-8 at its first non-ASCII byte; a UTF-8 file with a broken
        # character has well-formed UTF-8 before it (then every broken place is listed).
        maybe_utf8 = not data[: exc.start].isascii()
    if maybe_utf8:
        _raise_if_broken_utf8(data, path)
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        _raise_if_broken_utf8(data, path)
        row = data.count(b"\n", 0, exc.start) + 1
        raise DataReadError(
            f"{path}: 文字コードを判別できません（{row:,} 行目に UTF-8 でも Shift_JIS (CP932) でもない文字があります）。"
            "UTF-8 または Shift_JIS (CP932) で保存し直してください。"
        ) from exc


def detect_delimiter(data: bytes) -> bytes:
    """The delimiter of a CSV from its header line: comma, tab or semicolon (the most frequent)."""
    end = data.find(b"\n", 0, 1 << 20)
    head = data[: end if end >= 0 else 1 << 20]
    counts = {d: head.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == b","))
    return best if counts[best] else b","


def field_counts(data: bytes, delimiter: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``(line_numbers, n_fields)`` of every non-empty record of CSV ``data``, quotes respected
    (a delimiter or line break inside double quotes does not count). Vectorised over the bytes."""
    arr = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(arr == ord('"'))
    newlines = np.flatnonzero(arr == ord("\n"))
    delims = np.flatnonzero(arr == delimiter[0])
    if quotes.size:
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    ends = np.append(newlines, arr.size)
    starts = np.concatenate(([0], newlines + 1))
    per_line = np.searchsorted(delims, ends) - np.searchsorted(delims, starts)
    length = ends - starts
    last = arr[np.clip(ends - 1, 0, None)] if arr.size else np.zeros(ends.size, np.uint8)
    non_empty = (length - ((length > 0) & (last == ord("\r")))) > 0
    numbers = np.arange(1, ends.size + 1)
    return numbers[non_empty], per_line[non_empty] + 1


def ragged_rows(data: bytes, delimiter: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Fields in the header and ``(row, n_fields)`` of the records that have another number."""
    numbers, counts = field_counts(data, delimiter)
    if numbers.size == 0:
        return 0, []
    expected = int(counts[0])
    off = np.flatnonzero(counts != expected)
    return expected, [(int(numbers[i]), int(counts[i])) for i in off[: MAX_LISTED_ROWS + 1]]


def _ragged_error(path: Path, data: bytes, delimiter: bytes) -> DataReadError | None:
    expected, off = ragged_rows(data, delimiter)
    if not off:
        return None
    rows = [r for r, _ in off]
    first_row, first_n = off[0]
    return DataReadError(
        f"{path}: 列の数が見出し行（{expected} 列）と違う行があります（{_rows_text(rows)} 行目。"
        f"{first_row:,} 行目は {first_n} 列）。区切り文字（{DELIMITERS[delimiter]}）の数を見出し行と揃えてください"
        '（値の中に区切り文字があるときは、値を " で囲みます）。'
    )


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is well-formed UTF-8 (checked in 16 MiB pieces, so memory stays bounded)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    step = 1 << 24
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path, data: bytes) -> RawTable:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataReadError(
            f"{path}: 拡張子は {path.suffix} ですが、中身は Excel のブックです。拡張子を .xlsx にしてください"
            "（古い .xls 形式なら、Excel で「Excel ブック (.xlsx)」として保存し直してください）。"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.strip():
        raise DataReadError(f"{path}: ファイルが空です。見出し行とデータの行を入れてください。")
    data, encoding = to_utf8(data, path)
    delimiter = detect_delimiter(data)
    try:
        frame = pl.read_csv(
            data, separator=delimiter.decode(), infer_schema=False, truncate_ragged_lines=False
        )
    except Exception as exc:  # noqa: BLE001 - a parser failure: say where, if we can
        raise _ragged_error(path, data, delimiter) or DataReadError(
            f'{path}: CSV として読み込めません（{exc}）。区切り文字と " の対応を確認してください。'
        ) from exc
    # a short row reads as nulls at its end: tell it from empty cells by counting its fields
    short = frame.width and frame.height and frame[:, -1].null_count()
    if short and (error := _ragged_error(path, data, delimiter)) is not None:
        raise error
    return RawTable(frame, path, first_row=2, encoding=encoding, delimiter=delimiter.decode())


def workbook_sheets(path: Path) -> list[str]:
    """The sheet names of an Excel workbook, in order."""
    import fastexcel  # noqa: PLC0415 - only for workbooks

    _check_workbook_bytes(path)
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # noqa: BLE001
        raise DataReadError(
            f"{path}: Excel のブックとして読み込めません（{exc}）。Excel で開けるか確認し、保存し直してください。"
        ) from exc


def _check_workbook_bytes(path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if head.startswith(b"PK\x03\x04"):
        return
    if not head:
        raise DataReadError(f"{path}: ファイルが空です。見出し行とデータの行を入れてください。")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataReadError(
            f"{path}: 古い Excel 形式（.xls）か、パスワード付きのブックです。パスワードを外し、"
            "Excel で「Excel ブック (.xlsx)」として保存し直してください。"
        )
    sample = head.lstrip(codecs.BOM_UTF8)
    is_text = b"\x00" not in sample and (b"\n" in sample or any(d in sample for d in DELIMITERS))
    if is_text and sample.lstrip()[:1] != b"<":
        raise DataReadError(
            f"{path}: 拡張子は {path.suffix} ですが、中身は CSV（文字だけのファイル）です。"
            "拡張子を .csv に変えるか、Excel で開いて「Excel ブック (.xlsx)」として保存し直してください。"
        )
    raise DataReadError(
        f"{path}: Excel のブック（.xlsx）ではありません（HTML や別の形式のファイルです）。"
        "Excel で開いて「Excel ブック (.xlsx)」として保存し直してください。"
    )


def choose_sheet(path: Path, sheets: list[str], table: str | None, sheet: str | None) -> str:
    """The sheet holding the data: the one named (``--sheet``); else the only sheet that is not an
    instructions sheet, or the one named after the table. Ambiguity: an error listing the sheets."""
    listed = "、".join(f"「{s}」" for s in sheets)
    if sheet is not None:
        if sheet in sheets:
            return sheet
        raise DataReadError(f"{path}: シート「{sheet}」がありません。このブックのシート: {listed}")
    if len(sheets) == 1:
        return sheets[0]
    data = [s for s in sheets if s.strip().lower() not in INSTRUCTION_SHEETS]
    named = [s for s in data if table and s.strip().lower() in TABLE_SHEETS[table]]
    if len(named) == 1:
        return named[0]
    if len(data) == 1:
        return data[0]
    raise DataReadError(
        f"{path}: シートが複数あり、どれがデータか分かりません（シート: {listed}）。"
        "使うシートを選んでください（コマンドでは --sheet シート名）。"
    )


def _read_excel(path: Path, table: str | None, sheet: str | None) -> RawTable:
    sheets = workbook_sheets(path)
    name = choose_sheet(path, sheets, table, sheet)
    try:
        frame = pl.read_excel(path, sheet_name=name, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # noqa: BLE001
        raise DataReadError(
            f"{path}: シート「{name}」を読み込めません（{exc}）。1行目が見出し行か確認してください。"
        ) from exc
    return RawTable(frame, path, first_row=2, sheet=name, sheets=tuple(sheets))


def read_raw_table(path: Path, *, table: str | None = None, sheet: str | None = None) -> RawTable:
    """Read one table file with every column as text (CSV, Excel) or as stored (Parquet).

    ``table`` (``companies`` / ``transactions``) helps pick the sheet of a workbook; ``sheet`` names it."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return RawTable(pl.read_parquet(path), path, first_row=1)
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(path, table, sheet)
        return _read_csv(path, path.read_bytes())
    except DataReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        kind = "Parquet" if suffix == ".parquet" else "ファイル"
        raise DataReadError(
            f"{path}: {kind}として読み込めません（{exc}）。形式と区切り文字を確認してください。"
        ) from exc


PREVIEW_BYTES = 1 << 20
"""How much of a CSV a preview reads (whole lines only)."""


def read_preview(
    path: Path, *, table: str | None = None, sheet: str | None = None, n_rows: int = 5
) -> RawTable:
    """The headers and first ``n_rows`` rows of a table file, all as text, without reading it all
    (a CSV's first MiB; a workbook sheet's first rows; a Parquet file's first rows)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path, n_rows=n_rows)
            return RawTable(frame.cast(pl.Utf8), path, first_row=1)
        if suffix in (".xlsx", ".xlsm"):
            sheets = workbook_sheets(path)
            name = choose_sheet(path, sheets, table, sheet)
            frame = pl.read_excel(
                path,
                sheet_name=name,
                engine="calamine",
                infer_schema_length=0,
                read_options={"n_rows": n_rows},
            )
            return RawTable(frame, path, first_row=2, sheet=name, sheets=tuple(sheets))
        with path.open("rb") as f:
            data = f.read(PREVIEW_BYTES + 1)
        if len(data) > PREVIEW_BYTES and (cut := data.rfind(b"\n", 0, PREVIEW_BYTES)) > 0:
            data = data[: cut + 1]
        raw = _read_csv(path, data)
        return RawTable(raw.frame.head(n_rows), path, 2, raw.encoding, raw.delimiter)
    except DataReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DataReadError(f"{path}: ファイルを読み込めません（{exc}）。形式を確認してください。") from exc


def read_manifest(directory: Path) -> dict | None:
    path = directory / MANIFEST
    return json.loads(path.read_text("utf-8")) if path.exists() else None
