"""Plan services (issue #6 §2–§6): create and edit plans, the requirement checklist, screening and
workflow transitions. Each write checks role and scope (:mod:`chiiki.plans.workflow`), detects
concurrent edits and records its audit row in the same session; the caller commits.

The plan rules themselves are pure functions in :mod:`chiiki.plans`; this module only loads facts
from the database, calls them, and stores the outcome.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.plans.labels import PLAN_TYPE_LABELS, STATE_LABELS
from chiiki.plans.requirements import (
    MANUAL_EXPLANATION,
    REQUIREMENTS,
    check_requirements,
)
from chiiki.plans.rules import PlanRules
from chiiki.plans.screening import screen
from chiiki.reference import blocks, municipalities, prefecture_block, prefectures
from chiiki.store import audit, notifications
from chiiki.store.concurrency import check_version, flush_checked
from chiiki.store.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from chiiki.store.models import Plan, PlanRequirement, PlanStateChange, Screening
from chiiki.store.plan_guards import check_decision, check_submit, plan_facts

PLAN = "計画"


def require(decision: workflow.Decision) -> None:
    """Raise :class:`PermissionDeniedError` with the decision's Japanese reason when refused."""
    if not decision:
        raise PermissionDeniedError(decision.reason)


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(
            f"計画 ID {plan_id} は見つかりません。計画一覧（画面の「計画」、または `chiiki plans list`）で ID を確認してください。"
        )
    return plan


def list_plans(
    session: Session, *, viewer: workflow.Actor | None = None, plan_type: str | None = None
) -> list[Plan]:
    """Plans by id; with ``viewer`` only those the viewer may see (SPEC §0 scopes)."""
    query = select(Plan).order_by(Plan.id)
    if plan_type is not None:
        query = query.where(Plan.plan_type == plan_type)
    plans = list(session.scalars(query))
    return plans if viewer is None else [p for p in plans if workflow.can_view(viewer, p)]


def owner_label(plan: Plan) -> str:
    """The owning organisation's name (block, prefecture or municipality)."""
    if plan.owner_level == "block":
        names = dict(zip(blocks()["block_code"], blocks()["name"], strict=True))
        return f"{names.get(plan.block_code, plan.block_code)}ブロック"
    prefs = dict(zip(prefectures()["prefecture_code"], prefectures()["name"], strict=True))
    if plan.owner_level == "prefecture":
        return prefs.get(plan.prefecture_code, plan.prefecture_code or "")
    m = municipalities(plan.prefecture_code)
    names = dict(zip(m["municipality_code"], m["name"], strict=True))
    town = names.get(plan.municipality_code, plan.municipality_code or "")
    return f"{prefs.get(plan.prefecture_code, '')}{town}"


def _validate_plan_fields(values: dict[str, Any]) -> None:
    start, end = values["period_start"], values["period_end"]
    if not (isinstance(start, int) and isinstance(end, int) and 2000 <= start <= end <= 2100):
        raise InvalidInputError(
            f"計画期間が正しくありません（{start}〜{end}年度）。開始年度 ≤ 終了年度で指定してください。"
        )
    bad = [f for f in values.get("focus_fields") or [] if not (isinstance(f, int) and 1 <= f <= 17)]
    if bad:
        raise InvalidInputError(f"重点分野は17の戦略分野の番号（1〜17）で指定してください: {bad}")
    if not str(values.get("title") or "").strip():
        raise InvalidInputError("計画の名称が空です。名称を入力してください。")


def _owner_codes(
    plan_type: str, block_code: str | None, prefecture_code: str | None, municipality_code: str | None
) -> dict[str, Any]:
    if plan_type not in PLAN_TYPE_LABELS:
        raise InvalidInputError(f"計画類型 {plan_type!r} はありません。A / B / C のいずれかです。")
    if plan_type == "A":
        if block_code not in set(blocks()["block_code"]):
            raise InvalidInputError(
                f"A 計画には地域ブロックのコードが必要です（指定値: {block_code!r}）。例: tohoku"
            )
        return {
            "owner_level": "block",
            "block_code": block_code,
            "prefecture_code": None,
            "municipality_code": None,
        }
    if municipality_code is not None:
        if plan_type == "B":
            raise InvalidInputError(
                "B 計画（地域産業クラスター計画）は都道府県が策定します。市区町村コードは指定できません。"
            )
        if municipality_code not in set(municipalities()["municipality_code"]):
            raise InvalidInputError(
                f"市区町村コード {municipality_code!r} はありません（JIS X 0402 の5桁）。"
            )
        pref = municipality_code[:2]
        return {
            "owner_level": "municipality",
            "block_code": prefecture_block()[pref],
            "prefecture_code": pref,
            "municipality_code": municipality_code,
        }
    if prefecture_code not in set(prefectures()["prefecture_code"]):
        raise InvalidInputError(
            f"都道府県コード {prefecture_code!r} はありません。01〜47 で指定してください。"
        )
    return {
        "owner_level": "prefecture",
        "block_code": prefecture_block()[prefecture_code],
        "prefecture_code": prefecture_code,
        "municipality_code": None,
    }


