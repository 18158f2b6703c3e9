"""Concurrent writers (issue #10 §4): N clients mixing reads and plan writes against a real uvicorn
server for a while, on SQLite and on PostgreSQL.

Each client logs in through the API, creates its own plan and then loops: PATCH the plan with the
version it last read (a write), GET it back (the write must be visible at once), list plans (a
read). Because no two clients edit the same plan, every 409 would be a false conflict. At the end
the audit rows of plans must equal the confirmed writes.

    python benchmarks/bench_write_load.py --seconds 180 --clients 20 --db sqlite
    python benchmarks/bench_write_load.py --seconds 180 --clients 20 --db postgresql
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from chiiki.server.testing import running_server, seeded_app
from chiiki.store import create_engine_from_url
from chiiki.store.models import AuditLog
from chiiki.store.settings import StoreSettings

PASSWORD = "test-password-123"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _client(base: str, i: int, until: float, lock: threading.Lock, stats: Counter) -> None:
    rng = random.Random(i)
    local: Counter = Counter()
    with httpx.Client(base_url=base, timeout=60) as c:
        tok = c.post("/api/v1/auth/token", json={"username": "fukushima", "password": PASSWORD})
        c.headers["Authorization"] = f"Bearer {tok.json()['access_token']}"
        r = c.post("/api/v1/plans", json={"plan_type": "B", "title": f"負荷 {i}", "period_start": 2026,
                                          "period_end": 2030})  # fmt: skip
        local[r.status_code] += 1
        local["confirmed"] += r.status_code == 201
        plan = r.json()
        while time.monotonic() < until:
            r = c.patch(f"/api/v1/plans/{plan['id']}", json={"version": plan["version"],
                                                              "title": f"負荷 {i} {rng.random():.6f}"})  # fmt: skip
            local[r.status_code] += 1
            local["requests"] += 1
            if r.status_code == 200:
                local["confirmed"] += 1
                plan = r.json()
                back = c.get(f"/api/v1/plans/{plan['id']}")
                local[back.status_code] += 1
                local["requests"] += 1
                if back.status_code == 200 and back.json()["version"] != plan["version"]:
                    local["stale_reads"] += 1
            r = c.get("/api/v1/plans", params={"per_page": 20})
            local[r.status_code] += 1
            local["requests"] += 1
    with lock:
        stats.update(local)


def run(data_dir: Path, *, clients: int, seconds: float, workers: int, env: dict[str, str]) -> dict:
    url = env.get("CHIIKI_DATABASE_URL") or StoreSettings(data_dir=data_dir).resolved_database_url
    stats: Counter = Counter()
    lock = threading.Lock()
    with running_server(data_dir, workers=workers, env=env) as base:
        until = time.monotonic() + seconds
        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda i: _client(base, i, until, lock, stats), range(clients)))
        elapsed = time.perf_counter() - t0
    engine = create_engine_from_url(url)
    with engine.connect() as conn:
        audited = conn.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "plan"))
    engine.dispose()
    return {"elapsed": elapsed, "stats": stats, "audited": audited}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="chiiki-bench-writes-"))
    env: dict[str, str] = {}
    admin = None
    if args.db == "postgresql":
        name = f"chiiki_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        env["CHIIKI_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        seeded_app(
            data,
            n_firms=None,
            settings=StoreSettings(data_dir=data, database_url=env.get("CHIIKI_DATABASE_URL")),
        )
        load = Path("/proc/loadavg").read_text().split()[0]
        out = run(data, clients=args.clients, seconds=args.seconds, workers=args.workers, env=env)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    s = out["stats"]
    errors = sum(v for k, v in s.items() if isinstance(k, int) and k >= 500)
    print(
        f"{args.db}: {args.clients} clients, {args.workers} workers, {out['elapsed']:.0f} s, load before {load}: "
        f"{s['requests']:,} requests ({s['requests'] / out['elapsed']:.0f}/s), confirmed writes {s['confirmed']:,}, "
        f"audit rows {out['audited']:,}, 5xx {errors}, false 409 {s[409]}, stale reads {s['stale_reads']}"
    )


if __name__ == "__main__":
    main()
