"""Times as Japanese readers read them (issue #12 §6): Japan Standard Time with the zone named.

The store keeps UTC (SQLite hands date-times back without a zone: they are UTC); every page, export
and document shows ``2026-12-03 20:44 JST``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def to_jst(value: datetime | str | None) -> datetime | None:
    """``value`` (a date-time or ISO text, UTC when it names no zone) in JST."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JST)


def format_jst(value: datetime | date | str | None, *, seconds: bool = False) -> str:
    """``2026-12-03 20:44 JST`` (a plain date stays a date: ``2026-12-03``); ``—`` for nothing."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment = to_jst(value)
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S JST" if seconds else "%Y-%m-%d %H:%M JST")
