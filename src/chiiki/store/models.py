"""SQLAlchemy 2 models of every table of the project (one linear Alembic history, issue #6 §1).

Editable rows carry a ``version`` column used as SQLAlchemy's ``version_id_col``: an UPDATE names the
version it read, so a concurrent edit is detected instead of silently overwritten (issue #6 §6).
Money is in 千円 (SPEC §2) unless a column says otherwise; codes are strings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")

ROLES = ("admin", "reviewer", "bureau", "prefecture", "municipal")
PLAN_TYPES = ("A", "B", "C")
OWNER_LEVELS = ("block", "prefecture", "municipality")
PLAN_STATES = ("draft", "submitted", "under_review", "approved", "returned", "monitoring", "closed")
REQUIREMENT_STATUSES = ("pending", "met", "not_met", "not_applicable")
KPI_VALUE_KINDS = ("target", "actual")
AUTH_KINDS = ("web", "api")
JOB_STATES = ("queued", "running", "succeeded", "failed")
CANDIDATE_DECISIONS = ("adopt", "hold", "reject")
"""A bureau's decision on an A plan's candidate project: 素案に採択 / 継続検討 / 不採択."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Mixin: optimistic concurrency with a ``version`` counter (starts at 1)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy declared_attr
        return {"version_id_col": cls.version}


