"""``chiiki demo``: build the embedded demo (synthetic economy, imported data set) from scratch."""

from __future__ import annotations

import shutil
from typing import Annotated

import polars as pl
import typer

from chiiki.cli.data import data_dir
from chiiki.cli.output import console, print_frame
from chiiki.data.datasets import import_dataset, write_dataset
from chiiki.data.synth import generate_economy

DEMO_FIRMS = 50_000
DEMO_YEARS = (2022, 2023, 2024)
DEMO_SEED = 2026


def demo(
    firms: Annotated[int, typer.Option(help="模擬経済の企業数（全国）")] = DEMO_FIRMS,
    seed: Annotated[int, typer.Option(help="乱数の種")] = DEMO_SEED,
) -> None:
    """デモ環境を作ります: 模擬の全国経済（約5万社・3年度、福島県を含む）を生成し、
    データフォルダ（$CHIIKI_DATA_DIR、既定 ./var/chiiki）に取り込みます。すべてデモデータです。"""
    root = data_dir()
    source = root / "demo-source"
    shutil.rmtree(source, ignore_errors=True)
    with console.status(f"模擬経済（{firms:,} 社）を生成しています…"):
        dataset = generate_economy(n_firms=firms, years=DEMO_YEARS, seed=seed)
        write_dataset(dataset, source, info={"demo": True})
    with console.status("検証して取り込んでいます…"):
        result = import_dataset(source, root, name="demo", actor="demo")
    console.print(
        f"[bold green]デモデータセット「demo」{result.version} を取り込みました[/]（{result.path}）"
    )
    latest = dataset.companies.filter(pl.col("fiscal_year") == max(DEMO_YEARS))
    by_pref = latest.group_by("prefecture_code").agg(
        pl.len().alias("企業数"), (pl.col("sales").sum() / 1000).round(0).alias("売上高（百万円）")
    )
    print_frame(
        by_pref.sort("企業数", descending=True).head(10), title=f"{max(DEMO_YEARS)}年度 企業数の多い都道府県"
    )
    fukushima = by_pref.filter(pl.col("prefecture_code") == "07")
    console.print(f"福島県: {fukushima['企業数'].item():,} 社（デモデータ）")
