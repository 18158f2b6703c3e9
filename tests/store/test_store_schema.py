"""Migrations: the packaged history builds exactly the models' schema, and goes back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from chiiki.store import current_revision, head_revision
from chiiki.store.migrate import downgrade
from chiiki.store.models import Base


def test_migrations_reach_head(engine: Engine) -> None:
    assert head_revision() is not None
    assert current_revision(engine) == head_revision()


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_to_base_removes_every_table(engine: Engine) -> None:
    assert downgrade(engine, "base") is None
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
