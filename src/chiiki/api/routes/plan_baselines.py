"""``/api/v1/plans/{id}/baselines``: a plan's KPI baselines beside those of newer data, and re-basing
them on it (issue #11 §3; :mod:`chiiki.services.plan_baselines`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db, State
from chiiki.services.access import require_plan_view
from chiiki.services.plan_baselines import BaselineComparison, compare_baselines, refresh_baselines
from chiiki.store import plans as plan_service

router = APIRouter(
    prefix="/plans",
    tags=["計画"],
    responses={
        400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}
    },
)  # fmt: skip

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionId = Annotated[int, Query(ge=1, le=2**31 - 1, description="新しいデータセットの版の ID")]


class BaselineRow(BaseModel):
    code: str
    label: str
    unit: str
    old_year: int | None
    old_baseline: float | None
    new_year: int | None
    new_baseline: float | None
    change: float | None
    new_source: str


class BaselinesOut(BaseModel):
    pinned_dataset_id: int
    pinned_label: str
    dataset_id: int
    dataset_label: str
    fiscal_year: int
    rows: list[BaselineRow]


class RefreshIn(BaseModel):
    dataset_id: int = Field(ge=1, le=2**31 - 1)


def _out(c: BaselineComparison) -> BaselinesOut:
    return BaselinesOut(
        pinned_dataset_id=c.newer.pinned_id, pinned_label=c.newer.pinned_label, dataset_id=c.newer.newer_id,
        dataset_label=c.newer.newer_label, fiscal_year=c.fiscal_year,
        rows=[BaselineRow(**r) for r in c.rows.iter_rows(named=True)],
    )  # fmt: skip


@router.get("/{plan_id}/baselines", response_model=BaselinesOut)
def get_baselines(
    principal: ApiUser, state: State, db: Db, plan_id: PlanId, dataset: VersionId
) -> BaselinesOut:
    """計画の KPI の基準値と、新しいデータの版で計算した基準値を並べて返します（何も変更しません）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return _out(compare_baselines(state, db, principal, plan, dataset))


@router.post("/{plan_id}/baselines", response_model=BaselinesOut)
def post_baselines(
    principal: ApiUser, state: State, db: Db, plan_id: PlanId, body: RefreshIn
) -> BaselinesOut:
    """計画の KPI の基準値を新しいデータの版で更新します（目標と実績はそのまま、履歴に記録）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    result = refresh_baselines(state, db, principal, plan, body.dataset_id)
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    return _out(result)
