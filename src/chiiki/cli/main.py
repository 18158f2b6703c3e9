"""Entry point of the ``chiiki`` command. Each command group lives in its own module."""

from __future__ import annotations

import typer

from chiiki.cli import admin, io_regional, serve, worker
from chiiki.cli import data as data_cli
from chiiki.cli import db as db_cli
from chiiki.cli import demo as demo_cli
from chiiki.cli import firms as firms_cli
from chiiki.cli import industry as industry_cli
from chiiki.cli import io as io_cli
from chiiki.cli import plans as plans_cli
from chiiki.cli import reference as reference_cli

app = typer.Typer(
    name="chiiki",
    help=(
        "Chiiki Mirai（地域未来）: 地域未来戦略のクラスター計画（A 戦略産業クラスター計画・"
        "B 地域産業クラスター計画・C 地場産業成長プラン）を作り、運用するための分析ツールです。\n\n"
        "金額は特に断りのない限り千円（企業データ）または表の単位（産業連関表、通常は百万円）です。"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(reference_cli.app, name="reference")
app.add_typer(db_cli.app, name="db")
app.add_typer(plans_cli.app, name="plans")
app.add_typer(firms_cli.app, name="firms")
app.add_typer(industry_cli.app, name="industry")
io_regional.register(io_cli.app)
app.add_typer(io_cli.app, name="io")
data_cli.register(app)
app.command("demo")(demo_cli.demo)
app.add_typer(admin.app, name="admin")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)


if __name__ == "__main__":
    app()
