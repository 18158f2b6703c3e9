"""Users of the system (the login service reads them; it owns password hashing with argon2).

Every write is audited (the password hash is never copied into the audit trail). Disabling a user or
changing their password ends all of their logins (:func:`chiiki.store.auth.revoke_user`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.reference import blocks, municipalities, prefectures
from chiiki.store import audit
from chiiki.store.auth import revoke_user
from chiiki.store.concurrency import check_version, flush_checked
from chiiki.store.errors import InvalidInputError, NotFoundError
from chiiki.store.models import ROLES, User

ROLE_LABELS = {
    "admin": "システム管理者",
    "reviewer": "国の審査担当",
    "bureau": "経済産業局",
    "prefecture": "都道府県職員",
    "municipal": "市区町村職員",
}
SCOPE_OF_ROLE = {"bureau": "block_code", "prefecture": "prefecture_code", "municipal": "municipality_code"}


def _check_scope(
    role: str, prefecture_code: str | None, block_code: str | None, municipality_code: str | None
) -> None:
    if role not in ROLES:
        raise InvalidInputError(
            f"役割 {role!r} はありません。{', '.join(ROLES)} のいずれかを指定してください。"
        )
    if role == "bureau" and block_code not in set(blocks()["block_code"]):
        raise InvalidInputError(
            f"経済産業局の利用者にはブロックコードが必要です（指定値: {block_code!r}）。"
            f"{', '.join(blocks()['block_code'])} のいずれかを指定してください。"
        )
    if role == "prefecture" and prefecture_code not in set(prefectures()["prefecture_code"]):
        raise InvalidInputError(
            f"都道府県職員には都道府県コード（01〜47）が必要です（指定値: {prefecture_code!r}）。"
        )
    if role == "municipal" and municipality_code not in set(municipalities()["municipality_code"]):
        raise InvalidInputError(
            f"市区町村職員には市区町村コード（5桁、JIS X 0402）が必要です（指定値: {municipality_code!r}）。"
        )


def create_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    actor: str,
    prefecture_code: str | None = None,
    block_code: str | None = None,
    municipality_code: str | None = None,
    display_name: str | None = None,
    is_active: bool = True,
) -> User:
    """Add a user (``password_hash`` already hashed by the caller). A municipal user's prefecture is
    filled in from the municipality code when not given."""
    username = username.strip()
    if not username:
        raise InvalidInputError("ユーザー名が空です。1文字以上のユーザー名を指定してください。")
    _check_scope(role, prefecture_code, block_code, municipality_code)
    if get_user_by_username(session, username) is not None:
        raise InvalidInputError(f"ユーザー名 {username!r} は既に使われています。別の名前を指定してください。")
    if role == "municipal" and prefecture_code is None and municipality_code:
        prefecture_code = municipality_code[:2]
    user = User(
        username=username,
        password_hash=password_hash,
        role=role,
        prefecture_code=prefecture_code,
        block_code=block_code,
        municipality_code=municipality_code,
        display_name=display_name,
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity="user", entity_id=user.id, after=audit.snapshot(user)
    )
    return user


def get_user_by_username(session: Session, username: str) -> User | None:
    """The user called ``username`` (active or not), or None."""
    return session.scalar(select(User).where(User.username == username))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"利用者 ID {user_id} は見つかりません。")
    return user


def list_users(session: Session, *, role: str | None = None, active_only: bool = False) -> list[User]:
    """Users by username, optionally of one role and/or only active ones."""
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    if active_only:
        query = query.where(User.is_active.is_(True))
    return list(session.scalars(query))


UPDATABLE = frozenset(
    {
        "password_hash",
        "role",
        "prefecture_code",
        "block_code",
        "municipality_code",
        "display_name",
        "is_active",
    }
)


def update_user(
    session: Session, user_id: int, *, expected_version: int, actor: str, **changes: object
) -> User:
    """Change a user's fields; refuses a stale ``expected_version`` (someone else edited meanwhile)."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise InvalidInputError(f"利用者の項目 {sorted(unknown)} は変更できません。")
    user = get_user(session, user_id)
    check_version(user, expected_version, "利用者")
    before = audit.snapshot(user)
    merged = {k: getattr(user, k) for k in ("role", "prefecture_code", "block_code", "municipality_code")}
    merged.update({k: v for k, v in changes.items() if k in merged})
    _check_scope(**merged)
    for key, value in changes.items():
        setattr(user, key, value)
    flush_checked(session, "利用者", user_id)
    revoked = 0
    if (before["is_active"] and not user.is_active) or "password_hash" in changes:
        revoked = revoke_user(session, user.id)  # a copied cookie or token stops working at once
    action = "change_password" if set(changes) == {"password_hash"} else "update"
    audit.record(
        session,
        actor=actor,
        action=action,
        entity="user",
        entity_id=user.id,
        before=before,
        after=audit.snapshot(user) | ({"revoked_logins": revoked} if revoked else {}),
    )
    return user
