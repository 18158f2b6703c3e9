"""Picking a plan's 重点支援企業 one by one (issue #12 §3): add firms chosen from the whole
prefecture with the planner's own reason beside the selection rule's reasons, change a reason, remove
a firm. Each write checks that the actor may edit the plan and is audited; the caller commits.

Replacing the whole list from a score run is :func:`chiiki.store.parts.set_priority_firms`.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.store import audit
from chiiki.store.concurrency import flush_checked
from chiiki.store.errors import InvalidInputError, NotFoundError
from chiiki.store.models import PriorityFirm
from chiiki.store.parts import SCORE_COLUMNS, frame_to_records
from chiiki.store.plans import get_plan, require

MAX_REASON = 2000


def _firm(plan, company_id: str) -> PriorityFirm:  # noqa: ANN001 - Plan
    row = next((f for f in plan.priority_firms if f.company_id == company_id), None)
    if row is None:
        raise NotFoundError(
            "この企業はこの計画の重点支援企業に含まれていません。画面を読み込み直してください。"
        )
    return row


def _rerank(plan) -> None:  # noqa: ANN001 - Plan
    ordered = sorted(
        plan.priority_firms, key=lambda f: (-(f.score if f.score is not None else -1e18), f.company_id)
    )
    for i, f in enumerate(ordered, start=1):
        f.rank = i


def add_priority_firms(
    session: Session,
    plan_id: int,
    firms: pl.DataFrame,
    *,
    actor: workflow.Actor,
    planner_reasons: Mapping[str, str],
    score_run: str,
    dataset_id: int | None = None,
) -> list[PriorityFirm]:
    """Add ``firms`` (``company_id, name, score, reasons`` and indicator columns, one row per firm) to
    the plan's 重点支援企業 with the planner's reason of each; firms already in the list keep their
    place and get the new reason when one is given. Ranks follow the score."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    if firms.is_empty():
        raise InvalidInputError("重点支援企業に加える企業を1社以上選んでください。")
    before = {f.company_id: f.planner_reason for f in plan.priority_firms}
    existing = {f.company_id: f for f in plan.priority_firms}
    snap_cols = [c for c in firms.columns if c not in SCORE_COLUMNS]
    records = frame_to_records(firms.select(snap_cols))
    added = []
    for row, snap in zip(firms.iter_rows(named=True), records, strict=True):
        cid = row["company_id"]
        reason = (planner_reasons.get(cid) or "").strip()[:MAX_REASON]
        if cid in existing:
            if reason:
                existing[cid].planner_reason = reason
            continue
        firm = PriorityFirm(
            company_id=cid,
            name=row.get("name"),
            rank=0,
            score=row.get("score"),
            reasons=list(row.get("reasons") or []),
            planner_reason=reason,
            snapshot=snap,
            score_run=score_run,
            dataset_id=dataset_id,
            selected_by=actor.username,
        )
        plan.priority_firms.append(firm)
        added.append(cid)
    _rerank(plan)
    flush_checked(session, "計画", plan_id)
    audit.record(
        session,
        actor=actor.username,
        action="add_priority_firms",
        entity="plan",
        entity_id=plan.id,
        before={"company_ids": list(before), "planner_reasons": before},
        after={
            "company_ids": [f.company_id for f in plan.priority_firms],
            "added": added,
            "planner_reasons": {f.company_id: f.planner_reason for f in plan.priority_firms},
            "score_run": score_run,
        },
    )
    return list(plan.priority_firms)


def set_planner_reason(
    session: Session, plan_id: int, company_id: str, reason: str, *, actor: workflow.Actor
) -> PriorityFirm:
    """Write the planner's own reason for one 重点支援企業."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    firm = _firm(plan, company_id)
    before = audit.snapshot(firm)
    firm.planner_reason = reason.strip()[:MAX_REASON]
    flush_checked(session, "重点支援企業", firm.id)
    audit.record(
        session,
        actor=actor.username,
        action="update",
        entity="priority_firm",
        entity_id=firm.id,
        before=before,
        after=audit.snapshot(firm),
    )
    return firm


def remove_priority_firm(session: Session, plan_id: int, company_id: str, *, actor: workflow.Actor) -> None:
    """Take one firm off the plan's 重点支援企業 (the audit row keeps what it was)."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    firm = _firm(plan, company_id)
    before = audit.snapshot(firm)
    plan.priority_firms.remove(firm)
    _rerank(plan)
    flush_checked(session, "計画", plan_id)
    audit.record(
        session,
        actor=actor.username,
        action="delete",
        entity="priority_firm",
        entity_id=before.get("id"),
        before=before,
        after=None,
    )
