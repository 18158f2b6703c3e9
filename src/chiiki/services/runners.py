"""Which runner does the background jobs of this deployment (issue #15 §2)."""

from __future__ import annotations

from sqlalchemy import Engine

from chiiki.services.jobs import InProcessRunner, Runner


def make_runner(engine: Engine, url: str, queue: str) -> Runner:
    """The runner for the settings: procrastinate on PostgreSQL unless told otherwise (see
    :class:`~chiiki.services.settings.WebSettings` ``job_queue``). The queue module (and
    procrastinate) is imported only when it is used."""
    if queue == "procrastinate" or (queue == "auto" and engine.dialect.name == "postgresql"):
        from chiiki.services.queue import QueueRunner, conninfo_of  # noqa: PLC0415

        return QueueRunner(engine, conninfo_of(url))
    return InProcessRunner(engine)
