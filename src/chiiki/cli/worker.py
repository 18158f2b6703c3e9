"""``chiiki worker``: run background jobs from the PostgreSQL job queue (issue #15 §2). Start one or
more on any machine that reaches the database; they share the queue."""

from __future__ import annotations

from typing import Annotated

import typer

from chiiki.cli.output import console, fail


def worker(
    concurrency: Annotated[int, typer.Option(help="同時に実行する処理の数")] = 1,
    once: Annotated[bool, typer.Option("--once", help="待っている処理を片付けたら終了します")] = False,
) -> None:
    """バックグラウンド処理（取り込み・分析の作成・大きな書き出し）を実行します（PostgreSQL のとき）。

    データベースは CHIIKI_DATABASE_URL です。停止は Ctrl+C（実行中の処理が終わってから止まります）。"""
    import logging.config
    import os

    from chiiki.server.logs import log_config
    from chiiki.services.jobs import load_handlers, recover_jobs
    from chiiki.services.queue import QUEUE, conninfo_of, ensure_queue_schema, queue_app
    from chiiki.store import create_engine_from_settings, get_settings
    from chiiki.store.migrate import is_up_to_date

    try:
        config = log_config(os.environ.get("CHIIKI_LOG_FORMAT", "text"))
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if config is None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    else:
        logging.config.dictConfig(config)
    settings = get_settings()
    engine = create_engine_from_settings(settings)
    if engine.dialect.name != "postgresql":
        raise fail(
            "chiiki worker は PostgreSQL（CHIIKI_DATABASE_URL）のときに使います。"
            "既定の SQLite では Web の処理がそのまま実行します。"
        )
    if not is_up_to_date(engine):
        raise fail("データベースが最新の構造になっていません。先に chiiki db upgrade を実行してください。")
    load_handlers()
    app = queue_app(conninfo_of(settings.resolved_database_url), engine)
    ensure_queue_schema(engine, app)
    queued = recover_jobs(engine)
    console.print(f"処理の実行を始めます（同時 {concurrency} 件、待機中 {len(queued)} 件）。停止は Ctrl+C。")
    app.run_worker(queues=[QUEUE], concurrency=concurrency, wait=not once)
