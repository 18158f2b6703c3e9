"""The audit trail: every write records who, when, what, and the row before and after (issue #6 §6).

Service functions call :func:`record` in the same session as their change, so the audit row is
committed with the change or not at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from chiiki.store.models import AuditLog, Base

SECRET_COLUMNS = frozenset({"password_hash"})
"""Columns never copied into the audit trail."""


def to_jsonable(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO text, date-times in UTC (the store keeps UTC; SQLite
    hands them back without a zone)."""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The column values of a mapped row as a JSON-able dict (secrets left out)."""
    mapper = inspect(obj).mapper
    return {
        c.key: to_jsonable(getattr(obj, c.key)) for c in mapper.column_attrs if c.key not in SECRET_COLUMNS
    }


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to ``session`` (flushed with the change it describes)."""
    row = AuditLog(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=to_jsonable(before),
        after=to_jsonable(after),
    )
    session.add(row)
    return row


def audit_entries(
    session: Session, *, entity: str | None = None, entity_id: object | None = None
) -> list[AuditLog]:
    """Audit rows, oldest first, optionally for one entity (and one row of it)."""
    query = select(AuditLog).order_by(AuditLog.id)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == str(entity_id))
    return list(session.scalars(query))
