"""Administrators manage users (issue #12 §6): create, disable and enable, reset a password, change
role and scope. Built on :mod:`chiiki.store.users` (audited; disabling a user or changing their
password ends all of their logins at once, :func:`chiiki.store.auth.revoke_user`). Only an
administrator may do any of it, and never disable or demote their own account (the last way in)."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, Principal
from chiiki.services.security import hash_password
from chiiki.store import users as user_store
from chiiki.store.errors import InvalidInputError
from chiiki.store.models import User

MIN_PASSWORD = 12
RESET_BYTES = 12
"""A reset password: ``secrets.token_urlsafe(12)``, 16 characters (96 bits), shown once."""


def require_admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise AccessDeniedError(
            f"利用者の管理はシステム管理者だけが行えます（あなた: {principal.role_label}）。"
        )


def _scope(
    role: str, prefecture_code: str | None, block_code: str | None, municipality_code: str | None
) -> dict:
    """Only the scope column the role uses is kept (a municipal user's prefecture follows the town)."""
    return {
        "prefecture_code": (prefecture_code or None) if role == "prefecture" else
        (municipality_code[:2] if role == "municipal" and municipality_code else None),
        "block_code": (block_code or None) if role == "bureau" else None,
        "municipality_code": (municipality_code or None) if role == "municipal" else None,
    }  # fmt: skip


def list_accounts(db: Session, principal: Principal) -> list[User]:
    require_admin(principal)
    return user_store.list_users(db)


def create_account(
    db: Session, principal: Principal, *, username: str, password: str, role: str,
    prefecture_code: str | None = None, block_code: str | None = None, municipality_code: str | None = None,
    display_name: str | None = None,
) -> User:  # fmt: skip
    """A new active user with ``password`` (at least 12 characters, stored as an argon2 hash)."""
    require_admin(principal)
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(
            f"パスワードは{MIN_PASSWORD}文字以上にしてください（入力: {len(password)}文字）。"
        )
    return user_store.create_user(
        db, username=username, password_hash=hash_password(password), role=role, actor=principal.username,
        display_name=(display_name or "").strip() or None,
        **_scope(role, prefecture_code, block_code, municipality_code),
    )  # fmt: skip


def _target(db: Session, principal: Principal, user_id: int, what: str) -> User:
    require_admin(principal)
    user = user_store.get_user(db, user_id)
    if user.id == principal.user_id:
        raise InvalidInputError(f"自分自身の{what}はできません（管理者が誰もいなくなるのを防ぐため）。")
    return user


def set_active(
    db: Session, principal: Principal, user_id: int, *, active: bool, expected_version: int
) -> User:
    """Disable (every login ends at once) or enable a user."""
    _target(db, principal, user_id, "利用停止" if not active else "利用再開")
    return user_store.update_user(
        db, user_id, expected_version=expected_version, actor=principal.username, is_active=active
    )


def reset_password(
    db: Session, principal: Principal, user_id: int, *, expected_version: int
) -> tuple[User, str]:
    """A fresh random password for the user (their logins end); returned once, stored only hashed."""
    _target(db, principal, user_id, "パスワード再設定（自分のパスワードは本人が変更します）")
    password = secrets.token_urlsafe(RESET_BYTES)
    user = user_store.update_user(
        db, user_id, expected_version=expected_version, actor=principal.username,
        password_hash=hash_password(password),
    )  # fmt: skip
    return user, password


def set_role(
    db: Session, principal: Principal, user_id: int, *, expected_version: int, role: str,
    prefecture_code: str | None = None, block_code: str | None = None, municipality_code: str | None = None,
    display_name: str | None = None,
) -> User:  # fmt: skip
    """Change role, scope (the one column the role uses) and display name."""
    _target(db, principal, user_id, "役割の変更")
    changes: dict[str, object] = {
        "role": role,
        **_scope(role, prefecture_code, block_code, municipality_code),
    }
    if display_name is not None:
        changes["display_name"] = display_name.strip() or None
    return user_store.update_user(
        db, user_id, expected_version=expected_version, actor=principal.username, **changes
    )
