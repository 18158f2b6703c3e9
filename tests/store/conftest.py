"""Store test fixtures: every store test runs on SQLite and on PostgreSQL, each on a fresh database.

PostgreSQL: ``CHIIKI_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
trust auth). One uniquely named database is created and migrated per test session (and per xdist
worker) and dropped at the end; before each test every table is emptied (and its id
sequence restarted) and the schema brought back to head if a test moved it, so each test starts fresh. SQLite:
each test gets its own copy of a migrated file. When the server cannot be reached the PostgreSQL
variants are skipped with the reason (``.ci/run`` starts the server).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from chiiki.store import (
    create_engine_from_url,
    current_revision,
    head_revision,
    make_session_factory,
    upgrade,
)
from chiiki.store.models import Base

PG_URL = os.environ.get("CHIIKI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _admin_engine() -> Engine:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def _url_for(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Name of this session's migrated database, or the reason PostgreSQL is unavailable."""
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means: skip with the reason
        admin.dispose()
        yield f"unavailable: PostgreSQL に接続できません ({PG_URL}): {exc.__class__.__name__}"
        return
    name = f"chiiki_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine_from_url(_url_for(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "template.sqlite3"
    engine = create_engine_from_url(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database of the parametrised backend."""
    if request.param == "sqlite":
        path = tmp_path / "chiiki.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        eng = create_engine_from_url(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    database = request.getfixturevalue("postgres_template")
    if database.startswith("unavailable:"):
        pytest.skip(database.removeprefix("unavailable: "))
    eng = create_engine_from_url(_url_for(database))
    _reset(eng)
    yield eng
    eng.dispose()


def _reset(eng: Engine) -> None:
    """Empty every table (ids restart) and bring the schema back to head if a test moved it."""
    if current_revision(eng) != head_revision():
        upgrade(eng)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with eng.begin() as conn:  # DELETE beats TRUNCATE on tiny tables
        for name in tables:
            conn.execute(text(f'DELETE FROM "{name}"'))
        for name in tables:
            if "id" in Base.metadata.tables[name].c:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)"))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database; the test commits what it wants to keep."""
    factory = make_session_factory(engine)
    with factory() as s:
        yield s
