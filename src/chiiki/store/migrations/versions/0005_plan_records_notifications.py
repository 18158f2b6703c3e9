"""A and C plan records and notifications (issue #12 §4, §6): the bureau's screening of each
candidate project, 有識者検討会 meetings, 相談窓口 desks and their consultation log, in-app
notifications

Revision ID: 0005
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _plan_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["plan_id"], ["plans.id"], name=op.f(f"fk_{table}_plan_id_plans"), ondelete="CASCADE"
    )


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "candidate_screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("candidate_project_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", JSON_TYPE, nullable=False),
        sa.Column("scores", JSON_TYPE, nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("max_total", sa.Float(), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('adopt', 'hold', 'reject')", name=op.f("ck_candidate_screenings_decision")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_project_id"],
            ["candidate_projects.id"],
            name=op.f("fk_candidate_screenings_candidate_project_id_candidate_projects"),
            ondelete="CASCADE",
        ),
        _plan_fk("candidate_screenings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_screenings")),
    )
    _index("candidate_screenings", "plan_id")
    _index("candidate_screenings", "candidate_project_id")
    op.create_table(
        "expert_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("members", JSON_TYPE, nullable=False),
        sa.Column("opinions", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _plan_fk("expert_meetings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_meetings")),
    )
    _index("expert_meetings", "plan_id")
    op.create_table(
        "consultation_desks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("department", sa.String(length=300), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _plan_fk("consultation_desks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_desks")),
    )
    _index("consultation_desks", "plan_id")
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=300), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_id"],
            ["consultation_desks.id"],
            name=op.f("fk_consultations_desk_id_consultation_desks"),
            ondelete="CASCADE",
        ),
        _plan_fk("consultations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    _index("consultations", "plan_id")
    _index("consultations", "desk_id")
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        _plan_fk("notifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    _index("notifications", "user_id")


def downgrade() -> None:
    for table, columns in (
        ("notifications", ("user_id",)),
        ("consultations", ("desk_id", "plan_id")),
        ("consultation_desks", ("plan_id",)),
        ("expert_meetings", ("plan_id",)),
        ("candidate_screenings", ("candidate_project_id", "plan_id")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
