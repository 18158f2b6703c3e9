"""Times as people read them: Japan Standard Time with the zone named (STYLE: times JST)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def jst_text(value: str | datetime | None) -> str:
    """``2026-12-03T02:05:00+00:00`` → ``2026-12-03 11:05 JST`` (a naive time is taken as UTC)."""
    if not value:
        return "—"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")
