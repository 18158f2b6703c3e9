"""Fixtures of the security tests: a small seeded app of their own (no firm data unless asked), so
that failed logins and revoked sessions never reach another test's store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))  # web_helpers

import os  # noqa: E402
import uuid  # noqa: E402

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from chiiki.server.testing import seeded_app  # noqa: E402
from chiiki.store.settings import StoreSettings  # noqa: E402

PG_URL = os.environ.get("CHIIKI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def app_seeded(tmp_path):
    return seeded_app(tmp_path / "store", n_firms=None)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database of its own (skipped, saying why, without a server)."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"chiiki_sec_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: skip with the reason
        admin.dispose()
        pytest.skip(f"PostgreSQL に接続できません ({PG_URL}): {exc.__class__.__name__}")
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_any_db(request, tmp_path):
    """The seeded app on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    return seeded_app(tmp_path, n_firms=None, settings=StoreSettings(data_dir=tmp_path, database_url=url))