def create_plan(
    session: Session,
    *,
    actor: workflow.Actor,
    plan_type: str,
    title: str,
    period_start: int,
    period_end: int,
    block_code: str | None = None,
    prefecture_code: str | None = None,
    municipality_code: str | None = None,
    focus_fields: list[int] | None = None,
    local_resources: list[str] | None = None,
    description: str = "",
    is_demo: bool = False,
    dataset_id: int | None = None,
) -> Plan:
    """A new plan in state draft with its type's requirement checklist (SPEC §6.1–6.2).

    The owner follows the type: A → block, B → prefecture, C → municipality (or prefecture when no
    municipality code is given). Only the owner's staff may create it.
    """
    values: dict[str, Any] = {
        "plan_type": plan_type,
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "focus_fields": list(focus_fields or []),
        "local_resources": list(local_resources or []),
        "description": description,
        "is_demo": is_demo,
        "dataset_id": dataset_id,
    }
    values.update(_owner_codes(plan_type, block_code, prefecture_code, municipality_code))
    _validate_plan_fields(values)
    plan = Plan(state="draft", created_by=actor.username, **values)
    require(workflow.owns(actor, plan))
    plan.requirements = [
        PlanRequirement(
            code=spec.code,
            position=i,
            label=spec.label,
            is_auto=spec.auto,
            auto_explanation="" if spec.auto else MANUAL_EXPLANATION,
        )
        for i, spec in enumerate(REQUIREMENTS[plan_type])
    ]
    plan.state_history = [
        PlanStateChange(action="create", from_state=None, to_state="draft", actor=actor.username)
    ]
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="create",
        entity="plan",
        entity_id=plan.id,
        after=audit.snapshot(plan),
    )
    return plan


EDITABLE_FIELDS = frozenset(
    {"title", "period_start", "period_end", "focus_fields", "local_resources", "description"}
)