class User(Versioned, Base):
    """A person who logs in (the web shell hashes passwords with argon2)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(200))
    prefecture_code: Mapped[str | None] = mapped_column(String(2))
    block_code: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    chosen_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    """The data-set version the user last chose for their analyses (issue #11 §2)."""
    upload_columns: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    """The user's header mapping for firm-file uploads, header → contract column or None (left out),
    remembered from the web upload's mapping step for the next upload (issue #11 §1)."""


class AuthSession(Base):
    """A login: a browser session or an API token (issue #10 §3). Only the SHA-256 of the random
    token is stored; logging out deletes the row, and disabling a user or changing a password
    deletes all of the user's rows, so a copied cookie or token stops working at once everywhere."""

    __tablename__ = "auth_sessions"
    __table_args__ = (CheckConstraint(_in("kind", AUTH_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    client: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class LoginThrottle(Base):
    """Failed logins of one key (``user:<name>`` or ``addr:<address>``) and until when it must wait
    (issue #10 §8). Kept in the database so that every worker and machine sees the same counts."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """A piece of long work (an import and its analyses, a large export) and how far it got (issue
    #15 §2). The row is the truth every process and the pages read; a queue only says who runs it."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint(_in("state", JOB_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    """Who did what, when, to which row, with the row before and after (issue #6 §6)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    entity: Mapped[str] = mapped_column(String(50), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(100), nullable=False)
    before: Mapped[Any | None] = mapped_column(JSONType)
    after: Mapped[Any | None] = mapped_column(JSONType)


class DatasetVersion(Base):
    """A registered, validated firm data set version (Parquet files under the data directory)."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_datasets_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[str] = mapped_column(String(100), nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[dict[str, str]] = mapped_column(JSONType, nullable=False)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when the version was retired: kept for audit and for the plans that pinned it, hidden
    from the choice of data for new analyses (issue #11 §2)."""
    retired_by: Mapped[str | None] = mapped_column(String(100))


class IoTableVersion(Base):
    """A prefecture's own input–output table, uploaded in a published layout (issue #11 item 5; SPEC
    §5): the file as uploaded (kept under the data directory), the sheet read, and the recognition
    report of :func:`chiiki.io.read_table_with_report`. Versions count per prefecture; a retired
    version is kept (audit, saved scenarios) and hidden from choice."""

    __tablename__ = "io_tables"
    __table_args__ = (UniqueConstraint("prefecture_code", "version", name="uq_io_tables_prefecture_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    filename: Mapped[str] = mapped_column(String(300), nullable=False)
    sheet: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    n_sectors: Mapped[int] = mapped_column(Integer, nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_by: Mapped[str | None] = mapped_column(String(100))


class Plan(Versioned, Base):
    """An A, B or C plan (SPEC §6.1) owned by a block, prefecture or municipality."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(_in("plan_type", PLAN_TYPES), name="plan_type"),
        CheckConstraint(_in("owner_level", OWNER_LEVELS), name="owner_level"),
        CheckConstraint(_in("state", PLAN_STATES), name="state"),
        CheckConstraint("period_start <= period_end", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_type: Mapped[str] = mapped_column(String(1), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    owner_level: Mapped[str] = mapped_column(String(20), nullable=False)
    block_code: Mapped[str | None] = mapped_column(String(20), index=True)
    prefecture_code: Mapped[str | None] = mapped_column(String(2), index=True)
    municipality_code: Mapped[str | None] = mapped_column(String(5))
    period_start: Mapped[int] = mapped_column(Integer, nullable=False)
    period_end: Mapped[int] = mapped_column(Integer, nullable=False)
    focus_fields: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    local_resources: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow
    )

    requirements: Mapped[list[PlanRequirement]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanRequirement.position"
    )
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Kpi.id"
    )
    priority_firms: Mapped[list[PriorityFirm]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PriorityFirm.rank"
    )
    candidate_projects: Mapped[list[CandidateProject]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CandidateProject.id"
    )
    ripple_scenarios: Mapped[list[RippleScenario]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="RippleScenario.id"
    )
    screenings: Mapped[list[Screening]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Screening.id"
    )
    state_history: Mapped[list[PlanStateChange]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanStateChange.id"
    )


class PlanRequirement(Versioned, Base):
    """One checklist item of SPEC §6.2 for a plan: evidence, status, reviewer comment."""

    __tablename__ = "plan_requirements"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_plan_requirements_plan_code"),
        CheckConstraint(_in("status", REQUIREMENT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    is_auto: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    auto_explanation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reviewer_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="requirements")


class Kpi(Versioned, Base):
    """A KPI of a plan (SPEC §6.3): baseline (with where it came from) and its target rule."""

    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_kpis_plan_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    target_rule: Mapped[str] = mapped_column(Text, nullable=False, default="")
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    """The firm data-set version the baseline was computed from (None: typed by hand). Pins the
    evidence (issue #11 §3) and decides who may see the figures (issue #10 §1)."""

    plan: Mapped[Plan] = relationship(back_populates="kpis")
    values: Mapped[list[KpiValue]] = relationship(
        back_populates="kpi", cascade="all, delete-orphan", order_by="(KpiValue.kind, KpiValue.fiscal_year)"
    )


class KpiValue(Versioned, Base):
    """A yearly target or actual of a KPI."""

    __tablename__ = "kpi_values"
    __table_args__ = (
        UniqueConstraint("kpi_id", "fiscal_year", "kind", name="uq_kpi_values_kpi_year_kind"),
        CheckConstraint(_in("kind", KPI_VALUE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), nullable=False, index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    history: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, nullable=False, default=list, server_default="[]"
    )
    """Earlier values of a corrected actual, oldest first: ``[{"value", "note", "replaced_at",
    "replaced_by"}, …]`` (issue #12 §1: a correction keeps the earlier value)."""

    kpi: Mapped[Kpi] = relationship(back_populates="values")


class PriorityFirm(Base):
    """A 重点支援企業 of a plan, with its indicators as they were at selection (SPEC §3.2, §6.1 B)."""

    __tablename__ = "priority_firms"
    __table_args__ = (UniqueConstraint("plan_id", "company_id", name="uq_priority_firms_plan_company"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    company_id: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    rank: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    """The selection rule's own reasons (generated)."""
    planner_reason: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    """The planner's free-text reason for choosing the firm (issue #12 §3)."""
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    score_run: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    """The firm data-set version the firm and its figures come from (pinned evidence; licence scope)."""
    selected_by: Mapped[str] = mapped_column(String(100), nullable=False)
    selected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="priority_firms")


class CandidateProject(Versioned, Base):
    """A prefecture's candidate project for a block's A plan (SPEC §6.1 A, §6.2 A)."""

    __tablename__ = "candidate_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    prefecture_code: Mapped[str] = mapped_column(String(2), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    field_id: Mapped[int | None] = mapped_column(Integer)
    investment_amount: Mapped[int | None] = mapped_column(BigInteger)
    """Expected investment in 千円."""
    ministries: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    """Ministries already coordinated with: ``[{"name": "経済産業省", "since": "2026-04-01"}, …]``."""
    wage_plan: Mapped[str] = mapped_column(Text, nullable=False, default="")
    wage_growth_rate: Mapped[float | None] = mapped_column(Float)
    """Planned yearly wage growth rate (0.05 = 5 %)."""
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    submitted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="candidate_projects")


class RippleScenario(Base):
    """A ripple-effect scenario (SPEC §5): its inputs and the results frame, both as JSON."""

    __tablename__ = "ripple_scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False, default="百万円")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="ripple_scenarios")


class Screening(Base):
    """A reviewer's screening of a plan (SPEC §6.4): per-requirement scores, total, decision."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reviewer: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    scores: Mapped[dict[str, int]] = mapped_column(JSONType, nullable=False)
    total: Mapped[float] = mapped_column(Float, nullable=False)
    max_total: Mapped[float] = mapped_column(Float, nullable=False)
    decision: Mapped[str] = mapped_column(String(20), nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="screenings")


class SupportMeasure(Versioned, Base):
    """A support measure of the catalog (SPEC §6.4; seed 支援策)."""

    __tablename__ = "support_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    category: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    plan_types: Mapped[list[str]] = mapped_column(JSONType, nullable=False)
    field_ids: Mapped[list[int] | None] = mapped_column(JSONType)
    local_resources: Mapped[list[str] | None] = mapped_column(JSONType)
    for_firms: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")


class PlanStateChange(Base):
    """One workflow transition of a plan (SPEC §6.5)."""

    __tablename__ = "plan_state_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")

    plan: Mapped[Plan] = relationship(back_populates="state_history")


class CandidateScreening(Base):
    """The bureau's screening of one candidate project of an A plan (SPEC §6.1 A, §6.4; issue #12 §4):
    the project's own requirement checks, a score per requirement, the total, the score's
    recommendation and the bureau's decision with a comment. A later screening of the same project
    does not replace the earlier one: the last is the current decision."""

    __tablename__ = "candidate_screenings"
    __table_args__ = (CheckConstraint(_in("decision", CANDIDATE_DECISIONS), name="decision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    candidate_project_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reviewer: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    """The project's requirement checks at screening: ``[{"code", "label", "status", "explanation"}]``."""
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    total: Mapped[float] = mapped_column(Float, nullable=False)
    max_total: Mapped[float] = mapped_column(Float, nullable=False)
    recommendation: Mapped[str] = mapped_column(String(20), nullable=False)
    """What the score recommends (approve | return, :mod:`chiiki.plans.screening`)."""
    decision: Mapped[str] = mapped_column(String(20), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ExpertMeeting(Versioned, Base):
    """A meeting of the bureau's 有識者検討会 on an A plan (SPEC §6.1 A): when, who, what was said and
    decided."""

    __tablename__ = "expert_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    members: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    opinions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decisions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class ConsultationDesk(Versioned, Base):
    """A municipality's 相談窓口 of a C plan (SPEC §6.2 C): where it is and how to reach it."""

    __tablename__ = "consultation_desks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    department: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    contact: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    opened_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class Consultation(Base):
    """One consultation at a 相談窓口 (a log row; counted per fiscal year as a KPI, issue #12 §4)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    desk_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_desks.id", ondelete="CASCADE"), nullable=False, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    """Japanese fiscal year of ``held_on`` (April to March)."""
    client: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    topic: Mapped[str] = mapped_column(String(300), nullable=False)
    outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class Notification(Base):
    """An in-app notice to one user (issue #12 §6): a plan returned to its authors, submitted to its
    reviewers, approved. ``read_at`` is set when the user marks it read."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    link: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


__all__ = [
    "AuditLog",
    "AuthSession",
    "Base",
    "CandidateProject",
    "CandidateScreening",
    "Consultation",
    "ConsultationDesk",
    "DatasetVersion",
    "ExpertMeeting",
    "Kpi",
    "IoTableVersion",
    "Job",
    "KpiValue",
    "LoginThrottle",
    "Notification",
    "Plan",
    "PlanRequirement",
    "PlanStateChange",
    "PriorityFirm",
    "RippleScenario",
    "Screening",
    "SupportMeasure",
    "User",
]
