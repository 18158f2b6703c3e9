"""Run the store's Alembic migrations from code (``chiiki db upgrade``); no alembic.ini needed.

The migration scripts ship inside the package (``chiiki/store/migrations``), one linear history.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPT_LOCATION = "chiiki.store:migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (and at ``url`` when given)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database of ``engine`` to ``revision``; returns the revision it is at afterwards."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Take the database of ``engine`` back to ``revision`` (``"base"`` removes every table)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


class StoreNotReadyError(RuntimeError):
    """The database is behind this version of the program (message in Japanese)."""


def ensure_store(engine: Engine) -> str | None:
    """Make a new embedded (SQLite) store ready; refuse a database that exists but is behind.

    A PostgreSQL database is never migrated on the way: that is ``chiiki db upgrade``'s job."""
    revision = current_revision(engine)
    if revision == head_revision():
        return revision
    if revision is None and engine.dialect.name == "sqlite":
        return upgrade(engine)
    raise StoreNotReadyError(
        "データベースが最新の構造になっていません。先に chiiki db upgrade を実行してください。"
    )
