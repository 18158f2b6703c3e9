"""Plan queries the shells share: the plans a user may see and the owner of a new plan (SPEC §6.1,
§6.5). Writes go through :mod:`chiiki.store.plans`, which checks role, scope, state and version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.plans.workflow import can_view
from chiiki.services.access import AccessDeniedError, Principal
from chiiki.services.disclosure import scope_plan_document
from chiiki.store.documents import plan_document
from chiiki.store.models import Plan


def owner_codes(principal: Principal, plan_type: str) -> dict:
    """The owner codes of a new plan from its author (SPEC §6.1: A by a bureau, B by a prefecture,
    C by a prefecture or a municipality); 403 for a role that drafts no plan of this type."""
    if plan_type == "A" and principal.role == "bureau":
        return {"block_code": principal.block_code}
    if plan_type in ("B", "C") and principal.role == "prefecture":
        return {"prefecture_code": principal.prefecture_code}
    if plan_type == "C" and principal.role == "municipal":
        return {"municipality_code": principal.municipality_code}
    raise AccessDeniedError(
        f"{principal.role_label}は{plan_type}計画を作成できません（A: 経済産業局、B: 都道府県職員、C: 都道府県・市区町村職員）。",
    )


def visible_plans(
    db: Session, principal: Principal, *, prefecture: str | None = None, state: str | None = None
) -> list[Plan]:
    """The plans ``principal`` may see (:func:`chiiki.plans.workflow.can_view`), newest first."""
    query = select(Plan).order_by(Plan.id.desc())
    if prefecture:
        query = query.where(Plan.prefecture_code == prefecture)
    if state:
        query = query.where(Plan.state == state)
    return [p for p in db.scalars(query) if can_view(principal, p)]


def plan_document_for(db: Session, plan_id: int, reader: Principal, *, min_cell: int) -> dict:
    """The plan's document as ``reader`` may see it (:func:`scope_plan_document`): what every page,
    export and report of a plan renders."""
    return scope_plan_document(plan_document(db, plan_id), reader, min_cell=min_cell)
