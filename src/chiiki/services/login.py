"""Checking a username and password, shared by the login page and ``POST /api/v1/auth/token``:
argon2 verification (a dummy hash for unknown users, so timing tells nothing) behind the login rate
limit (issue #7 §4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, Principal
from chiiki.services.security import verify_password
from chiiki.services.state import AppState
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
    )


def authenticate(
    state: AppState, db: Session, username: str, password: str, *, client: str
) -> Principal | None:
    """The principal for valid, active credentials; None otherwise. Raises AccessDeniedError (429) while
    the username or the client address is locked out by too many failures."""
    keys = (f"user:{username.lower()}", f"addr:{client}")
    if state.limiter.is_blocked(*keys):
        raise AccessDeniedError(
            f"ログインの失敗が続いたため、一時的にログインを止めています。{state.web.login_window_s // 60}分ほど待ってから"
            "もう一度お試しください。パスワードが分からない場合は管理者に連絡してください。",
            status_code=429,
        )
    user = get_user_by_username(db, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        state.limiter.record_failure(*keys)
        return None
    state.limiter.reset(keys[0])
    return principal_of(user)
