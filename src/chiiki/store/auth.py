"""Logins as rows (issue #10 §3): browser sessions and API tokens, each a random token of which
only the SHA-256 is stored. A request's user is one indexed lookup of the hash joined to an active
user; logging out deletes the row; :func:`revoke_user` deletes every login of a user (called when the
user is disabled or their password changes). Shared by every worker and machine through the
database (issue #15 §3). The login throttle's counts live here too (issue #10 §8)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chiiki.store.models import AuthSession, LoginThrottle, User


class LoginRow(NamedTuple):
    """The columns of an active user that the access rules read."""

    username: str
    role: str
    prefecture_code: str | None
    block_code: str | None
    municipality_code: str | None
    user_id: int
    chosen_dataset_id: int | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_login(session: Session, user_id: int, *, kind: str, max_age_s: int, client: str = "") -> str:
    """A new login of ``user_id`` (``kind`` web or api) valid for ``max_age_s``; returns the token
    (shown to the client once, never stored). Expired logins of everyone are removed on the way."""
    now = datetime.now(UTC)
    session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user_id,
            kind=kind,
            created_at=now,
            expires_at=now + timedelta(seconds=max_age_s),
            client=client[:100],
        )
    )
    session.flush()
    return token


def login_user(session: Session, token: str, *, kind: str) -> LoginRow | None:
    """The active user of an unexpired login ``token`` of ``kind``, else None."""
    row = session.execute(
        select(User.username, User.role, User.prefecture_code, User.block_code, User.municipality_code,
               User.id.label("user_id"), User.chosen_dataset_id)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.kind == kind,
               AuthSession.expires_at > datetime.now(UTC), User.is_active.is_(True))
    ).first()  # fmt: skip
    return None if row is None else LoginRow(*row)


def close_login(session: Session, token: str) -> None:
    """End one login (logout): the token stops working at once."""
    session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))


def revoke_user(session: Session, user_id: int) -> int:
    """End every login of ``user_id``; returns how many there were."""
    return session.execute(delete(AuthSession).where(AuthSession.user_id == user_id)).rowcount or 0


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back zone-less date-times; the store keeps UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class ThrottleRow(NamedTuple):
    failures: int
    blocked_until: datetime | None


def throttle_rows(session: Session, keys: tuple[str, ...]) -> dict[str, ThrottleRow]:
    """The failure counts and waits of ``keys`` (absent keys have none)."""
    rows = session.execute(
        select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.blocked_until).where(
            LoginThrottle.key.in_(keys)
        )
    ).all()
    return {r.key: ThrottleRow(r.failures, _aware(r.blocked_until)) for r in rows}


def add_login_failure(session: Session, key: str, *, now: datetime, window_s: float) -> int:
    """Count one failed login of ``key`` (a count older than ``window_s`` starts again); returns the
    count. Row-locked on PostgreSQL, serialised by the write transaction on SQLite."""
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1, first_failure_at=now, last_failure_at=now))
            return 1
        except IntegrityError:  # another worker counted this key's first failure meanwhile
            row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
            assert row is not None
    if (now - _aware(row.last_failure_at)).total_seconds() > window_s:
        row.failures, row.first_failure_at, row.blocked_until = 1, now, None
    else:
        row.failures += 1
    row.last_failure_at = now
    session.flush()
    return row.failures


def block_login(session: Session, key: str, *, until: datetime) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        row.blocked_until = until
        session.flush()


def clear_login_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
