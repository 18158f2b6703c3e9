"""Load test of the web app on loopback (issue #7 §5): the ranking page and API reads at N concurrent
clients, p50/p95/p99/max latency and errors. Not a test; prints its numbers.

    .venv/bin/python benchmarks/bench_web.py --firms 700000 --clients 20 --seconds 300 --workers 2

The store (synthetic national economy imported and registered, users) is built once under
``--data DIR`` (reused when it exists). The app runs as its own uvicorn process on 127.0.0.1; the load
comes from ``wrk`` (Debian package ``wrk``), a C load generator, so the client's own cost stays small
on this 2-core machine. Each wrk connection is one client: it asks for a random page (1–5) of Tokyo's
ranking (the largest prefecture), logged in as Tokyo's staff (session cookie) for the page and as a
national reviewer (bearer token) for the API. A non-2xx answer or a socket error counts as an error.

Issue #15 §1: the analyses are built once at import (as ``chiiki import`` does), so a fresh worker only
memory-maps them. The benchmark reports the cold start — from spawning the server to ``/readyz``, and
from readiness to the first ranking page answered on fresh connections (one per worker) — and, after
the load, each worker's resident memory (VmRSS, of which RssFile is the shared page cache of the
mapped analyses and RssAnon the worker's own).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from chiiki.server.testing import seeded_app
from chiiki.services.analysis_files import build_analyses

LUA = """
local paths = {}
function init(args)
  for i = 1, 5 do paths[i] = args[1] .. "&page=" .. i end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  return wrk.format("GET", paths[math.random(1, 5)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, '
    .. '"errors_status": %d, "errors_socket": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(base: str, path: str, header: str, *, clients: int, seconds: float, script: Path) -> dict:
    cmd = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s", "-H", header,
           "-s", str(script), base, "--", path]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.split("JSON ", 1)[1].splitlines()[0])


def _worker_memory(parent: int) -> list[tuple[int, float, float, float]]:
    """(pid, VmRSS, RssAnon, RssFile) in MB of the server's worker processes (or the server itself)."""
    children = [int(p) for p in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    out = []
    for pid in children or [parent]:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
        )
        mb = {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}
        out.append((pid, mb["VmRSS"], mb["RssAnon"], mb["RssFile"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=700_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", type=Path, default=None, help="store directory to build or reuse")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk がありません（apt-get install -y wrk）。")
    data = args.data or Path(tempfile.mkdtemp(prefix="chiiki-bench-web-"))
    if not (data / "chiiki.sqlite3").exists():
        t0 = time.perf_counter()
        seeded_app(data, n_firms=args.firms)
        print(f"setup (synthetic {args.firms:,} firms, import, users): {time.perf_counter() - t0:.1f} s")
    for version in sorted({p.parent for p in data.glob("**/companies.parquet")}):
        t0 = time.perf_counter()
        manifest = build_analyses(version)
        print(f"analyses of {version.name}: built in {manifest.get('seconds', 0):.1f} s "
              f"(this run {time.perf_counter() - t0:.1f} s)")  # fmt: skip
    port = _port()
    env = {**os.environ, "CHIIKI_DATA_DIR": str(data), "CHIIKI_ENVIRONMENT": "test",
           "CHIIKI_SECRET_KEY": "bench-" + "x" * 40}  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "chiiki.server.asgi:app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--workers", str(args.workers)]  # fmt: skip
    spawned = time.perf_counter()
    server = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - spawned > 120:
                sys.exit("サーバーが 120 秒以内に準備できませんでした。")
            time.sleep(0.02)
        ready = time.perf_counter()
        with httpx.Client(base_url=base, timeout=600) as c:
            token = c.post(
                "/api/v1/auth/token", json={"username": "reviewer", "password": "test-password-123"}
            ).json()["access_token"]
            csrf = c.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            c.post("/login", data={"username": "tokyo", "password": "test-password-123", "csrf_token": csrf})
            cookie = f"chiiki_session={c.cookies['chiiki_session']}"
            logged_in = time.perf_counter()
            firsts = []
            # fresh connections: uvicorn spreads them over the workers, so each answers its first page
            for _ in range(4 * args.workers):
                with httpx.Client(base_url=base, timeout=600) as w:
                    t = time.perf_counter()
                    assert w.get("/firms?pref=13", headers={"Cookie": cookie}).status_code == 200
                    firsts.append(time.perf_counter() - t)
                    w.get("/api/v1/firms/connector-hub?pref=13", headers={"Authorization": f"Bearer {token}"})
            print(f"cold start: spawn → /readyz {ready - spawned:.2f} s; ready → first ranking page answered "
                  f"{logged_in - ready + firsts[0]:.2f} s (login included); first pages on fresh connections: "
                  f"max {max(firsts) * 1000:.0f} ms, median {sorted(firsts)[len(firsts) // 2] * 1000:.0f} ms")  # fmt: skip
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(LUA)
        script = Path(f.name)
        runs = (
            ("ranking page /firms?pref=13", "/firms?pref=13", f"Cookie: {cookie}"),
            ("API /api/v1/firms/connector-hub?pref=13", "/api/v1/firms/connector-hub?pref=13",
             f"Authorization: Bearer {token}"),
        )  # fmt: skip
        for label, path, header in runs:
            load = Path("/proc/loadavg").read_text().split()[0]
            r = _wrk(base, path, header, clients=args.clients, seconds=args.seconds, script=script)
            print(
                f"{label}: {r['requests']:,} requests in {r['seconds']:.0f} s ({r['requests'] / r['seconds']:.0f}/s) "
                f"at {args.clients} clients, {args.workers} worker(s), load before {load}: p50 {r['p50']:.1f} ms, "
                f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms, "
                f"errors {r['errors_status'] + r['errors_socket']}"
            )
        script.unlink()
        for pid, rss, anon, mapped in _worker_memory(server.pid):
            print(f"worker {pid}: VmRSS {rss:.0f} MB (RssAnon {anon:.0f} MB, RssFile {mapped:.0f} MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
