"""Plans (SPEC §6): list, create, read, edit and move through the workflow (SPEC §6.5).

Who may see, edit and move a plan is :mod:`chiiki.plans.workflow`'s rule. Every write goes through
the store's plan services (:mod:`chiiki.store.plans`), which check role, scope, state and version and
write the audit row in the same transaction: one audited path for the CLI, the pages and the API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from chiiki.api.schemas import ErrorOut, Page
from chiiki.http.deps import ApiUser, Db
from chiiki.plans.workflow import available_actions
from chiiki.services.access import Principal, require_plan_view
from chiiki.services.plans import owner_codes, visible_plans
from chiiki.store import plans as plan_service
from chiiki.store.models import Plan

router = APIRouter(
    prefix="/plans",
    tags=["計画"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PlanCreate(BaseModel):
    plan_type: Literal["A", "B", "C"]
    title: str = Field(min_length=1, max_length=300)
    period_start: int = Field(ge=2000, le=2100)
    period_end: int = Field(ge=2000, le=2100)
    focus_fields: list[Annotated[int, Field(ge=1, le=17)]] = []
    local_resources: list[Annotated[str, Field(max_length=100)]] = Field([], max_length=20)
    description: str = Field("", max_length=20_000)

    @model_validator(mode="after")
    def _period(self) -> PlanCreate:
        if self.period_start > self.period_end:
            raise ValueError("計画期間の開始年度が終了年度より後になっています。")
        return self


class PlanUpdate(BaseModel):
    version: int = Field(
        ge=1, le=2**31 - 1, description="読み込んだときの版（他の人の更新との競合を検出します）"
    )
    title: str | None = Field(None, min_length=1, max_length=300)
    period_start: int | None = Field(None, ge=2000, le=2100)
    period_end: int | None = Field(None, ge=2000, le=2100)
    focus_fields: list[Annotated[int, Field(ge=1, le=17)]] | None = None
    local_resources: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=20_000)


class TransitionIn(BaseModel):
    action: Literal["submit", "withdraw", "start_review", "approve", "return", "start_monitoring", "close"]
    comment: str = Field("", max_length=5000)


class PlanOut(BaseModel):
    id: int
    plan_type: str
    title: str
    owner_level: str
    block_code: str | None
    prefecture_code: str | None
    municipality_code: str | None
    period_start: int
    period_end: int
    focus_fields: list[int]
    local_resources: list[str]
    description: str
    state: str
    version: int
    created_by: str
    available_actions: list[str] = []


def plan_out(plan: Plan, principal: Principal) -> PlanOut:
    return PlanOut(
        **{k: getattr(plan, k) for k in PlanOut.model_fields if k != "available_actions"},
        available_actions=available_actions(principal, plan),
    )


def create_plan(db: Session, principal: Principal, body: PlanCreate) -> Plan:
    """A new draft plan owned by the author's region (:func:`chiiki.store.plans.create_plan`)."""
    return plan_service.create_plan(
        db, actor=principal, **body.model_dump(), **owner_codes(principal, body.plan_type)
    )


def update_plan(db: Session, principal: Principal, plan: Plan, body: PlanUpdate) -> Plan:
    """Overview changes with the version the client read (:func:`chiiki.store.plans.update_plan`)."""
    changes = {
        k: v for k, v in body.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None
    }
    return plan_service.update_plan(db, plan.id, actor=principal, expected_version=body.version, **changes)


def transition_plan(db: Session, principal: Principal, plan: Plan, body: TransitionIn) -> Plan:
    """A workflow step (:func:`chiiki.store.plans.transition_plan`)."""
    return plan_service.transition_plan(db, plan.id, body.action, actor=principal, comment=body.comment)


@router.get("", response_model=Page[PlanOut])
def list_plans(
    principal: ApiUser,
    db: Db,
    pref: Annotated[str | None, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")] = None,
    state: Literal["draft", "submitted", "under_review", "approved", "returned", "monitoring", "closed"]
    | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[PlanOut]:
    """閲覧できる計画の一覧（ページ分割）。"""
    plans = visible_plans(db, principal, prefecture=pref, state=state)
    rows = plans[(page - 1) * per_page : page * per_page]
    return Page[PlanOut](
        items=[plan_out(p, principal) for p in rows], total=len(plans), page=page, per_page=per_page
    )


@router.post("", response_model=PlanOut, status_code=201)
def post_plan(principal: ApiUser, db: Db, body: PlanCreate) -> PlanOut:
    """計画を作成します（作成者の地域の計画、状態は作成中）。"""
    return plan_out(create_plan(db, principal, body), principal)


@router.get("/{plan_id}", response_model=PlanOut)
def read_plan(principal: ApiUser, db: Db, plan_id: PlanId) -> PlanOut:
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return plan_out(plan, principal)


@router.patch("/{plan_id}", response_model=PlanOut, responses={409: {"model": ErrorOut}})
def patch_plan(principal: ApiUser, db: Db, plan_id: PlanId, body: PlanUpdate) -> PlanOut:
    """作成中・差戻しの計画の内容を変更します（version で競合を検出）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return plan_out(update_plan(db, principal, plan, body), principal)


@router.post("/{plan_id}/transitions", response_model=PlanOut)
def post_transition(principal: ApiUser, db: Db, plan_id: PlanId, body: TransitionIn) -> PlanOut:
    """計画の状態を進めます（提出・審査開始・承認・差戻し など）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return plan_out(transition_plan(db, principal, plan, body), principal)
