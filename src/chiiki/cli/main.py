"""Entry point of the ``chiiki`` command. Each command group lives in its own module, imported only
when the command runs (:mod:`chiiki.cli.lazy`)."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # BLAS threads slow small solves on few cores

import typer  # noqa: E402

from chiiki.cli.lazy import LazyEntry, LazyGroup  # noqa: E402

COMMANDS = {
    "reference": LazyEntry("chiiki.cli.reference", "app", "参照データ（都道府県・ブロック・市区町村・日本標準産業分類・17の戦略分野）を表示します。"),
    "db": LazyEntry("chiiki.cli.db", "app", "データベースを作成・更新します。"),
    "plans": LazyEntry("chiiki.cli.plans", "app", "クラスター計画（A・B・C）の一覧・内容表示・手続き・実績・加点の確認・Excel/JSON 出力・取込みを行います。"),
    "firms": LazyEntry("chiiki.cli.firms", "app", "企業分析: コネクター度・ハブ度、優先度スコア、取引額の推計、役割、波及、商流圏。"),
    "industry": LazyEntry("chiiki.cli.industry", "app", "産業分析: 特化係数、稼ぐ力、経済複雑性、重点分野の候補。"),
    "io": LazyEntry("chiiki.cli.io", "app", "産業連関表: 読み込み、逆行列と乗数、経済波及効果、地域表の推計、地域経済循環。"),
    "validate": LazyEntry("chiiki.cli.data", "validate", "企業・取引データを検証します（取り込みはしません）。"),
    "import": LazyEntry("chiiki.cli.data", "import_", "企業・取引データを検証し、新しい版として取り込みます。"),
    "template": LazyEntry("chiiki.cli.data", "template", "企業・取引データの記入用テンプレートを書き出します。"),
    "synth": LazyEntry("chiiki.cli.data", "synth", "模擬の全国経済（企業・取引データ）を生成します。"),
    "demo": LazyEntry("chiiki.cli.demo", "demo", "デモ環境を作ります（すべてデモデータ）。"),
    "admin": LazyEntry("chiiki.cli.admin", "app", "利用者の管理（作成など）を行います。"),
    "serve": LazyEntry("chiiki.cli.serve", "serve", "Web画面とREST APIを起動します。"),
    "worker": LazyEntry("chiiki.cli.worker", "worker", "バックグラウンド処理を実行します（PostgreSQL のとき）。"),
}  # fmt: skip
"""Every command: its module, object and one-line help (checked against the command's own help)."""


class ChiikiGroup(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="chiiki",
    cls=ChiikiGroup,
    help=(
        "Chiiki Mirai（地域未来）: 地域未来戦略のクラスター計画（A 戦略産業クラスター計画・"
        "B 地域産業クラスター計画・C 地場産業成長プラン）を作り、運用するための分析ツールです。\n\n"
        "金額は特に断りのない限り千円（企業データ）または表の単位（産業連関表、通常は百万円）です。"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@app.callback()
def main() -> None:
    """The top-level group (its help is the app's)."""


if __name__ == "__main__":
    app()
