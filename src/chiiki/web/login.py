"""Checking a username and password, shared by the login page and ``POST /api/v1/auth/token``:
argon2 verification (a dummy hash for unknown users, so timing tells nothing) behind the login rate
limit (issue #7 §4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chiiki.web.access import AccessDeniedError, Principal
from chiiki.web.deps import AppState, find_user, principal_of
from chiiki.web.security import verify_password

BAD_LOGIN = "ユーザー名またはパスワードが違います。"


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
    user = find_user(db, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        state.limiter.record_failure(*keys)
        return None
    state.limiter.reset(keys[0])
    return principal_of(user)
