"""Optimistic concurrency helpers (issue #6 §6): nothing is ever silently overwritten.

Two ways a concurrent edit shows up: the caller's ``expected_version`` (the version the user saw
when the edit began, e.g. from a web form) differs from the row's, or two sessions race and the
UPDATE of the slower one matches no row (SQLAlchemy raises ``StaleDataError`` because of the
``version_id_col``). Both become a :class:`~chiiki.store.errors.ConcurrentEditError`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from chiiki.store.errors import ConcurrentEditError


def check_version(obj: object, expected_version: int | None, entity: str) -> None:
    """Raise when ``expected_version`` is given and is not the row's current version."""
    actual = obj.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != actual:
        raise ConcurrentEditError(entity, obj.id, expected=expected_version, actual=actual)  # type: ignore[attr-defined]


def flush_checked(session: Session, entity: str, entity_id: object) -> None:
    """Flush, turning a lost race into a Japanese :class:`ConcurrentEditError`."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(entity, entity_id) from exc
