"""Engines and sessions (no import-time singletons).

SQLite gets foreign keys, write-ahead logging (readers never wait for a writer) and a busy timeout;
and every transaction begins ``IMMEDIATE``, taking the write lock at its start, so that concurrent
writers wait for each other in turn instead of failing with "database is locked" when a read turns
into a write (issue #10 §4). Read-only work asks for :func:`read_only` connections, which begin
deferred and never wait. PostgreSQL is used as configured.

The service functions never commit: the caller owns the transaction, normally with
:func:`session_scope`, so a write and its audit row are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from chiiki.store.settings import StoreSettings, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the one before it (they take turns; none fails)."""
READ_ONLY = "chiiki_read_only"


def _sqlite_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at checkpoints, no corruption
    cursor.close()


def _sqlite_begin(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """``engine`` for work that only reads: on SQLite its transactions begin deferred (no write lock)."""
    return engine.execution_options(**{READ_ONLY: True})


def create_engine_from_url(url: str, **kwargs) -> Engine:
    """An engine for ``url``; for a SQLite file the parent directory is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def create_engine_from_settings(settings: StoreSettings | None = None, **kwargs) -> Engine:
    """An engine for ``settings.resolved_database_url`` (default: :func:`get_settings`)."""
    settings = settings or get_settings()
    return create_engine_from_url(settings.resolved_database_url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep loaded values after commit (handy in shells)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine_or_factory: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end of the block, or rolled back on any error."""
    factory = (
        make_session_factory(engine_or_factory)
        if isinstance(engine_or_factory, Engine)
        else engine_or_factory
    )
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
