"""Logging in and out, shared by the login page and ``POST /api/v1/auth/token`` (issue #10 §3, §8):
argon2 verification (a dummy hash for unknown users, so timing tells nothing) behind the login
throttle (:mod:`chiiki.services.throttle`), and logins kept as rows in the store so that logout,
disabling a user and a password change end them at once in every process."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, Principal
from chiiki.services.security import verify_password
from chiiki.services.state import AppState
from chiiki.store import auth
from chiiki.store.models import User
from chiiki.store.users import get_user_by_username

BAD_LOGIN = "ユーザー名またはパスワードが違います。"


def principal_of(user: User) -> Principal:
    return Principal(
        username=user.username,
        role=user.role,
        prefecture_code=user.prefecture_code,
        block_code=user.block_code,
        municipality_code=user.municipality_code,
        user_id=user.id,
        chosen_dataset_id=user.chosen_dataset_id,
    )


def authenticate(
    state: AppState, db: Session, username: str, password: str, *, client: str
) -> Principal | None:
    """The principal for valid, active credentials; None otherwise (the failure is counted in
    ``db``: the caller commits it, answering 401 without raising). Raises AccessDeniedError (429)
    while the username or the client address has to wait after failures."""
    wait = state.limiter.wait_s(db, username, client)
    if wait:
        raise AccessDeniedError(
            f"ログインの失敗が続いたため、あと {wait} 秒ほどログインできません。時間をおいてからもう一度お試しください。"
            "パスワードが分からない場合は管理者に連絡してください。",
            status_code=429,
        )
    user = get_user_by_username(db, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        state.limiter.record_failure(db, username, client)
        return None
    state.limiter.record_success(db, username)
    return principal_of(user)


def start_login(state: AppState, db: Session, principal: Principal, *, kind: str, client: str) -> str:
    """A new login token for ``principal``: a browser session (``web``) or an API token (``api``)."""
    max_age = state.web.session_max_age_s if kind == "web" else state.web.token_max_age_s
    assert principal.user_id is not None
    return auth.open_login(db, principal.user_id, kind=kind, max_age_s=max_age, client=client)


def principal_from_token(db: Session, token: str | None, *, kind: str) -> Principal | None:
    """The active user of a valid login token, else None (one indexed query per request)."""
    if not token:
        return None
    row = auth.login_user(db, token, kind=kind)
    return None if row is None else Principal(**row._asdict())


def end_login(db: Session, token: str | None) -> None:
    """Log out: the token stops working at once, in every process."""
    if token:
        auth.close_login(db, token)
