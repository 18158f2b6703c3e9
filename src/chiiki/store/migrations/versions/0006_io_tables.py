"""prefectures' own input–output tables, uploaded in published layouts, as versions (issue #11 item 5)

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "io_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefecture_code", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("n_sectors", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("report", JSON_TYPE, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_io_tables")),
        sa.UniqueConstraint("prefecture_code", "version", name="uq_io_tables_prefecture_version"),
    )
    with op.batch_alter_table("io_tables", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_io_tables_prefecture_code"), ["prefecture_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("io_tables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_io_tables_prefecture_code"))
    op.drop_table("io_tables")
