"""FastAPI dependencies shared by the pages and the REST API: the app's state, a database session per request, the
current user (bearer token for the API, session cookie for pages) and the CSRF check on forms.

What a user may see or do is decided in :mod:`chiiki.services.access`; this module only finds out who
the user is. Route signatures read as declarations through the ``Annotated`` aliases below.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, NotAuthenticatedError, Principal
from chiiki.services.security import csrf_matches, read_token
from chiiki.services.state import AppState
from chiiki.store.models import User


def get_state(request: Request) -> AppState:
    return request.app.state.chiiki


State = Annotated[AppState, Depends(get_state)]


def get_db(state: State) -> Iterator[Session]:
    """A session committed when the request's work succeeded, rolled back otherwise."""
    session = state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db)]


def _active_principal(db: Session, username: str | None) -> Principal | None:
    """The active user ``username`` as a :class:`Principal`: one indexed row of the columns the
    access rules read (every request asks, so no ORM object is built)."""
    if not username:
        return None
    row = db.execute(
        select(User.username, User.role, User.prefecture_code, User.block_code, User.municipality_code,
               User.id.label("user_id")).where(User.username == username, User.is_active.is_(True))
    ).first()  # fmt: skip
    return None if row is None else Principal(**row._asdict())


def api_principal(request: Request, state: State, db: Db) -> Principal:
    """The user named by a valid ``Authorization: Bearer <token>`` header (401 otherwise)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticatedError(
            "認証が必要です。POST /api/v1/auth/token で取得したトークンを Authorization: Bearer ヘッダーで送ってください。"
        )
    username = read_token(state.web.secret_key, token.strip(), max_age_s=state.web.token_max_age_s)
    principal = _active_principal(db, username)
    if principal is None:
        raise NotAuthenticatedError(
            "トークンが無効か期限切れです。POST /api/v1/auth/token で取得し直してください。"
        )
    return principal


def page_principal_optional(request: Request, db: Db) -> Principal | None:
    return _active_principal(db, request.session.get("uid"))


def page_principal(request: Request, db: Db) -> Principal:
    """The logged-in user of a page (redirects to the login page otherwise)."""
    principal = _active_principal(db, request.session.get("uid"))
    if principal is None:
        request.session.pop("uid", None)
        raise NotAuthenticatedError()
    return principal


async def csrf_protect(request: Request) -> None:
    """Reject a form POST whose ``csrf_token`` field (or ``X-CSRF-Token`` header) does not match the
    session's token."""
    given = request.headers.get("x-csrf-token")
    if not given:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not csrf_matches(request.session.get("csrf"), given):
        raise AccessDeniedError(
            "フォームの有効期限が切れたか、不正な送信です（CSRF対策）。ページを読み込み直してからもう一度送信してください。"
        )


ApiUser = Annotated[Principal, Depends(api_principal)]
PageUser = Annotated[Principal, Depends(page_principal)]
MaybePageUser = Annotated[Principal | None, Depends(page_principal_optional)]
Csrf = Depends(csrf_protect)
