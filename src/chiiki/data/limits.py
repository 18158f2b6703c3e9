"""Bounded memory on hostile files (issue #10 §6): what a file will become in memory is checked from
its own metadata before it is parsed, and a file that would be too large is refused with a clear
Japanese message — never parsed into an allocation failure.

- Excel workbooks are ZIP archives: the uncompressed size of their parts and the compression ratio
  of each part are read from the archive's directory (a "zip bomb" of 2.5 MB that inflates to 1 GB is
  refused at once), and the row count of each sheet from its ``<dimension>`` element when present.
- Parquet files: the row count and uncompressed size come from the file footer.
- CSV files are read as they are (their size in memory is a small multiple of the file's, which the
  upload limit bounds).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from chiiki.data.readers import DataReadError

MAX_UNCOMPRESSED_BYTES = 512 * 1024**2
"""The most a workbook or a Parquet file may hold uncompressed (larger data: CSV)."""
MAX_RATIO = 100.0
"""The most any part of a workbook may be compressed (real sheets: 5–20×; bombs: hundreds)."""
EXCEL_MAX_ROWS = 1_048_576
"""Excel's own row limit: a sheet that claims more is not a workbook Excel wrote."""
PARQUET_MAX_ROWS = 200_000_000
PARQUET_MAX_BYTES = 4 * 1024**3
"""Parquet limits: ten national years (50 million links, about 1.5 GB uncompressed) fit well within."""
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _mb(n: float) -> str:
    return f"{n / 1024**2:,.0f} MB"


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts would inflate beyond the limits. A file that is no ZIP archive at
    all is left to the reader, which says what it is instead (CSV, an old .xls, HTML …)."""
    if not zipfile.is_zipfile(path):
        return
    try:
        _check_archive(path)
    except DataReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise DataReadError(
            f"{path}: Excel のブックが壊れているため読めません（{type(exc).__name__}）。"
            "Excel で開けるか確かめ、「Excel ブック (.xlsx)」として保存し直してください。"
        ) from exc


def _check_archive(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise DataReadError(
                f"{path}: 展開すると {_mb(total)} になり、上限 {_mb(MAX_UNCOMPRESSED_BYTES)} を超えるため読み込みません。"
                "大きなデータは CSV で取り込んでください。"
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024**2 and ratio > MAX_RATIO:
                raise DataReadError(
                    f"{path}: 「{info.filename}」が異常に高い圧縮率（{ratio:,.0f} 倍）で、展開すると "
                    f"{_mb(info.file_size)} になるため読み込みません。元のデータから保存し直してください。"
                )
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as sheet:
                    head = sheet.read(4096)
                found = _DIMENSION.search(head)
                if found and int(found.group(1)) > EXCEL_MAX_ROWS:
                    raise DataReadError(
                        f"{path}: シートの行数（{int(found.group(1)):,} 行）が Excel の上限 {EXCEL_MAX_ROWS:,} 行を"
                        "超えています。ファイルが壊れているか、Excel 以外で作られたものです。CSV で取り込んでください。"
                    )


def check_parquet(path: Path) -> None:
    """Refuse a Parquet file whose footer announces more rows or bytes than the limits."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - only Parquet files need it

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - any unreadable footer is one clear message
        raise DataReadError(f"{path}: Parquet のファイルとして読めません（{exc}）。") from exc
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if meta.num_rows > PARQUET_MAX_ROWS or size > PARQUET_MAX_BYTES:
        raise DataReadError(
            f"{path}: {meta.num_rows:,} 行・展開後 {_mb(size)} で、上限（{PARQUET_MAX_ROWS:,} 行・"
            f"{_mb(PARQUET_MAX_BYTES)}）を超えるため読み込みません。"
        )


def check_file(path: Path) -> None:
    """The checks for ``path``'s format (see the module docstring)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_workbook(path)
    elif suffix == ".parquet":
        check_parquet(path)
