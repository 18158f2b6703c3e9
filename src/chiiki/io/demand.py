"""Demand scenarios: a frame of ``sector, value`` (one scenario) or ``scenario, sector, value`` (many)
turned into the ΔF matrix of SPEC §5 (one column per scenario), checking every label.

A sector is named by its full label (``03_製造業``), or by the name without its code prefix
(``製造業``) or the code alone (``03``) when that is unambiguous. In an interregional table a
``region`` column names the region (or the sector is written ``region/sector``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.table import IOTable

DEFAULT_SCENARIO = "シナリオ1"
_CODE_PREFIX = re.compile(r"^\s*([0-9A-Za-z]+)[_\s.．・]+(.+)$")
_MAX_LISTED = 20


def sector_aliases(table: IOTable) -> dict[str, int]:
    """Every accepted way to name an industry → its index (full label, name without code, code)."""
    aliases: dict[str, int] = {}
    ambiguous: set[str] = set()
    labels = table.labels
    for i, sector in enumerate(table.sectors):
        region_prefix = "" if table.regions is None else f"{table.regions[i]}/"
        match = _CODE_PREFIX.match(sector)
        short = [] if match is None else [region_prefix + match.group(1), region_prefix + match.group(2)]
        for alias in short:
            if alias in aliases or alias in ambiguous:
                ambiguous.add(alias)
                aliases.pop(alias, None)
            else:
                aliases[alias] = i
    for i, label in enumerate(labels):  # full labels always win
        aliases[label] = i
    return aliases


def demand_matrix(
    table: IOTable, frame: pl.DataFrame, *, source: str = "需要データ"
) -> tuple[np.ndarray, list[str]]:
    """ΔF as an ``n × k`` array (rows in the table's industry order) and the ``k`` scenario names.

    Rows naming the same scenario and sector are summed. Unknown sectors or regions, missing or
    non-numeric values raise :class:`IOTableError` listing every offending row.
    """
    missing = [c for c in ("sector", "value") if c not in frame.columns]
    if missing:
        raise IOTableError(
            f"{source}: 列 {', '.join(missing)} がありません。"
            "列は sector, value（複数シナリオなら scenario, sector, value）にしてください。"
        )
    rows = pl.int_range(2, pl.len() + 2)
    label = pl.col("sector").cast(pl.Utf8).str.strip_chars()
    if table.regions is not None and "region" in frame.columns:
        label = pl.concat_str(pl.col("region").cast(pl.Utf8).str.strip_chars(), label, separator="/")
    scenario = (
        pl.col("scenario").cast(pl.Utf8).str.strip_chars()
        if "scenario" in frame.columns
        else pl.lit(DEFAULT_SCENARIO)
    )
    raw = pl.col("value")
    value = (
        raw.cast(pl.Float64, strict=False)
        if frame["value"].dtype.is_numeric()
        else (raw.cast(pl.Utf8).str.strip_chars().str.replace_all(",", "").cast(pl.Float64, strict=False))
    )
    df = frame.select(row=rows, scenario=scenario, label=label, value=value, raw=raw.cast(pl.Utf8))

    aliases = sector_aliases(table)
    df = df.with_columns(index=pl.col("label").replace_strict(aliases, default=None, return_dtype=pl.Int64))
    problems = [
        f"行 {r}: 部門「{lab}」は表にありません"
        for r, lab in df.filter(pl.col("index").is_null()).select("row", "label").rows()
    ]
    problems += [
        f"行 {r}: 値「{v}」が数値ではありません"
        for r, v in df.filter(pl.col("value").is_null()).select("row", "raw").rows()
    ]
    problems += [
        f"行 {r}: シナリオ名が空です"
        for r in df.filter(pl.col("scenario").is_null() | (pl.col("scenario") == ""))["row"]
    ]
    if problems:
        hint = "表の部門: " + ", ".join(table.labels)
        listed = (
            problems
            if len(problems) <= _MAX_LISTED
            else [*problems[:_MAX_LISTED], f"ほか {len(problems) - _MAX_LISTED} 件"]
        )
        raise IOTableError(f"{source}: 使えない行があります。部門名と値を確認してください。", [*listed, hint])
    if df.height == 0:
        raise IOTableError(f"{source}: 需要の行がありません。")

    scenarios = df["scenario"].unique(maintain_order=True).to_list()
    column = df["scenario"].replace_strict({s: j for j, s in enumerate(scenarios)}, return_dtype=pl.Int64)
    matrix = np.zeros((table.n, len(scenarios)))
    np.add.at(matrix, (df["index"].to_numpy(), column.to_numpy()), df["value"].to_numpy())
    return matrix, scenarios


def read_demand(path: str | Path, table: IOTable) -> tuple[np.ndarray, list[str]]:
    """Read a demand file (CSV UTF-8/Shift_JIS, Excel, Parquet) into ΔF and scenario names."""
    from chiiki.io.readers import read_text_frame

    return demand_matrix(table, read_text_frame(path), source=str(path))
