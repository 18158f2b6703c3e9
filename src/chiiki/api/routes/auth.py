"""``POST /api/v1/auth/token``: a bearer token for API clients (issue #7 §1, §4)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from chiiki.api.schemas import ErrorOut, TokenIn, TokenOut
from chiiki.http.deps import Db, State
from chiiki.services.access import NotAuthenticatedError
from chiiki.services.login import BAD_LOGIN, authenticate
from chiiki.services.security import issue_token

router = APIRouter(prefix="/auth", tags=["認証"])


@router.post(
    "/token", response_model=TokenOut, responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}}
)
def create_token(body: TokenIn, request: Request, state: State, db: Db) -> TokenOut:
    """ユーザー名とパスワードからアクセストークンを発行します（有効期限は expires_in 秒）。"""
    client = request.client.host if request.client else "unknown"
    principal = authenticate(state, db, body.username, body.password, client=client)
    if principal is None:
        raise NotAuthenticatedError(BAD_LOGIN)
    return TokenOut(
        access_token=issue_token(state.web.secret_key, principal.username),
        expires_in=state.web.token_max_age_s,
    )
