"""Background jobs (issue #15 §2): run by the in-process runner, progress recorded, failures kept
with their message, and restarts never lose a job (queued ones run, interrupted ones fail clearly)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from chiiki.services import jobs
from chiiki.store import create_engine_from_url, upgrade
from chiiki.store.models import Job


@pytest.fixture
def engine(tmp_path):
    eng = create_engine_from_url(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def kinds():
    @jobs.job_kind("test-ok")
    def ok(ctx: jobs.JobContext) -> dict:
        ctx.progress(0.5, "半分")
        return {"double": ctx.params["n"] * 2}

    @jobs.job_kind("test-fail")
    def fail(ctx: jobs.JobContext) -> dict:
        raise ValueError("入力が足りません。")

    yield
    jobs.HANDLERS.pop("test-ok")
    jobs.HANDLERS.pop("test-fail")


def _create(engine, kind: str, **params) -> int:
    with Session(engine) as s, s.begin():
        return jobs.create_job(s, kind=kind, params=params, actor="tester").id


def test_in_process_runner_runs_and_records_the_result(engine):
    runner = jobs.InProcessRunner(engine)
    job_id = _create(engine, "test-ok", n=21)
    runner.enqueue(job_id)
    job = jobs.wait_for(engine, job_id, timeout_s=30)
    assert job is not None and job.state == "succeeded" and job.result == {"double": 42}
    assert job.progress == 1.0 and job.started_at is not None and job.finished_at is not None


def test_a_failing_job_keeps_its_japanese_message(engine):
    runner = jobs.InProcessRunner(engine)
    job_id = _create(engine, "test-fail")
    runner.enqueue(job_id)
    job = jobs.wait_for(engine, job_id, timeout_s=30)
    assert job.state == "failed" and job.message == "入力が足りません。"


def test_a_job_runs_once_even_when_two_runners_take_it(engine):
    job_id = _create(engine, "test-ok", n=1)
    jobs.execute(engine, job_id)
    with Session(engine) as s:
        finished = s.get(Job, job_id).finished_at
    jobs.execute(engine, job_id)  # already taken: nothing happens
    with Session(engine) as s:
        assert s.get(Job, job_id).finished_at == finished


def test_restart_runs_queued_jobs_and_fails_interrupted_ones(engine):
    queued = _create(engine, "test-ok", n=5)
    interrupted = _create(engine, "test-ok", n=6)
    with Session(engine) as s, s.begin():
        job = s.get(Job, interrupted)
        job.state, job.heartbeat_at = "running", datetime.now(UTC) - timedelta(hours=1)
    jobs.InProcessRunner(engine).recover()  # what a freshly started process does
    assert jobs.wait_for(engine, queued, timeout_s=30).result == {"double": 10}
    job = jobs.wait_for(engine, interrupted, timeout_s=1)
    assert job.state == "failed" and "中断" in job.message
