"""``POST /api/v1/auth/token`` issues a bearer token for API clients, ``DELETE /api/v1/auth/token``
revokes it (issue #7 §1, issue #10 §3)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chiiki.api.schemas import ErrorOut, TokenIn, TokenOut
from chiiki.http.deps import ApiUser, Client, Db, State, bearer_token
from chiiki.http.errors import error_response
from chiiki.services.login import BAD_LOGIN, authenticate, end_login, start_login

router = APIRouter(prefix="/auth", tags=["認証"])


@router.post(
    "/token", response_model=TokenOut, responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}}
)
def create_token(
    body: TokenIn, request: Request, state: State, db: Db, client: Client
) -> TokenOut | Response:
    """ユーザー名とパスワードからアクセストークンを発行します（有効期限は expires_in 秒）。"""
    principal = authenticate(state, db, body.username, body.password, client=client)
    if principal is None:
        return error_response(request, 401, BAD_LOGIN)  # answered, not raised: the failure is counted
    return TokenOut(
        access_token=start_login(state, db, principal, kind="api", client=client),
        expires_in=state.web.token_max_age_s,
    )


@router.delete("/token", status_code=204, responses={401: {"model": ErrorOut}})
def revoke_token(request: Request, _user: ApiUser, db: Db) -> Response:
    """このトークンを無効にします（ログアウト）。以後このトークンは使えません。"""
    end_login(db, bearer_token(request))
    return Response(status_code=204)
