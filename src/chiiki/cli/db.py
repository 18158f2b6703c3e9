"""``chiiki db``: create or migrate the database (issue #6 §9)."""

from __future__ import annotations

import typer

from chiiki.cli.output import console, fail

app = typer.Typer(
    add_completion=False,
    help="データベース（既定: $CHIIKI_DATA_DIR/chiiki.sqlite3、$CHIIKI_DATABASE_URL で PostgreSQL も可）を管理します。",
    no_args_is_help=True,
)


def _engine():  # noqa: ANN202 - sqlalchemy Engine
    from chiiki.store import create_engine_from_settings, get_settings

    settings = get_settings()
    return settings, create_engine_from_settings(settings)


@app.command()
def upgrade() -> None:
    """データベースを最新の構成にします（なければ作成）。支援策カタログ（資料の支援策）も登録します。"""
    from sqlalchemy.exc import SQLAlchemyError

    from chiiki.services.store_setup import prepare_store
    from chiiki.store import head_revision

    settings, engine = _engine()
    url = engine.url.render_as_string(hide_password=True)
    try:
        revision = prepare_store(engine, settings.resolved_database_url)
    except SQLAlchemyError as exc:
        raise fail(
            f"データベース {url} を更新できません（{exc.__class__.__name__}: {str(exc).splitlines()[0]}）。"
            "CHIIKI_DATABASE_URL と、データベースサーバーが起動しているかを確認してください。"
        ) from exc
    finally:
        engine.dispose()
    console.print(f"[bold green]データベースを最新版（リビジョン {revision}）にしました[/]: {url}")
    if revision != head_revision():
        raise fail(f"最新版 {head_revision()} になっていません（現在 {revision}）。")


@app.command()
def current() -> None:
    """データベースの現在のリビジョンと最新のリビジョンを表示します。"""
    from sqlalchemy.exc import SQLAlchemyError

    from chiiki.store import current_revision, head_revision

    _, engine = _engine()
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise fail(
            f"データベースに接続できません（{exc.__class__.__name__}）。CHIIKI_DATABASE_URL を確認してください。"
        ) from exc
    finally:
        engine.dispose()
    console.print(f"現在: {revision or '（未作成）'} / 最新: {head_revision()}")
