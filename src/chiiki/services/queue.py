"""The job queue when the store is PostgreSQL (issue #15 §2): procrastinate.

Why procrastinate: it is a maintained job queue whose state lives in PostgreSQL itself (its own
tables, LISTEN/NOTIFY to wake workers), so a deployment that already runs PostgreSQL for the store
needs no broker besides; workers on several machines share the queue through the database. The queue
carries only a job's id: its parameters, progress and result stay in the ``jobs`` table
(:mod:`chiiki.services.jobs`), which every page reads the same way whatever runs the job.
"""

from __future__ import annotations

import threading

import procrastinate
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from chiiki.services.jobs import execute, recover_jobs

QUEUE = "chiiki"
TASK = "chiiki.run_job"


def conninfo_of(url: str) -> str:
    """A libpq connection string for the SQLAlchemy URL of the store."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(conninfo: str, engine: Engine | None = None) -> procrastinate.App:
    """The procrastinate app; with ``engine`` (a worker) it can also run the job task."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    if engine is not None:

        @app.task(name=TASK, queue=QUEUE, pass_context=False)
        def run_job(job_id: int) -> None:
            execute(engine, job_id)

    return app


def defer_job(app: procrastinate.App, job_id: int) -> None:
    app.configure_task(name=TASK, queue=QUEUE).defer(job_id=job_id)


SCHEMA_LOCK = 0x43484B51  # "CHKQ": one process at a time creates the queue's schema
"""The advisory lock that serialises processes (``chiiki db upgrade``, workers) creating the schema."""


def ensure_queue_schema(engine: Engine, app: procrastinate.App) -> bool:
    """Create procrastinate's tables when the database has none yet; True when it did. Processes
    starting together wait for each other, so none sees a schema half made."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK})
        try:
            present = conn.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"))
            if not present:
                with app.open():
                    app.schema_manager.apply_schema()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK})
            conn.commit()
    return not present


class QueueRunner:
    """Jobs deferred to procrastinate (PostgreSQL): ``chiiki worker`` processes run them."""

    def __init__(self, engine: Engine, conninfo: str) -> None:
        self.engine = engine
        self.app = queue_app(conninfo)
        self._opened = False
        self._lock = threading.Lock()

    def enqueue(self, job_id: int) -> None:
        with self._lock:
            if not self._opened:
                self.app.open()
                self._opened = True
        defer_job(self.app, job_id)

    def recover(self) -> None:
        """Stale jobs are failed here; queued ones are already in the queue (it persists them)."""
        recover_jobs(self.engine)
