"""Load test of the web app on loopback (issue #7 §5): ranking page and API reads at N concurrent
clients, p50/p95/max latency and error counts. Not a test; prints its numbers.

    .venv/bin/python benchmarks/bench_web.py --firms 700000 --clients 20 --seconds 300

The server runs as a separate uvicorn process (``chiiki.web.asgi:app``) on 127.0.0.1 only, so the load
generator (httpx.AsyncClient in this process) does not share its interpreter. The first request of each kind warms the per-data-set cache and is
not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from chiiki.web.testing import seeded_app


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _worker(base, kind, headers, cookies, deadline, out, errors, rng):
    async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, timeout=30) as c:
        while time.perf_counter() < deadline:
            page = int(rng.integers(1, 6))
            url = (
                f"/firms?pref=13&page={page}"
                if kind == "page"
                else f"/api/v1/firms/connector-hub?pref=13&page={page}"
            )
            t0 = time.perf_counter()
            try:
                r = await c.get(url)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            out.append(time.perf_counter() - t0)
            if not ok:
                errors.append(url)


async def _load(base, kind, headers, cookies, clients, seconds):
    out, errors = [], []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*[
        _worker(base, kind, headers, cookies, deadline, out, errors, np.random.default_rng(i)) for i in range(clients)
    ])  # fmt: skip
    return np.array(out) * 1000, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=700_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    seeded = seeded_app(Path(tempfile.mkdtemp(prefix="chiiki-bench-")), n_firms=args.firms)
    print(f"setup (synthetic {args.firms:,} firms, import): {time.perf_counter() - t0:.1f} s")
    port = _port()
    env = {**os.environ, "CHIIKI_DATA_DIR": str(seeded.data_dir), "CHIIKI_ENVIRONMENT": "test",
           "CHIIKI_SECRET_KEY": "bench-" + "x" * 40}  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "chiiki.web.asgi:app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--workers", str(args.workers)]  # fmt: skip
    server = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{base}/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    with httpx.Client(base_url=base, timeout=600) as c:
        token = c.post(
            "/api/v1/auth/token", json={"username": "reviewer", "password": "test-password-123"}
        ).json()
        login = c.get("/login")
        csrf = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        c.post("/login", data={"username": "tokyo", "password": "test-password-123", "csrf_token": csrf})
        cookies = dict(c.cookies)
        t1 = time.perf_counter()
        c.get("/firms?pref=13", cookies=cookies)
        print(
            f"first ranking request (computes degrees and scores for the year): {time.perf_counter() - t1:.1f} s"
        )
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for kind, h, ck in (("page", {}, cookies), ("api", headers, {})):
        ms, errors = asyncio.run(_load(base, kind, h, ck, args.clients, args.seconds))
        print(
            f"{'ranking page /firms' if kind == 'page' else 'API /api/v1/firms/connector-hub'}: "
            f"{len(ms):,} requests in {args.seconds:.0f} s at {args.clients} clients, "
            f"p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms, "
            f"errors {len(errors)}"
        )
    server.terminate()
    server.wait(timeout=30)


if __name__ == "__main__":
    main()
