"""``chiiki serve``: start the web application and REST API with uvicorn (issue #7 §1)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from chiiki.cli.output import fail


def serve(
    host: Annotated[
        str,
        typer.Option(
            help="待ち受けるアドレス。外部に公開する場合は HTTPS の逆プロキシの後ろで使ってください。"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="ポート番号")] = 8000,
    workers: Annotated[int, typer.Option(help="ワーカープロセス数")] = 1,
) -> None:
    """Web画面とREST API（/api/v1、仕様は /openapi.json）を起動します。データベースと秘密鍵は
    CHIIKI_DATABASE_URL・CHIIKI_DATA_DIR・CHIIKI_SECRET_KEY（または CHIIKI_SECRET_KEY_FILE、
    データフォルダの secret_key）・CHIIKI_ENVIRONMENT で設定します。ログを JSON（1行1件）にするには
    CHIIKI_LOG_FORMAT=json とします。"""
    import uvicorn  # noqa: PLC0415 - only this command needs it

    from chiiki.server.logs import log_config  # noqa: PLC0415
    from chiiki.services.settings import SettingsError, load_web_settings  # noqa: PLC0415
    from chiiki.store import create_engine_from_settings, get_settings  # noqa: PLC0415
    from chiiki.store.migrate import is_up_to_date  # noqa: PLC0415

    settings = get_settings()
    try:
        load_web_settings().resolve_secret(settings.data_dir)
        logging = log_config(os.environ.get("CHIIKI_LOG_FORMAT", "text"))
    except (SettingsError, ValueError) as exc:
        raise fail(str(exc)) from exc
    engine = create_engine_from_settings(settings)
    try:
        up_to_date = is_up_to_date(engine)
    except Exception as exc:  # noqa: BLE001 - any connection problem becomes one message
        raise fail(
            f"データベースに接続できません（{exc}）。CHIIKI_DATABASE_URL を確認してください。"
        ) from exc
    finally:
        engine.dispose()
    if not up_to_date:
        raise fail("データベースが最新の構造になっていません。先に chiiki db upgrade を実行してください。")
    typer.echo(f"http://{host}:{port}/ で起動します（終了は Ctrl+C）。")
    # The app itself reads X-Forwarded-For, and only from the trusted proxies of its settings
    # (services/addresses.py); uvicorn's own rewriting of the client address stays off.
    options = {"log_config": logging} if logging is not None else {}
    uvicorn.run(
        "chiiki.server.asgi:app",
        host=host,
        port=port,
        workers=workers,
        factory=False,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        **options,
    )
