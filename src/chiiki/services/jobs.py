"""Long work as background jobs (issue #15 §2): an import and its analyses, a large export.

The ``jobs`` table is the truth: kind, parameters, state (queued → running → succeeded | failed),
progress and message, result. Pages and the CLI read it; a *runner* only decides who does the work:

- :class:`InProcessRunner` (the embedded default, SQLite): a worker thread in the web process;
- :class:`chiiki.services.queue.QueueRunner` (PostgreSQL): the job is deferred to procrastinate, a well-kept job queue
  that keeps its own state in PostgreSQL itself — no other service to run — so ``chiiki worker``
  processes on any machine that reaches the database share the work.

Jobs survive a restart: when a runner starts it resumes queued jobs, and a job whose process died
while running (no heartbeat for :data:`STALE_AFTER_S`) is marked failed with a message saying so —
never silently lost. A handler reports progress through :class:`JobContext`, which also beats the
heart; each update is its own short transaction.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from chiiki.store import audit
from chiiki.store.models import Job

log = logging.getLogger("chiiki.jobs")

STALE_AFTER_S = 120.0
"""A running job without a heartbeat for this long belongs to a process that died."""
INTERRUPTED = "処理中にサーバーが停止したため中断されました。もう一度実行してください（途中までの結果は使われていません）。"


@dataclass
class JobContext:
    """What a handler gets: its job's id and parameters, and a way to report progress."""

    engine: Engine
    job_id: int
    params: dict[str, Any]

    def progress(self, fraction: float, message: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(
                    progress=max(0.0, min(1.0, fraction)), message=message, heartbeat_at=datetime.now(UTC)
                )
            )


Handler = Callable[[JobContext], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
"""Job kinds and the functions that do them (registered by the services that define them)."""
HANDLER_MODULES = ("chiiki.services.uploads", "chiiki.services.exports", "chiiki.services.regional")
"""Modules that register job kinds: a worker process imports them before it runs a job."""


def load_handlers() -> None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)


def job_kind(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


class Runner(Protocol):
    def enqueue(self, job_id: int) -> None: ...

    def recover(self) -> None: ...


def create_job(session: Session, *, kind: str, params: dict[str, Any], actor: str) -> Job:
    """A queued job (audited); the caller commits, then hands the id to a runner."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=params, state="queued", created_by=actor, message="順番を待っています…")
    session.add(job)
    session.flush()
    audit.record(
        session, actor=actor, action="create", entity="job", entity_id=job.id, after=audit.snapshot(job)
    )
    return job


def execute(engine: Engine, job_id: int) -> None:
    """Run job ``job_id`` if it is still queued (a second runner finds it taken and does nothing)."""
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        claimed = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued")
            .values(state="running", started_at=now, heartbeat_at=now, message="処理を始めました…")
        ).rowcount
        job = s.get(Job, job_id) if claimed else None
        kind, params = (job.kind, dict(job.params)) if job else (None, None)
    if not claimed:
        return
    load_handlers()
    ctx = JobContext(engine, job_id, params or {})
    try:
        result = HANDLERS[kind](ctx)
        state, message, progress = "succeeded", "完了しました。", 1.0
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, never lost
        log.error("job %s (%s) failed: %s", job_id, kind, traceback.format_exc())
        result = {"error": str(exc)}
        state, message, progress = "failed", _failure_message(exc), None
    with Session(engine) as s, s.begin():
        values: dict[str, Any] = {"state": state, "message": message, "result": audit.to_jsonable(result),
                                  "finished_at": datetime.now(UTC)}  # fmt: skip
        if progress is not None:
            values["progress"] = progress
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def _failure_message(exc: Exception) -> str:
    text = str(exc)
    japanese = any(ord(ch) > 0x3000 for ch in text)
    return text if japanese else "処理中にエラーが発生しました。管理者に連絡してください。"


def recover_jobs(engine: Engine, *, stale_after_s: float = STALE_AFTER_S) -> list[int]:
    """Mark jobs whose process died as failed; return the ids still queued (to be run again)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=stale_after_s)
    with Session(engine) as s, s.begin():
        s.execute(
            update(Job)
            .where(Job.state == "running", (Job.heartbeat_at.is_(None)) | (Job.heartbeat_at < cutoff))
            .values(state="failed", message=INTERRUPTED, finished_at=datetime.now(UTC))
        )
        return list(s.scalars(select(Job.id).where(Job.state == "queued").order_by(Job.id)))


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def wait_for(engine: Engine, job_id: int, *, timeout_s: float, poll_s: float = 0.05) -> Job | None:
    """The job once it has finished, or None when ``timeout_s`` passed first (a condition, polled)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with Session(engine, expire_on_commit=False) as s:
            job = s.get(Job, job_id)
            if job is not None and job.state in ("succeeded", "failed"):
                s.expunge(job)
                return job
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll_s)


class InProcessRunner:
    """Jobs on a worker thread of this process (the embedded default)."""

    def __init__(self, engine: Engine, *, workers: int = 1) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chiiki-job")
        self._lock = threading.Lock()

    def enqueue(self, job_id: int) -> None:
        self._pool.submit(execute, self.engine, job_id)

    def recover(self) -> None:
        for job_id in recover_jobs(self.engine):
            self.enqueue(job_id)
