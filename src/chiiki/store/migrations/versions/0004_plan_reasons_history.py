"""the planner's own reason for each 重点支援企業 (issue #12 §3) and the earlier values of a corrected
KPI actual (issue #12 §1)

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("priority_firms") as batch:
        batch.add_column(sa.Column("planner_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("kpi_values") as batch:
        batch.add_column(sa.Column("history", JSON_TYPE, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("kpi_values") as batch:
        batch.drop_column("history")
    with op.batch_alter_table("priority_firms") as batch:
        batch.drop_column("planner_reason")
