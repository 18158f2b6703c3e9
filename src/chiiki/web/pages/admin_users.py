"""利用者管理 (issue #12 §6): administrators create users, disable and enable them (disabling ends
every login of the user at once), reset a password (a random one, shown once on the answer page and
stored only as an argon2 hash) and change role and scope. Every change is audited
(:mod:`chiiki.services.user_admin` over :mod:`chiiki.store.users`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from chiiki.http.deps import Csrf, Db, PageUser
from chiiki.reference import blocks
from chiiki.services import user_admin
from chiiki.services.access import Principal
from chiiki.store.errors import ConcurrentEditError, InvalidInputError, NotFoundError
from chiiki.store.models import ROLES
from chiiki.web.pages.common import flash, redirect, render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, principal: Principal, db: Session, *, status_code: int = 200, **extra: object
) -> Response:
    users = user_admin.list_accounts(db, principal)
    return render(
        request, "admin_users.html", principal, nav="admin", users=users, roles=ROLES,
        block_names=dict(zip(blocks()["block_code"], blocks()["name"], strict=True)), status_code=status_code,
        **extra,
    )  # fmt: skip


def _scope(form: FormData) -> dict:
    return {
        "role": str(form.get("role") or ""),
        "prefecture_code": str(form.get("prefecture_code") or "") or None,
        "block_code": str(form.get("block_code") or "") or None,
        "municipality_code": str(form.get("municipality_code") or "").strip() or None,
    }


def _version(form: FormData) -> int:
    raw = str(form.get("version") or "").strip()
    if not raw.isdigit():
        raise InvalidInputError("フォームの版がありません。ページを読み込み直してください。")
    return int(raw)


@router.get("/admin/users")
def users_page(request: Request, principal: PageUser, db: Db) -> Response:
    return _page(request, principal, db)


@router.post("/admin/users", dependencies=[Csrf])
async def user_create(request: Request, principal: PageUser, db: Db) -> Response:
    form = await request.form()
    try:
        user = user_admin.create_account(
            db, principal, username=str(form.get("username") or ""), password=str(form.get("password") or ""),
            display_name=str(form.get("display_name") or ""), **_scope(form),
        )  # fmt: skip
    except InvalidInputError as exc:
        db.rollback()
        return _page(request, principal, db, status_code=422, errors=[str(exc)], form=dict(form))
    flash(request, f"利用者「{user.username}」を作成しました。")
    return redirect("/admin/users")


async def _change(request: Request, principal: Principal, db: Session, user_id: int, action: str) -> Response:
    form = await request.form()
    try:
        if action == "role":
            user = user_admin.set_role(
                db, principal, user_id, expected_version=_version(form),
                display_name=str(form.get("display_name") or ""), **_scope(form),
            )  # fmt: skip
            flash(request, f"利用者「{user.username}」の役割と担当地域を変更しました。")
        elif action == "active":
            active = str(form.get("active") or "") == "1"
            user = user_admin.set_active(
                db, principal, user_id, active=active, expected_version=_version(form)
            )
            flash(
                request,
                f"利用者「{user.username}」を"
                + (
                    "利用再開しました。"
                    if active
                    else "利用停止にしました（ログイン中の画面・トークンもすべて無効になりました）。"
                ),
            )
        else:
            user, password = user_admin.reset_password(
                db, principal, user_id, expected_version=_version(form)
            )
            return _page(
                request, principal, db, new_password={"username": user.username, "password": password}
            )
    except (InvalidInputError, ConcurrentEditError, NotFoundError) as exc:
        db.rollback()
        flash(request, str(exc), "error")
    return redirect("/admin/users")


@router.post("/admin/users/{user_id}/role", dependencies=[Csrf])
async def user_role(request: Request, principal: PageUser, db: Db, user_id: int) -> Response:
    return await _change(request, principal, db, user_id, "role")


@router.post("/admin/users/{user_id}/active", dependencies=[Csrf])
async def user_active(request: Request, principal: PageUser, db: Db, user_id: int) -> Response:
    return await _change(request, principal, db, user_id, "active")


@router.post("/admin/users/{user_id}/password", dependencies=[Csrf])
async def user_password(request: Request, principal: PageUser, db: Db, user_id: int) -> Response:
    return await _change(request, principal, db, user_id, "password")
