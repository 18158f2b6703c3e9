"""Building a ready web application with users and a firm data set, and serving it from a real
uvicorn process, for tests, benchmarks and the demo: one helper so all of them set up the same way."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.app import create_app
from chiiki.services.security import hash_password
from chiiki.services.settings import WebSettings
from chiiki.services.store_setup import prepare_store
from chiiki.store import create_engine_from_settings, create_user, session_scope
from chiiki.store.datasets import import_and_register
from chiiki.store.settings import StoreSettings

SAMPLE_USERS = (
    # username, role, scope
    ("admin", "admin", {}),
    ("reviewer", "reviewer", {}),
    ("tohoku", "bureau", {"block_code": "tohoku"}),
    ("kanto", "bureau", {"block_code": "kanto"}),
    ("fukushima", "prefecture", {"prefecture_code": "07"}),
    ("tokyo", "prefecture", {"prefecture_code": "13"}),
    ("koriyama", "municipal", {"municipality_code": "07203"}),
)


@dataclass
class SeededApp:
    app: FastAPI
    data_dir: Path
    passwords: dict[str, str]


def seed_users(
    settings: StoreSettings, users=SAMPLE_USERS, *, password: str = "test-password-123"
) -> dict[str, str]:  # noqa: ANN001
    """Create ``users`` (all with ``password``) in the store of ``settings``; returns username → password."""
    engine = create_engine_from_settings(settings)
    with session_scope(engine) as session:
        for username, role, scope in users:
            create_user(
                session,
                username=username,
                password_hash=hash_password(password),
                role=role,
                actor="setup",
                **scope,
            )
    engine.dispose()
    return {u[0]: password for u in users}


def import_synthetic(
    data_dir: Path,
    *,
    n_firms: int,
    years: tuple[int, ...] = (2023, 2024),
    seed: int = 7,
    settings: StoreSettings | None = None,
) -> str:
    """Generate the synthetic economy, import it and register it in the store of ``settings`` (default:
    the store under ``data_dir``) as the current data set; returns the version."""
    ds = generate_economy(n_firms=n_firms, years=years, seed=seed)
    engine = create_engine_from_settings(settings or StoreSettings(data_dir=data_dir))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            write_dataset(ds, Path(tmp), fmt="parquet", info={"validated": False})
            (Path(tmp) / "chiiki-manifest.json").unlink()
            return import_and_register(engine, Path(tmp), data_dir, actor="setup").version
    finally:
        engine.dispose()


def seeded_app(
    data_dir: Path,
    *,
    n_firms: int | None = 600,
    web: WebSettings | None = None,
    settings: StoreSettings | None = None,
) -> SeededApp:
    """A migrated store under ``data_dir`` (the database of ``settings`` when given) with
    :data:`SAMPLE_USERS` and (optionally) a synthetic data set of ``n_firms`` firms, and the app."""
    settings = settings or StoreSettings(data_dir=data_dir)
    engine = create_engine_from_settings(settings)
    prepare_store(engine, settings.resolved_database_url)
    engine.dispose()
    passwords = seed_users(settings)
    if n_firms:
        import_synthetic(data_dir, n_firms=n_firms, settings=settings)
    app = create_app(settings, web=web or WebSettings(environment="test", secret_key="x" * 40))
    return SeededApp(app, data_dir, passwords)


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    data_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None, timeout_s: float = 120
) -> Iterator[str]:
    """uvicorn serving the store under ``data_dir`` in a subprocess (test mode, its own secret, a
    free port); yields the base URL once ``/readyz`` answers, and stops the server afterwards."""
    import httpx  # noqa: PLC0415 - a development dependency, only tests and benchmarks serve

    port = free_port()
    environment = {
        **os.environ, "CHIIKI_DATA_DIR": str(data_dir), "CHIIKI_ENVIRONMENT": "test",
        "CHIIKI_SECRET_KEY": secrets.token_urlsafe(48), **(env or {}),
    }  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "chiiki.server.asgi:app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(cmd, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server at {base} did not become ready in {timeout_s} s")
            time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
