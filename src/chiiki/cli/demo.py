"""``chiiki demo``: the embedded demo store — synthetic economy, imported and registered data set,
demo plans (B 福島県, C 郡山市, A 東北), demo users and a random session secret (mode 600). All of it is
デモデータ. An existing demo store is kept (plans, passwords and secret stay); ``--reset`` rebuilds it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import Progress

from chiiki.cli.output import console, fail, print_frame
from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy

DEMO_FIRMS = 50_000
DEMO_YEARS = (2022, 2023, 2024)
DEMO_SEED = 2026
DEMO_MARKER = "DEMO"
"""File in the data directory that marks it as a demo store, which ``chiiki demo`` may rebuild."""


def _is_demo_store(root: Path) -> bool:
    return (root / DEMO_MARKER).exists()


def _prepare_data_dir(root: Path) -> None:
    """Rebuild a demo data directory; refuse to touch one holding a user's own data."""
    if root.exists() and any(root.iterdir()) and not _is_demo_store(root):
        raise fail(
            f"{root} には利用者のデータがあります。デモは上書きしません。"
            "CHIIKI_DATA_DIR に別のフォルダ（例: var/demo）を指定してください。"
        )
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / DEMO_MARKER).write_text("chiiki demo が作ったデモデータです。削除・再作成されます。\n", "utf-8")


def demo(
    firms: Annotated[int, typer.Option(help="模擬経済の企業数（全国）")] = DEMO_FIRMS,
    seed: Annotated[int, typer.Option(help="乱数の種")] = DEMO_SEED,
    reset: Annotated[bool, typer.Option("--reset", help="既存のデモを削除して作り直します")] = False,
) -> None:
    """デモ環境を作ります（すべてデモデータ）。

    模擬の全国経済（既定 5万社・3年度、福島県を含む）を生成して検証・取り込みし、データベース
    （$CHIIKI_DATABASE_URL、既定はデータフォルダ内の SQLite）に登録します。続いて福島県の B 計画
    （重点支援企業・KPI・経済波及効果つき）、郡山市の C 計画、東北ブロックの A 計画と、デモ利用者を作ります。
    データフォルダは $CHIIKI_DATA_DIR（既定 ./var/chiiki）です。既にデモがあればそのまま使い
    （計画・パスワードはそのまま）、--reset で作り直します。
    """
    from chiiki.services.demo_plans import build_demo_plans, demo_scores
    from chiiki.services.settings import ensure_secret_file
    from chiiki.store import migrate
    from chiiki.store.datasets import import_and_register
    from chiiki.store.engine import create_engine_from_settings, session_scope
    from chiiki.store.settings import get_settings

    settings = get_settings()
    root = settings.data_dir
    if _is_demo_store(root) and not reset:
        ensure_secret_file(root)
        console.print(
            f"既存のデモ（{root}）をそのまま使います。利用者のパスワードは作成時に表示したものです。"
            "作り直すには chiiki demo --reset（make demo-reset）を実行してください。"
        )
        return
    _prepare_data_dir(root)
    ensure_secret_file(root)
    engine = create_engine_from_settings(settings)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("デモを作っています", total=5)
        progress.update(task, description=f"模擬経済（{firms:,} 社）を生成しています…")
        dataset = generate_economy(n_firms=firms, years=DEMO_YEARS, seed=seed)
        source = root / "demo-source"
        write_dataset(dataset, source, info={"demo": True})
        progress.update(task, advance=1, description="データベースを準備しています…")
        migrate.upgrade(engine)
        progress.update(task, advance=1, description="検証して取り込んでいます…")
        version = import_and_register(engine, source, root, name="default", actor="demo")
        progress.update(task, advance=1, description="重点支援企業を選び、デモ計画を作っています…")
        scores = demo_scores(dataset)
        with session_scope(engine) as session:
            plan_ids = build_demo_plans(session, dataset, scores=scores, dataset_id=version.id)
        progress.update(task, advance=1, description="デモ利用者を作っています…")
        users = _demo_users(engine)
        progress.update(task, advance=1)

    console.print(
        f"[bold green]デモを作りました[/]（データフォルダ {root}、データセット default {version.version}）"
    )
    latest = dataset.companies.filter(pl.col("fiscal_year") == max(DEMO_YEARS))
    by_pref = latest.group_by("prefecture_code").agg(
        pl.len().alias("企業数"), (pl.col("sales").sum() / 1000).round(0).alias("売上高（百万円）")
    )
    fukushima = by_pref.filter(pl.col("prefecture_code") == "07")
    console.print(f"福島県の企業: {fukushima['企業数'].item():,} 社（{max(DEMO_YEARS)}年度、デモデータ）")
    top = scores.filter(pl.col("selected")).sort("score", descending=True).head(10)
    print_frame(
        top.select(
            pl.col("company_id").alias("企業ID"),
            pl.col("name").alias("企業名"),
            pl.col("score").round(1).alias("総合スコア"),
            (pl.col("connector_degree") * 100).round(2).alias("コネクター度（%）"),
            (pl.col("hub_degree") * 100).round(2).alias("ハブ度（%）"),
        ),
        title="福島県 重点支援企業の候補（上位10社、偏差値の加重合計）",
    )
    console.print("デモ計画: " + "、".join(f"{k} 計画 id={v}" for k, v in plan_ids.items()))
    if users:
        print_frame(
            pl.DataFrame(users, orient="row", schema=["ユーザー名", "役割", "範囲", "パスワード"]),
            title="デモ利用者（パスワードはここにだけ表示されます）",
        )
    console.print("起動: [bold]chiiki serve[/] → http://127.0.0.1:8000/ （make run は続けて起動します）")


def _demo_users(engine) -> list[tuple[str, str, str, str]]:
    from chiiki.services.demo_users import create_demo_users
    from chiiki.store.engine import session_scope

    with session_scope(engine) as session:
        return create_demo_users(session)
