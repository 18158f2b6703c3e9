"""Records of A and C plans (SPEC §6.1, §6.2; issue #12 §4).

A (戦略産業クラスター計画): the bureau screens each prefecture's candidate project on its own — the
project's requirement checks (the A checklist applied to that project alone), a score per
requirement, the score's recommendation and the bureau's decision (素案に採択・継続検討・不採択) with
a comment; the bureau's 有識者検討会 meetings (date, members, opinions, decisions) are kept with the
plan. The plan's own checklist follows every new candidate project at once
(:func:`follow_candidates`).

C (地場産業成長プラン): the municipality's 相談窓口 (desk, department, contact) and a log of
consultations, counted per fiscal year (April–March) so that the counts can serve as a KPI.

Only the plan's own staff write these records (:func:`chiiki.plans.workflow.owns`), never once the
plan is closed; every write is audited; the caller commits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.plans.requirements import REQUIREMENTS, check_requirements
from chiiki.plans.rules import PlanRules
from chiiki.plans.screening import screen
from chiiki.store import audit
from chiiki.store.concurrency import check_version, flush_checked
from chiiki.store.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from chiiki.store.models import (
    CANDIDATE_DECISIONS,
    CandidateProject,
    CandidateScreening,
    Consultation,
    ConsultationDesk,
    ExpertMeeting,
    Plan,
)
from chiiki.store.plans import get_plan, plan_facts, require

CANDIDATE_DECISION_LABELS = {"adopt": "素案に採択", "hold": "継続検討", "reject": "不採択"}
MAX_MEMBERS = 50
CONSULTATION_KPI = ("consultations", "相談窓口の相談件数", "件")
"""Code, label and unit of the KPI the consultation counts feed."""


def fiscal_year_of(day: date) -> int:
    """The Japanese fiscal year (April to March) of ``day``: 2027-03-31 → 2026, 2027-04-01 → 2027."""
    return day.year if day.month >= 4 else day.year - 1


def _owner_of(actor: workflow.Actor, plan: Plan, plan_type: str, what: str) -> None:
    if plan.plan_type != plan_type:
        raise InvalidInputError(f"{what}は{plan_type} 計画にだけ記録できます。")
    require(workflow.owns(actor, plan))
    if plan.state == "closed":
        raise PermissionDeniedError(f"終了した計画には{what}を記録できません。")


def follow_candidates(session: Session, plan: Plan, *, actor: str, rules: PlanRules | None = None) -> int:
    """Re-run the automatic checks of an A plan's checklist after its candidate projects changed
    (a prefecture's submission, which is not an edit of the plan by its owner); returns how many
    items changed, each audited as ``auto_check``."""
    session.refresh(plan)
    checks = {c.code: c for c in check_requirements(plan_facts(plan), rules=rules)}
    changed = 0
    for item in plan.requirements:
        check = checks.get(item.code)
        if (
            check is None
            or not check.auto
            or (item.status, item.auto_explanation)
            == (
                check.status,
                check.explanation,
            )
        ):
            continue
        before = audit.snapshot(item)
        item.status, item.auto_explanation = check.status, check.explanation
        session.flush()
        audit.record(
            session, actor=actor, action="auto_check", entity="plan_requirement", entity_id=item.id,
            before=before, after=audit.snapshot(item),
        )  # fmt: skip
        changed += 1
    return changed


def project_checks(plan: Plan, project: CandidateProject, *, rules: PlanRules | None = None) -> list[dict]:
    """The A checklist applied to ``project`` alone (SPEC §6.2 A)."""
    facts = plan_facts(plan)
    own = [p for p, row in zip(facts.projects, plan.candidate_projects, strict=True) if row.id == project.id]
    checks = check_requirements(replace(facts, projects=own), rules=rules)
    return [
        {"code": c.code, "label": c.label, "status": c.status, "explanation": c.explanation} for c in checks
    ]


def screen_candidate(
    session: Session,
    plan_id: int,
    project_id: int,
    *,
    actor: workflow.Actor,
    scores: dict[str, int | None],
    decision: str,
    comment: str = "",
    rules: PlanRules | None = None,
) -> CandidateScreening:
    """The bureau's screening of one candidate project (SPEC §6.4 applied per project): scores per A
    requirement (0–2, None = 該当なし), the recommendation they give, and the decision. A decision
    that goes against the recommendation (採択 though the score says 差戻し) needs a written reason."""
    plan = get_plan(session, plan_id)
    if plan.plan_type != "A":
        raise InvalidInputError("候補プロジェクトの審査は A 計画にだけ行えます。")
    require(workflow.owns(actor, plan))
    if plan.state not in workflow.EDITABLE_STATES:
        raise PermissionDeniedError(
            "候補プロジェクトの審査は、素案を作成している間（作成中・差戻し）に行います。"
        )
    project = next((p for p in plan.candidate_projects if p.id == project_id), None)
    if project is None:
        raise NotFoundError(f"この計画に候補プロジェクト（ID {project_id}）はありません。")
    if decision not in CANDIDATE_DECISIONS:
        raise InvalidInputError(
            f"判断「{decision}」はありません。{'・'.join(CANDIDATE_DECISION_LABELS.values())}のいずれかを選んでください。"
        )
    try:
        result = screen(scores, requirement_codes=[s.code for s in REQUIREMENTS["A"]], rules=rules)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc
    if decision == "adopt" and result.decision != "approve" and not comment.strip():
        raise InvalidInputError(
            f"点数の目安は「差戻し」（{result.reasons[0]}）ですが、判断は「素案に採択」です。"
            "目安と違う判断をする理由をコメントに書いてください。"
        )
    row = CandidateScreening(
        plan_id=plan.id, candidate_project_id=project.id, reviewer=actor.username,
        checks=project_checks(plan, project, rules=rules), scores=result.scores, total=result.total,
        max_total=result.max_total, recommendation=result.decision, decision=decision, comment=comment,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor.username, action="screen_candidate", entity="candidate_screening",
        entity_id=row.id, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def candidate_screenings(session: Session, plan_id: int) -> dict[int, list[CandidateScreening]]:
    """Every screening of the plan's candidate projects, by project id, oldest first."""
    rows = session.scalars(
        select(CandidateScreening)
        .where(CandidateScreening.plan_id == plan_id)
        .order_by(CandidateScreening.id)
    )
    out: dict[int, list[CandidateScreening]] = {}
    for row in rows:
        out.setdefault(row.candidate_project_id, []).append(row)
    return out


def _members(members: list[str]) -> list[str]:
    clean = [m.strip()[:200] for m in members if m and m.strip()]
    if len(clean) > MAX_MEMBERS:
        raise InvalidInputError(f"委員は{MAX_MEMBERS}名までです（{len(clean)}名が入力されました）。")
    return clean


def add_meeting(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    held_on: date,
    title: str,
    members: list[str],
    opinions: str = "",
    decisions: str = "",
) -> ExpertMeeting:
    """Record a meeting of the bureau's 有識者検討会 on the A plan."""
    plan = get_plan(session, plan_id)
    _owner_of(actor, plan, "A", "有識者検討会の記録")
    if not title.strip():
        raise InvalidInputError("有識者検討会の名称（例: 第1回 東北地域戦略産業検討会）を入力してください。")
    row = ExpertMeeting(
        plan_id=plan.id, held_on=held_on, title=title.strip()[:300], members=_members(members),
        opinions=opinions, decisions=decisions, created_by=actor.username,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor.username, action="create", entity="expert_meeting", entity_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def update_meeting(
    session: Session,
    plan_id: int,
    meeting_id: int,
    *,
    actor: workflow.Actor,
    expected_version: int | None,
    **changes: object,
) -> ExpertMeeting:
    """Correct a meeting record (date, title, members, opinions, decisions), refusing a stale version."""
    allowed = {"held_on", "title", "members", "opinions", "decisions"}
    if set(changes) - allowed:
        raise InvalidInputError(f"有識者検討会の項目 {sorted(set(changes) - allowed)} は変更できません。")
    plan = get_plan(session, plan_id)
    _owner_of(actor, plan, "A", "有識者検討会の記録")
    row = session.get(ExpertMeeting, meeting_id)
    if row is None or row.plan_id != plan.id:
        raise NotFoundError(f"この計画に有識者検討会の記録（ID {meeting_id}）はありません。")
    check_version(row, expected_version, "有識者検討会の記録")
    before = audit.snapshot(row)
    if "members" in changes:
        changes["members"] = _members(list(changes["members"]))  # type: ignore[arg-type]
    for key, value in changes.items():
        setattr(row, key, value)
    flush_checked(session, "有識者検討会の記録", row.id)
    audit.record(
        session, actor=actor.username, action="update", entity="expert_meeting", entity_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def meetings(session: Session, plan_id: int) -> list[ExpertMeeting]:
    return list(
        session.scalars(
            select(ExpertMeeting)
            .where(ExpertMeeting.plan_id == plan_id)
            .order_by(ExpertMeeting.held_on, ExpertMeeting.id)
        )
    )


def save_desk(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    name: str,
    department: str = "",
    contact: str = "",
    opened_on: date | None = None,
    note: str = "",
    desk_id: int | None = None,
    expected_version: int | None = None,
) -> ConsultationDesk:
    """Create (``desk_id`` None) or correct a 相談窓口 of the C plan."""
    plan = get_plan(session, plan_id)
    _owner_of(actor, plan, "C", "相談窓口")
    if not name.strip():
        raise InvalidInputError("相談窓口の名称（例: 郡山市 地場産業相談窓口）を入力してください。")
    values = {
        "name": name.strip()[:300], "department": department.strip()[:300], "contact": contact.strip()[:300],
        "opened_on": opened_on, "note": note,
    }  # fmt: skip
    if desk_id is None:
        row = ConsultationDesk(plan_id=plan.id, created_by=actor.username, **values)
        session.add(row)
        session.flush()
        audit.record(
            session, actor=actor.username, action="create", entity="consultation_desk", entity_id=row.id,
            after=audit.snapshot(row),
        )  # fmt: skip
        return row
    row = session.get(ConsultationDesk, desk_id)
    if row is None or row.plan_id != plan.id:
        raise NotFoundError(f"この計画に相談窓口（ID {desk_id}）はありません。")
    check_version(row, expected_version, "相談窓口")
    before = audit.snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    flush_checked(session, "相談窓口", row.id)
    audit.record(
        session, actor=actor.username, action="update", entity="consultation_desk", entity_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def desks(session: Session, plan_id: int) -> list[ConsultationDesk]:
    return list(
        session.scalars(
            select(ConsultationDesk).where(ConsultationDesk.plan_id == plan_id).order_by(ConsultationDesk.id)
        )
    )


def log_consultation(
    session: Session,
    plan_id: int,
    desk_id: int,
    *,
    actor: workflow.Actor,
    held_on: date,
    topic: str,
    client: str = "",
    outcome: str = "",
    today: date | None = None,
) -> Consultation:
    """Log one consultation at a desk of the C plan; a date in the future is refused."""
    plan = get_plan(session, plan_id)
    _owner_of(actor, plan, "C", "相談の記録")
    desk = session.get(ConsultationDesk, desk_id)
    if desk is None or desk.plan_id != plan.id:
        raise NotFoundError(f"この計画に相談窓口（ID {desk_id}）はありません。先に窓口を登録してください。")
    today = today or date.today()
    if held_on > today:
        raise InvalidInputError(
            f"相談日 {held_on.isoformat()} は未来の日付です。相談を受けた日（{today.isoformat()} 以前）を入力してください。"
        )
    if not topic.strip():
        raise InvalidInputError("相談の内容（件名）を入力してください。")
    row = Consultation(
        plan_id=plan.id, desk_id=desk.id, held_on=held_on, fiscal_year=fiscal_year_of(held_on),
        topic=topic.strip()[:300], client=client.strip()[:300], outcome=outcome, created_by=actor.username,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor.username, action="create", entity="consultation", entity_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def consultations(session: Session, plan_id: int, *, limit: int = 500) -> list[Consultation]:
    """The consultation log, newest first."""
    return list(
        session.scalars(
            select(Consultation)
            .where(Consultation.plan_id == plan_id)
            .order_by(Consultation.held_on.desc(), Consultation.id.desc())
            .limit(limit)
        )
    )


def consultation_counts(session: Session, plan_id: int) -> dict[int, int]:
    """Consultations per fiscal year (one grouped query), oldest year first."""
    rows = session.execute(
        select(Consultation.fiscal_year, func.count())
        .where(Consultation.plan_id == plan_id)
        .group_by(Consultation.fiscal_year)
        .order_by(Consultation.fiscal_year)
    ).all()
    return {int(year): int(n) for year, n in rows}
