"""One service on many processes and machines (issue #15 §3): two app processes on different ports
and a job worker, all against one PostgreSQL database. A lockout in one holds in the other, a
logout in one ends the session in the other, and an upload through one is served by the other."""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.testing import running_server, seeded_app
from chiiki.store.settings import StoreSettings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
PASSWORD = "test-password-123"


def _token(base: str, user: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/auth/token", json={"username": user, "password": password}, timeout=30)


def _login(base: str, user: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    csrf = c.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": csrf}).status_code == 303
    )
    return c


def test_two_app_processes_share_lockouts_sessions_and_data(tmp_path, pg_url):
    seeded_app(tmp_path, n_firms=None, settings=StoreSettings(data_dir=tmp_path, database_url=pg_url))
    env = {"CHIIKI_DATABASE_URL": pg_url, "CHIIKI_SECRET_KEY": secrets.token_urlsafe(48)}
    with ExitStack() as stack:
        a = stack.enter_context(running_server(tmp_path, env=env))
        b = stack.enter_context(running_server(tmp_path, env=env))
        worker = subprocess.Popen(
            [sys.executable, "-m", "chiiki.cli.main", "worker"],
            env={**__import__("os").environ, "CHIIKI_DATA_DIR": str(tmp_path), **env},
        )
        stack.callback(lambda: (worker.terminate(), worker.wait(timeout=30)))

        # a lockout in one holds in the other
        assert [_token(a, "tokyo", f"bad{i}").status_code for i in range(4)] == [401] * 4
        assert _token(b, "tokyo").status_code == 429

        # a logout in one ends the session in the other (browser session and API token)
        browser = _login(a, "fukushima")
        cookie = browser.cookies["chiiki_session"]
        other = httpx.Client(base_url=b, cookies={"chiiki_session": cookie}, timeout=30)
        assert other.get("/", follow_redirects=False).status_code == 200
        csrf = browser.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
        assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
        assert other.get("/", follow_redirects=False).status_code == 303
        token = _token(a, "reviewer").json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.delete(f"{b}/api/v1/auth/token", headers=auth).status_code == 204
        assert httpx.get(f"{a}/api/v1/plans", headers=auth).status_code == 401

        # an upload through one (run by the worker) is served by the other
        admin = {"Authorization": f"Bearer {_token(a, 'admin').json()['access_token']}"}
        with tempfile.TemporaryDirectory() as tmp:
            write_dataset(generate_economy(n_firms=500, years=(2024,), seed=4), Path(tmp), fmt="csv")
            files = {
                t: (f"{t}.csv", (Path(tmp) / f"{t}.csv").read_bytes(), "text/csv")
                for t in ("companies", "transactions")
            }
            r = httpx.post(f"{a}/api/v1/datasets", files=files, headers=admin, timeout=120)
        assert r.status_code in (201, 202), r.text
        if r.status_code == 202:
            job_url = f"{a}{r.json()['status_url']}"
            for _ in range(600):
                job = httpx.get(job_url, headers=admin).json()
                if job["finished"]:
                    break
                __import__("time").sleep(0.2)
            assert job["state"] == "succeeded", job
        reviewer = {"Authorization": f"Bearer {_token(b, 'reviewer').json()['access_token']}"}
        ranking = httpx.get(f"{b}/api/v1/firms/connector-hub?pref=13", headers=reviewer, timeout=60)
        assert ranking.status_code == 200 and ranking.json()["total"] > 0