def update_plan(
    session: Session, plan_id: int, *, actor: workflow.Actor, expected_version: int | None, **changes: Any
) -> Plan:
    """Change a plan's overview fields; refused outside draft/returned, for non-owners, or when
    ``expected_version`` is stale."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInputError(f"計画の項目 {sorted(unknown)} はこの操作では変更できません。")
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    check_version(plan, expected_version, PLAN)
    before = audit.snapshot(plan)
    merged = {k: getattr(plan, k) for k in ("title", "period_start", "period_end", "focus_fields")} | changes
    _validate_plan_fields(merged)
    for key, value in changes.items():
        setattr(plan, key, list(value) if isinstance(value, list | tuple) else value)
    flush_checked(session, PLAN, plan_id)
    audit.record(
        session,
        actor=actor.username,
        action="update",
        entity="plan",
        entity_id=plan.id,
        before=before,
        after=audit.snapshot(plan),
    )
    return plan


def transition_plan(
    session: Session,
    plan_id: int,
    action: str,
    *,
    actor: workflow.Actor,
    comment: str = "",
    expected_version: int | None = None,
) -> Plan:
    """Move a plan through the workflow (SPEC §6.5), refusing with the Japanese reason when the role,
    scope or current state does not allow it, or when a guard finds something missing
    (:mod:`chiiki.store.plan_guards`: submit re-runs the automatic checks first; approve needs a full
    screening; a decision against the screening's recommendation needs ``comment`` as its reason, and
    the audit row records it). The change is kept in the state history and audited."""
    plan = get_plan(session, plan_id)
    check_version(plan, expected_version, PLAN)
    require(workflow.can_transition(actor, plan, action))
    decision: dict = {}
    if action == "submit":
        refresh_requirements(session, plan_id, actor=actor)
        check_submit(plan)
    elif action in ("approve", "return"):
        decision = check_decision(plan, action, comment)
    before = audit.snapshot(plan)
    target = workflow.TRANSITIONS[action].target
    plan.state_history.append(
        PlanStateChange(
            action=action,
            from_state=plan.state,
            to_state=target,
            actor=actor.username,
            comment=comment,
        )
    )
    plan.state = target
    flush_checked(session, PLAN, plan_id)
    audit.record(
        session,
        actor=actor.username,
        action=f"transition:{action}",
        entity="plan",
        entity_id=plan.id,
        before=before,
        after=audit.snapshot(plan) | {"comment": comment} | decision,
    )
    notifications.on_transition(session, plan, action, actor=actor.username, comment=comment)
    return plan


def refresh_requirements(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    rules: PlanRules | None = None,
    today: date | None = None,
) -> list[PlanRequirement]:
    """Re-run the automatic requirement checks (SPEC §6.2) and store status and explanation of the
    automatic items; manual items, evidence and reviewer comments are left as they are. Each changed
    item is audited. Refreshing changes the plan's checklist, so it is an edit: only those who may
    edit the plan, and never once it is submitted or approved (issue #10 §9)."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    checks = {c.code: c for c in check_requirements(plan_facts(plan), rules=rules, today=today)}
    changed = []
    for item in plan.requirements:
        check = checks.get(item.code)
        if check is None or not check.auto:
            continue
        if (item.status, item.auto_explanation) == (check.status, check.explanation):
            continue
        before = audit.snapshot(item)
        item.status, item.auto_explanation = check.status, check.explanation
        changed.append((item, before))
    flush_checked(session, "要件", plan_id)
    for item, before in changed:
        audit.record(
            session,
            actor=actor.username,
            action="auto_check",
            entity="plan_requirement",
            entity_id=item.id,
            before=before,
            after=audit.snapshot(item),
        )
    return list(plan.requirements)


def update_requirement(
    session: Session,
    plan_id: int,
    code: str,
    *,
    actor: workflow.Actor,
    expected_version: int | None,
    evidence: str | None = None,
    status: str | None = None,
    reviewer_comment: str | None = None,
) -> PlanRequirement:
    """The owner writes evidence (while editable); a reviewer sets the status of manual items and
    comments (while submitted or under review)."""
    plan = get_plan(session, plan_id)
    item = next((r for r in plan.requirements if r.code == code), None)
    if item is None:
        raise NotFoundError(f"計画 {plan_id} にこの要件はありません。画面を読み込み直してください。")
    check_version(item, expected_version, "要件")
    if evidence is not None:
        require(workflow.can_edit(actor, plan))
    if status is not None or reviewer_comment is not None:
        require(workflow.reviews(actor, plan))
        if plan.state not in ("submitted", "under_review"):
            raise PermissionDeniedError(
                f"要件の判定とコメントは提出済・審査中の計画にだけ入力できます（この計画は{STATE_LABELS[plan.state]}）。"
            )
    if status is not None:
        if item.is_auto:
            raise InvalidInputError(
                f"要件「{item.label}」は自動判定の項目です。判定はデータから行われます（コメントは入力できます）。"
            )
        if status not in ("pending", "met", "not_met", "not_applicable"):
            raise InvalidInputError(
                f"要件の状態「{status}」はありません。未確認・充足・不足・該当なしのいずれかを選んでください。"
            )
    before = audit.snapshot(item)
    for key, value in (("evidence", evidence), ("status", status), ("reviewer_comment", reviewer_comment)):
        if value is not None:
            setattr(item, key, value)
    flush_checked(session, "要件", item.id)
    audit.record(
        session,
        actor=actor.username,
        action="update",
        entity="plan_requirement",
        entity_id=item.id,
        before=before,
        after=audit.snapshot(item),
    )
    return item


def record_screening(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    scores: dict[str, int | None],
    comment: str = "",
    rules: PlanRules | None = None,
) -> Screening:
    """A reviewer's screening of a plan under review (SPEC §6.4): scores per requirement, total and
    decision, with reviewer and time."""
    plan = get_plan(session, plan_id)
    require(workflow.reviews(actor, plan))
    if plan.state != "under_review":
        raise PermissionDeniedError(
            f"審査（採点）は審査中の計画にだけ行えます（この計画は{STATE_LABELS[plan.state]}）。"
        )
    try:
        result = screen(
            scores,
            requirement_codes=[r.code for r in plan.requirements],
            rules=rules,
            labels={r.code: r.label for r in plan.requirements},
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc
    row = Screening(
        plan_id=plan.id,
        reviewer=actor.username,
        scores=result.scores,
        total=result.total,
        max_total=result.max_total,
        decision=result.decision,
        reasons=result.reasons,
        comment=comment,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="create",
        entity="screening",
        entity_id=row.id,
        after=audit.snapshot(row),
    )
    return row
