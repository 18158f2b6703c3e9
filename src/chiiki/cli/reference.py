"""``chiiki reference``: the shipped code lists (SPEC §1)."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from chiiki import reference
from chiiki.cli.output import fail, print_frame

app = typer.Typer(
    add_completion=False,
    help="参照データ（都道府県・ブロック・市区町村・日本標準産業分類・17の戦略分野）を表示します。",
    no_args_is_help=True,
)

Pref = Annotated[
    str | None, typer.Option("--pref", help="都道府県コード（2桁、例: 07 = 福島県）で絞り込みます。")
]
Fmt = Annotated[str, typer.Option("--format", help="出力形式: table（画面表示）, csv, json")]


def _pref(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.zfill(2)
    if code not in set(reference.prefectures()["prefecture_code"]):
        raise fail(f"都道府県コード {code} はありません。01〜47 を指定してください。")
    return code


@app.command()
def prefectures(fmt: Fmt = "table", pref: Pref = None) -> None:
    """47都道府県（JIS X 0401 コード、名称、2020年国勢調査人口、ブロック）。"""
    df = reference.prefectures()
    if (code := _pref(pref)) is not None:
        df = df.filter(pl.col("prefecture_code") == code)
    print_frame(df, fmt=fmt, title="都道府県", limit=47)


@app.command()
def blocks(fmt: Fmt = "table", pref: Pref = None) -> None:
    """経済産業局の管轄による9つの地域ブロックと構成都道府県。"""
    df = reference.blocks()
    if (code := _pref(pref)) is not None:
        df = df.filter(pl.col("prefecture_codes").list.contains(code))
    print_frame(df.with_columns(pl.col("prefecture_codes").list.join(",")), fmt=fmt, title="地域ブロック")


@app.command()
def municipalities(fmt: Fmt = "table", pref: Pref = None) -> None:
    """市区町村（JIS X 0402 5桁コード、検査数字、名称、緯度経度、種別）。政令指定都市は市全体と区の両方を載せます。"""
    print_frame(reference.municipalities(_pref(pref)), fmt=fmt, title="市区町村", limit=2000)


@app.command()
def jsic(
    fmt: Fmt = "table",
    level: Annotated[
        str, typer.Option(help="major（大分類）, middle（中分類）, minor（小分類）, detail（細分類）")
    ] = "middle",
) -> None:
    """日本標準産業分類（第14回改定）のコードと名称。"""
    if level not in ("major", "middle", "minor", "detail"):
        raise fail(f"--level は major / middle / minor / detail のいずれかです: {level}")
    print_frame(reference.jsic(level), fmt=fmt, title=f"日本標準産業分類（{level}）", limit=2000)


@app.command()
def fields(
    fmt: Fmt = "table",
    mapping: Annotated[
        str | None,
        typer.Option(help="戦略分野とJSIC中分類の対応表CSV（field_id,jsic_code）。省略時は同梱の既定表。"),
    ] = None,
) -> None:
    """17の戦略分野と、対応する日本標準産業分類（中分類）。対応表は編集可能なデータです。"""
    try:
        m = reference.field_jsic_mapping(mapping)
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from exc
    names = reference.jsic("middle").select(
        pl.col("code").alias("jsic_code"), pl.col("name").alias("jsic_name")
    )
    joined = m.join(names, on="jsic_code", how="left").with_columns(
        (pl.col("jsic_code") + " " + pl.col("jsic_name")).alias("jsic")
    )
    df = reference.fields().join(
        joined.group_by("field_id").agg(pl.col("jsic").sort().str.join("、")), on="field_id", how="left"
    )
    print_frame(df.sort("field_id"), fmt=fmt, title="17の戦略分野", limit=17)
