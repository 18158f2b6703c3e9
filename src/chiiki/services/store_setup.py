"""Bringing a store up to date (``chiiki db upgrade``, the test and demo helpers): the schema
migrations, the support-measure catalogue and, on PostgreSQL, the job queue's own tables — in that
order, so that no process ever defers a job to a queue without its schema (issue #15 §2)."""

from __future__ import annotations

from sqlalchemy import Engine

from chiiki.store import session_scope, upgrade
from chiiki.store.parts import sync_support_measures


def prepare_store(engine: Engine, url: str) -> str:
    """Migrate the store at ``engine`` (SQLAlchemy URL ``url``) and return its revision."""
    revision = upgrade(engine)
    with session_scope(engine) as session:
        sync_support_measures(session, actor="system")
    if engine.dialect.name == "postgresql":
        from chiiki.services.queue import conninfo_of, ensure_queue_schema, queue_app  # noqa: PLC0415

        ensure_queue_schema(engine, queue_app(conninfo_of(url)))
    return revision
