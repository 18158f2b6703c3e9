"""``chiiki industry``: 特化係数, 稼ぐ力, complexity and focus-field suggestions (SPEC §4).

Each command parses, builds the region × industry frame from ``--source``, calls one core function
of :mod:`chiiki.industry` and writes the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import polars.selectors  # noqa: F401 - pl.selectors in _emit
import typer

from chiiki import industry
from chiiki.cli.output import console, fail, print_frame, spinner, write_frames
from chiiki.industry.suggest import CATEGORY_LABELS
from chiiki.reference import field_jsic_mapping, jsic

app = typer.Typer(
    add_completion=False,
    help=(
        "産業の特化係数（LQ）・稼ぐ力・産業の複雑性（ECI/PCI、関連密度）と、17の戦略分野から力を入れる"
        "産業分野の候補を示します。データは --source firms DIR（企業データ）、--source matrix FILE"
        "（地域×産業の縦長CSV）、--source census FILE（経済センサスの表）のいずれかです。"
    ),
    no_args_is_help=True,
)

SOURCE_KINDS = ("firms", "matrix", "census")

Source = Annotated[
    tuple[str, Path],
    typer.Option(
        "--source",
        help="データの種類とパス: firms DIR（企業データのフォルダ）/ matrix FILE（region_code,industry_code,"
        "measure,value[,fiscal_year] の縦長表）/ census FILE（regional_census_2012_2014.csv 形式）",
    ),
]
Measure = Annotated[
    str,
    typer.Option(
        "--measure",
        help="指標: employees（従業者数）, establishments（事業所数）, sales（売上高）, "
        "value_added（付加価値額）",
    ),
]
Year = Annotated[int | None, typer.Option("--year", help="年度（省略時は最新年度）")]
Level = Annotated[
    str | None,
    typer.Option(
        "--level", help="産業分類の集計先: middle（中分類）か major（大分類）。省略時はデータのまま"
    ),
]
Out = Annotated[
    Path | None, typer.Option("--out", help="結果の書き出し先（.csv / .xlsx / .parquet / .json）")
]
Fmt = Annotated[str, typer.Option("--format", help="画面出力の形式: table, csv, json")]


def load_frame(source: tuple[str, Path], *, level: str | None = None) -> pl.DataFrame:
    """Build the long region × industry frame from a ``--source`` pair (SPEC §4)."""
    kind, path = source
    if kind not in SOURCE_KINDS:
        raise fail(f"--source の種類は {' / '.join(SOURCE_KINDS)} のいずれかです: {kind}")
    if not path.exists():
        raise fail(f"{path} がありません。--source のパスを確認してください。")
    try:
        with spinner() as progress:
            progress.add_task("地域×産業の表を作っています…", total=None)
            if kind == "firms":
                from chiiki.data import read_dataset

                frame = industry.matrix_from_firms(read_dataset(path))
            elif kind == "census":
                frame = industry.matrix_from_census(path)
            else:
                frame = industry.read_matrix_csv(path)
            if level is not None:
                frame = industry.aggregate_industry(frame, to=level)
    except industry.IndustryDataError as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - firm-data readers raise their own Japanese errors
        raise fail(f"{path}: データを読み込めません: {exc}") from exc
    return frame


def with_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Append ``industry_name`` (JSIC) after the core columns, for people."""
    names = (
        jsic()
        .select(pl.col("code").alias("industry_code"), pl.col("name").alias("industry_name"))
        .unique("industry_code")
    )
    return frame.join(names, on="industry_code", how="left", maintain_order="left")


def _write(frames: dict[str, pl.DataFrame], out: Path) -> None:
    for path in write_frames(frames, out):
        console.print(f"書き出しました: {path}")


def _emit(frames: dict[str, pl.DataFrame], *, out: Path | None, fmt: str, titles: dict[str, str]) -> None:
    if out is not None:
        _write(frames, out)
        return
    for name, frame in frames.items():
        shown = frame.with_columns(pl.selectors.float().round(4)) if fmt == "table" else frame
        print_frame(shown, fmt=fmt, title=titles.get(name, name))


def _check_measure(measure: str) -> None:
    if measure not in industry.MEASURES:
        raise fail(f"--measure は {', '.join(industry.MEASURES)} のいずれかです: {measure}")


