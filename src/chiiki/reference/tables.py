"""Loaders for the shipped reference tables (SPEC §1).

Sources: prefectures' populations are the 2020 国勢調査 (census) final counts; blocks follow METI
regional bureau jurisdiction; municipalities (JIS X 0402, with coordinates) come from the MIT-licensed
``japancode`` package (see ``data/NOTICE.md``); JSIC rev. 14 codes and names are the national standard.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

_DATA = resources.files("chiiki.reference").joinpath("data")

FIELD_MAPPING_ENV = "CHIIKI_FIELD_MAPPING"
"""Environment variable naming a CSV (``field_id,jsic_code``) that replaces the shipped mapping."""


def _read(name: str, **schema: pl.DataType) -> pl.DataFrame:
    with resources.as_file(_DATA.joinpath(name)) as path:
        return pl.read_csv(path, schema_overrides=schema)


@cache
def prefectures() -> pl.DataFrame:
    """47 prefectures: ``prefecture_code`` ("01".."47"), ``name``, ``name_en``, ``population_2020``,
    ``block_code``."""
    return _read("prefectures.csv", prefecture_code=pl.Utf8)


@cache
def blocks() -> pl.DataFrame:
    """The 9 regional blocks by METI bureau jurisdiction: ``block_code``, ``name``, ``bureau``,
    with ``prefecture_codes`` (list) and ``population_2020``."""
    members = (
        prefectures()
        .group_by("block_code", maintain_order=True)
        .agg(pl.col("prefecture_code").alias("prefecture_codes"), pl.col("population_2020").sum())
    )
    return _read("blocks.csv").join(members, on="block_code", how="left")


@cache
def prefecture_names() -> dict[str, str]:
    """Mapping prefecture code → name (福島県 …)."""
    p = prefectures()
    return dict(zip(p["prefecture_code"], p["name"], strict=True))


def prefecture_block() -> dict[str, str]:
    """Mapping prefecture code → block code."""
    p = prefectures()
    return dict(zip(p["prefecture_code"], p["block_code"], strict=True))


@cache
def _municipalities() -> pl.DataFrame:
    return _read(
        "municipalities.csv", municipality_code=pl.Utf8, check_digit=pl.Utf8, prefecture_code=pl.Utf8
    ).with_columns(code6=pl.col("municipality_code") + pl.col("check_digit"))


def municipalities(pref: str | None = None) -> pl.DataFrame:
    """JIS X 0402 municipalities: ``municipality_code`` (5 digits), ``check_digit``, ``name``,
    ``name_kana``, ``prefecture_code``, ``lat``, ``lng``, ``kind`` (municipality / designated_city /
    ward) and ``code6``. A 政令指定都市 is listed as a whole and by ward."""
    df = _municipalities()
    return df if pref is None else df.filter(pl.col("prefecture_code") == pref)


@cache
def _jsic() -> pl.DataFrame:
    return _read("jsic.csv", code=pl.Utf8, parent_code=pl.Utf8, major_code=pl.Utf8)


def jsic(level: str | None = None) -> pl.DataFrame:
    """JSIC rev. 14 codes: ``level`` (major 大分類 / middle 中分類 / minor 小分類 / detail 細分類),
    ``code``, ``name``, ``parent_code``, ``major_code``."""
    df = _jsic()
    return df if level is None else df.filter(pl.col("level") == level)


@cache
def fields() -> pl.DataFrame:
    """The 17 strategic fields (17の戦略分野) numbered 1–17 in the seed's order."""
    return _read("fields.csv")


def field_jsic_mapping(path: str | Path | None = None) -> pl.DataFrame:
    """Mapping of strategic field to JSIC 中分類 (``field_id, jsic_code``): the shipped default, or
    the CSV at ``path`` / ``$CHIIKI_FIELD_MAPPING`` when given (the mapping is data, editable)."""
    path = path or os.environ.get(FIELD_MAPPING_ENV)
    if path:
        df = pl.read_csv(path, schema_overrides={"jsic_code": pl.Utf8, "field_id": pl.Int64})
        unknown = df.join(jsic("middle"), left_on="jsic_code", right_on="code", how="anti")
        if unknown.height:
            raise ValueError(
                f"{path}: 戦略分野の対応表に不明なJSIC中分類コードがあります: {unknown['jsic_code'].to_list()}"
            )
        return df
    return _read("field_jsic.csv", jsic_code=pl.Utf8)
