"""Building a ready web application with users and a firm data set, for tests, benchmarks and the
demo: one helper so all three set up the same way."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.app import create_app
from chiiki.services.security import hash_password
from chiiki.services.settings import WebSettings
from chiiki.store import create_engine_from_settings, create_user, session_scope, upgrade
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


def seeded_app(data_dir: Path, *, n_firms: int | None = 600, web: WebSettings | None = None) -> SeededApp:
    """A migrated store under ``data_dir`` with :data:`SAMPLE_USERS` and (optionally) a synthetic data
    set of ``n_firms`` firms, and the app over it."""
    settings = StoreSettings(data_dir=data_dir)
    engine = create_engine_from_settings(settings)
    upgrade(engine)
    engine.dispose()
    passwords = seed_users(settings)
    if n_firms:
        import_synthetic(data_dir, n_firms=n_firms, settings=settings)
    app = create_app(settings, web=web or WebSettings(environment="test", secret_key="x" * 40))
    return SeededApp(app, data_dir, passwords)