@app.command()
def lq(
    source: Source,
    measure: Annotated[
        str | None, typer.Option("--measure", help="指標で絞り込みます（省略時はすべての指標）")
    ] = None,
    pref: Annotated[str | None, typer.Option("--pref", help="都道府県コードで絞り込みます（例: 07）")] = None,
    level: Level = None,
    out: Out = None,
    fmt: Fmt = "table",
) -> None:
    """特化係数（LQ）＝（地域の産業構成比）÷（全国の産業構成比）。

    出力列: region_code, industry_code, measure,（fiscal_year,）value, share（地域内構成比）, lq,
    industry_name。
    全国値は表に全国行（region_code=00）があればそれを、なければ地域の合計を使います。
    """
    if measure is not None:
        _check_measure(measure)
    frame = load_frame(source, level=level)
    try:
        result = industry.location_quotient(frame, measures=[measure] if measure else None)
    except industry.IndustryDataError as exc:
        raise fail(str(exc)) from exc
    if pref is not None:
        result = result.filter(pl.col("region_code") == industry.suggest.normalize_prefecture(pref))
        if result.is_empty():
            raise fail(f"都道府県コード {pref} のデータがありません。")
    _emit({"lq": with_names(result)}, out=out, fmt=fmt, titles={"lq": "特化係数（LQ）"})


@app.command("earning-power")
def earning_power(
    source: Source,
    pref: Annotated[str, typer.Option("--pref", help="都道府県コード（例: 07）")],
    lq_measure: Annotated[
        str, typer.Option("--lq-measure", help="特化係数の指標（既定: employees）")
    ] = "employees",
    year: Year = None,
    level: Level = None,
    out: Out = None,
    fmt: Fmt = "table",
) -> None:
    """稼ぐ力（RESAS 型）: 産業ごとの従業者比率（雇用力）と特化係数の対数（稼ぐ力）。

    横軸 employment_share、縦軸 log_lq のグラフの元データを出力します。
    """
    _check_measure(lq_measure)
    frame = load_frame(source, level=level)
    try:
        result = industry.earning_power(
            frame, region=industry.suggest.normalize_prefecture(pref), fiscal_year=year, lq_measure=lq_measure
        )
    except (industry.IndustryDataError, ValueError) as exc:
        raise fail(str(exc)) from exc
    _emit(
        {"earning_power": with_names(result)}, out=out, fmt=fmt, titles={"earning_power": f"稼ぐ力（{pref}）"}
    )


@app.command()
def complexity(
    source: Source,
    measure: Measure = "employees",
    year: Year = None,
    level: Level = None,
    threshold: Annotated[float, typer.Option(help="RCA がこの値以上なら「立地している」とみなします")] = 1.0,
    out: Out = None,
    fmt: Fmt = "table",
) -> None:
    """経済複雑性: 地域の ECI、産業の PCI、地域×産業の RCA と関連密度（density）。

    --out に .xlsx を指定すると eci / pci / cells の3シート、.csv などでは <名前>_eci.csv のように
    3ファイルに書き出します。
    """
    _check_measure(measure)
    frame = load_frame(source, level=level)
    try:
        result = industry.complexity(frame, measure=measure, fiscal_year=year, threshold=threshold)
    except industry.IndustryDataError as exc:
        raise fail(str(exc)) from exc
    frames = {
        "eci": result.regions.sort("eci", descending=True, nulls_last=True),
        "pci": with_names(result.industries.sort("pci", descending=True, nulls_last=True)),
        "cells": result.cells.select("region_code", "industry_code", "value", "rca", "presence", "density"),
    }
    titles = {
        "eci": "地域の経済複雑性指標（ECI）",
        "pci": "産業の複雑性指標（PCI）",
        "cells": "RCA と関連密度",
    }
    _emit(frames, out=out, fmt=fmt, titles=titles)


@app.command()
def suggest(
    source: Source,
    pref: Annotated[str, typer.Option("--pref", help="都道府県コード（例: 07 = 福島県）")],
    measure: Measure = "employees",
    year: Year = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="戦略分野とJSIC中分類の対応表CSV（field_id,jsic_code）")
    ] = None,
    out: Out = None,
    fmt: Fmt = "table",
) -> None:
    """17の戦略分野の候補順位と理由。

    特化係数（強み）、関連密度（伸びしろ）、規模、成長率（複数年度があるとき）から順位を付けます。
    """
    _check_measure(measure)
    frame = load_frame(source)
    try:
        m = field_jsic_mapping(mapping) if mapping is not None else None
        result = industry.suggest_fields(frame, prefecture=pref, measure=measure, fiscal_year=year, mapping=m)
    except (industry.IndustryDataError, ValueError, OSError) as exc:
        raise fail(str(exc)) from exc
    if fmt == "table" and out is None:  # on screen: the columns a planner reads, in Japanese
        result = result.select(
            pl.col("rank").alias("順位"), pl.format("{} {}", "field_id", "field_name").alias("戦略分野"),
            pl.col("category").replace_strict(CATEGORY_LABELS).alias("区分"),
            pl.col("lq").round(2).alias("特化係数"), pl.col("density").round(3).alias("関連密度"),
            pl.col("score").round(3).alias("スコア"), pl.col("reason").alias("理由"),
        )  # fmt: skip
    _emit({"suggest": result}, out=out, fmt=fmt, titles={"suggest": f"戦略分野の候補（{pref}）"})
