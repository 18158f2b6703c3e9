"""FastAPI dependencies shared by the pages and the REST API: the app's state, a database session per request, the
current user (bearer token for the API, session cookie for pages) and the CSRF check on forms.

What a user may see or do is decided in :mod:`chiiki.services.access`; this module only finds out who
the user is. Route signatures read as declarations through the ``Annotated`` aliases below.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, NotAuthenticatedError, Principal
from chiiki.services.addresses import client_address
from chiiki.services.login import principal_from_token
from chiiki.services.security import csrf_matches
from chiiki.services.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.chiiki


State = Annotated[AppState, Depends(get_state)]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request, state: State) -> Iterator[Session]:
    """The request's session. Committed when the request's work succeeded — before the response is
    sent (``scope="function"``), so a client that reads back what it just wrote finds it — and
    rolled back otherwise (issue #10 §4). A request that may write gets a session whose transaction
    takes the write lock at its start on SQLite (:mod:`chiiki.store.engine`)."""
    factory = state.read_sessions if request.method in SAFE_METHODS else state.sessions
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db, scope="function")]

SESSION_KEY = "sid"
"""The browser session's login token inside the signed session cookie."""


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="POST /api/v1/auth/token で取得したアクセストークン",
)
"""Declares the bearer scheme in the OpenAPI document; the token itself is checked below."""


def api_principal(
    request: Request, db: Db, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Principal:
    """The user of a valid ``Authorization: Bearer <token>`` header (401 otherwise)."""
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticatedError(
            "認証が必要です。POST /api/v1/auth/token で取得したトークンを Authorization: Bearer ヘッダーで送ってください。"
        )
    principal = principal_from_token(db, token, kind="api")
    if principal is None:
        raise NotAuthenticatedError(
            "トークンが無効か期限切れです（ログアウト・パスワード変更・利用停止でも無効になります）。"
            "POST /api/v1/auth/token で取得し直してください。"
        )
    return principal


def page_principal_optional(request: Request, db: Db) -> Principal | None:
    return principal_from_token(db, request.session.get(SESSION_KEY), kind="web")


def page_principal(request: Request, db: Db) -> Principal:
    """The logged-in user of a page (redirects to the login page otherwise)."""
    principal = principal_from_token(db, request.session.get(SESSION_KEY), kind="web")
    if principal is None:
        request.session.pop(SESSION_KEY, None)
        raise NotAuthenticatedError()
    return principal


def client_of(request: Request, state: State) -> str:
    """The client's address, believing ``X-Forwarded-For`` only from a trusted proxy."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), tuple(state.web.trusted_proxies))


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
DatasetId = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**31 - 1,
        description="分析に使うデータセットの版 ID（省略時は前回選んだもの、なければ全国の最新版）",
    ),
]
Client = Annotated[str, Depends(client_of)]
