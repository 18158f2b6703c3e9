"""Benchmark of the plans area (not a test): prints measured numbers for docs/benchmarks.md.

Measures on an embedded SQLite store (and PostgreSQL when reachable): migrations from scratch, the
demo plans on a 50,000-firm synthetic economy (priority scores, KPI baselines, ripple scenario),
plan export to .xlsx and .json, JSON re-import, 1,000 audited plan updates, and the pure KPI functions
on 100,000 KPI-years.

    .venv/bin/python benchmarks/bench_plans.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl


def _timed(label: str, fn):  # noqa: ANN001, ANN202
    t = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - t:.3f} s")
    return out


def bench(url: str, dataset, tmp: Path) -> None:  # noqa: ANN001
    from chiiki.plans.export import write_plan_json, write_plan_xlsx
    from chiiki.plans.workflow import ActorRef
    from chiiki.services.demo_plans import FUKUSHIMA_STAFF, build_demo_plans
    from chiiki.store import create_engine_from_url, session_scope, upgrade
    from chiiki.store.documents import import_plan_document, plan_document
    from chiiki.store.plans import get_plan, update_plan

    engine = create_engine_from_url(url)
    print(f"-- {engine.dialect.name}")
    _timed("migrate from scratch (alembic upgrade head)", lambda: upgrade(engine))
    with session_scope(engine) as s:
        ids = _timed(
            "build_demo_plans (50k firms: scores, baselines, ripple)", lambda: build_demo_plans(s, dataset)
        )
    with session_scope(engine) as s:
        doc = _timed("plan_document (B plan)", lambda: plan_document(s, ids["B"]))
    _timed("write .xlsx", lambda: write_plan_xlsx(doc, tmp / "b.xlsx"))
    _timed("write .json", lambda: write_plan_json(doc, tmp / "b.json"))
    with session_scope(engine) as s:
        _timed("re-import JSON", lambda: import_plan_document(s, doc, actor=ActorRef("admin", "admin")))
    with session_scope(engine) as s:
        from chiiki.store.plans import create_plan

        pid = create_plan(
            s,
            actor=FUKUSHIMA_STAFF,
            plan_type="B",
            title="bench",
            period_start=2026,
            period_end=2030,
            prefecture_code="07",
        ).id

    def updates() -> None:
        for i in range(1000):
            with session_scope(engine) as s:
                update_plan(
                    s,
                    pid,
                    actor=FUKUSHIMA_STAFF,
                    expected_version=get_plan(s, pid).version,
                    description=f"rev {i}",
                )

    _timed("1,000 audited updates, one transaction each", updates)
    engine.dispose()


def main() -> None:
    from chiiki.data.synth import generate_economy
    from chiiki.plans.kpi import kpi_status

    dataset = _timed(
        "generate_economy(50,000 firms, 3 years)",
        lambda: generate_economy(n_firms=50_000, years=(2022, 2023, 2024), seed=1),
    )
    rng = np.random.default_rng(1)
    n = 100_000
    base = rng.uniform(100, 1e6, n)
    frame = pl.DataFrame({"baseline": base, "target": base * 1.1, "actual": base * rng.uniform(0.9, 1.2, n)})
    _timed("kpi_status on 100,000 KPI-years", lambda: kpi_status(frame))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench(f"sqlite:///{tmp / 'bench.sqlite3'}", dataset, tmp)
        pg = os.environ.get("CHIIKI_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        try:
            import uuid

            from sqlalchemy import create_engine, text

            admin = create_engine(pg, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
            name = f"chiiki_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # noqa: BLE001
            print(f"-- postgresql skipped: {exc.__class__.__name__}")
            return
        try:
            from sqlalchemy.engine import make_url

            bench(make_url(pg).set(database=name).render_as_string(hide_password=False), dataset, tmp)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
