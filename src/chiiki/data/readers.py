"""Read firm-data tables from CSV (UTF-8 or Shift_JIS/CP932), Excel or Parquet (SPEC §2).

Readers only read: every check lives in :mod:`chiiki.data.validation`. ``read_dataset`` is the entry
point the analyses use: it validates a raw directory, or trusts a directory that ``chiiki import`` or
``chiiki synth`` already validated (it carries a manifest), so national-scale Parquet loads fast.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

SUFFIXES = (".parquet", ".csv", ".xlsx", ".xlsm")
MANIFEST = "chiiki-manifest.json"


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


def decode_csv_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), else Shift_JIS/CP932; returns (text, encoding)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else "cp932")
        except UnicodeDecodeError:
            continue
    raise DataReadError(
        f"{path}: 文字コードを判別できません。UTF-8 または Shift_JIS (CP932) で保存し直してください。"
    )


def read_raw_table(path: Path) -> RawTable:
    """Read one table file with every column as text (CSV, Excel) or as stored (Parquet)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return RawTable(pl.read_parquet(path), path, first_row=1)
        if suffix in (".xlsx", ".xlsm"):
            frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
            return RawTable(frame, path, first_row=2)
        text, encoding = decode_csv_bytes(path.read_bytes(), path)
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
        return RawTable(frame, path, first_row=2, encoding=encoding)
    except DataReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise DataReadError(
            f"{path}: ファイルを読み込めません（{exc}）。形式と区切り文字を確認してください。"
        ) from exc


def read_manifest(directory: Path) -> dict | None:
    path = directory / MANIFEST
    return json.loads(path.read_text("utf-8")) if path.exists() else None
