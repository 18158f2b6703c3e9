"""Demo users of ``chiiki demo`` (issue #7 §4): one account per role around the Fukushima demo plans,
each with a fresh random password that only the demo command prints.

Users go through the store's audited user services (:mod:`chiiki.store.users`); passwords are hashed
with argon2 here, in the web shell that owns hashing. Running the demo again gives existing demo
users new passwords (and their demo role and scope back) instead of failing.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from chiiki.reference import blocks, municipalities, prefecture_names
from chiiki.services.access import ROLE_LABELS
from chiiki.services.security import hash_password
from chiiki.store.users import create_user, get_user_by_username, update_user

DEMO_ACTOR = "demo"

DEMO_USERS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("demo-admin", "admin", {}),
    ("demo-reviewer", "reviewer", {}),
    ("demo-tohoku", "bureau", {"block_code": "tohoku"}),
    ("demo-fukushima", "prefecture", {"prefecture_code": "07"}),
    ("demo-koriyama", "municipal", {"municipality_code": "07203"}),
)
"""(username, role, scope) of the demo accounts: 福島県 (B plan), 郡山市 (C plan), 東北 (A plan)."""

PASSWORD_BYTES = 12
"""``secrets.token_urlsafe(12)``: 16 characters, 96 bits."""


def _scope_text(scope: dict[str, str]) -> str:
    """The scope in words: 全国, 東北ブロック, 福島県, 福島県郡山市."""
    if "block_code" in scope:
        names = dict(zip(blocks()["block_code"], blocks()["name"], strict=True))
        return f"{names[scope['block_code']]}ブロック"
    if "municipality_code" in scope:
        code = scope["municipality_code"]
        towns = municipalities(code[:2])
        town = towns.filter(towns["municipality_code"] == code)["name"].item()
        return f"{prefecture_names()[code[:2]]}{town}"
    if "prefecture_code" in scope:
        return prefecture_names()[scope["prefecture_code"]]
    return "全国"


def create_demo_users(session: Session) -> list[tuple[str, str, str, str]]:
    """Create (or reset) the demo users; returns ``(username, role label, scope, password)`` per user.

    The caller commits and shows the passwords once; they are stored only as argon2 hashes.
    """
    out = []
    for username, role, scope in DEMO_USERS:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        fields = {
            "prefecture_code": scope.get("prefecture_code"),
            "block_code": scope.get("block_code"),
            "municipality_code": scope.get("municipality_code"),
        }
        if role == "municipal":
            fields["prefecture_code"] = scope["municipality_code"][:2]
        existing = get_user_by_username(session, username)
        if existing is None:
            create_user(
                session,
                username=username,
                password_hash=hash_password(password),
                role=role,
                actor=DEMO_ACTOR,
                display_name=f"デモ {username}",
                **fields,
            )
        else:
            update_user(
                session,
                existing.id,
                expected_version=existing.version,
                actor=DEMO_ACTOR,
                password_hash=hash_password(password),
                role=role,
                is_active=True,
                **fields,
            )
        out.append((username, ROLE_LABELS[role], _scope_text(scope), password))
    return out
