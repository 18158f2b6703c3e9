"""``chiiki admin``: user administration (issue #7 §4)."""

from __future__ import annotations

from typing import Annotated

import typer

from chiiki.cli.output import fail

app = typer.Typer(add_completion=False, help="利用者の管理（作成など）を行います。", no_args_is_help=True)


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="ユーザー名")],
    password: Annotated[
        str,
        typer.Option(help="パスワード（12文字以上）", prompt=True, hide_input=True, confirmation_prompt=True),
    ],
    role: Annotated[str, typer.Option(help="役割: admin, reviewer, bureau, prefecture, municipal")],
    pref: Annotated[
        str | None, typer.Option("--pref", help="都道府県コード（prefecture の場合に必須）")
    ] = None,
    block: Annotated[
        str | None, typer.Option("--block", help="ブロック（bureau の場合に必須、例: tohoku）")
    ] = None,
    municipality: Annotated[
        str | None, typer.Option("--municipality", help="市区町村コード5桁（municipal の場合に必須）")
    ] = None,
) -> None:
    """利用者を作成します。パスワードは argon2 でハッシュ化して保存します。"""
    from chiiki.services.security import hash_password  # noqa: PLC0415
    from chiiki.store import StoreError, create_engine_from_settings, get_settings, session_scope  # noqa: PLC0415
    from chiiki.store import create_user as store_create_user  # noqa: PLC0415

    if len(password) < 12:
        raise fail("パスワードは12文字以上にしてください。")
    engine = create_engine_from_settings(get_settings())
    try:
        with session_scope(engine) as session:
            user = store_create_user(
                session, username=username, password_hash=hash_password(password), role=role, actor="cli:admin",
                prefecture_code=pref.zfill(2) if pref else None, block_code=block, municipality_code=municipality,
            )  # fmt: skip
            label = f"{user.username}（{role}）"
    except StoreError as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - e.g. tables missing
        raise fail(
            f"利用者を作成できませんでした（{exc}）。chiiki db upgrade を実行済みか確認してください。"
        ) from exc
    finally:
        engine.dispose()
    typer.echo(f"利用者 {label} を作成しました。")
