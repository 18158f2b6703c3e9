"""Re-basing a plan's KPIs on newer data (issue #11 §3): the old and new baselines side by side,
then the editor's confirmation (:mod:`chiiki.services.plan_baselines`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.services.access import require_plan_view
from chiiki.services.plan_baselines import compare_baselines, refresh_baselines
from chiiki.store import plans as plan_service
from chiiki.store.errors import InvalidInputError, PermissionDeniedError
from chiiki.web.pages.common import flash, redirect, render

router = APIRouter()


@router.get("/plans/{plan_id}/baselines")
def baselines_page(
    request: Request, principal: PageUser, state: State, db: Db, plan_id: int,
    dataset: Annotated[int, Query(description="新しいデータセットの版")],
) -> Response:  # fmt: skip
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    try:
        comparison = compare_baselines(state, db, principal, plan, dataset)
    except InvalidInputError as exc:
        flash(request, str(exc), "error")
        return redirect(f"/plans/{plan_id}#kpis")
    return render(
        request, "plan_baselines.html", principal, nav="plans", plan=plan, c=comparison,
        rows=list(comparison.rows.iter_rows(named=True)),
    )  # fmt: skip


@router.post("/plans/{plan_id}/baselines", dependencies=[Csrf])
def baselines_refresh(
    request: Request, principal: PageUser, state: State, db: Db, plan_id: int,
    dataset: Annotated[int, Form()],
) -> Response:  # fmt: skip
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    try:
        comparison = refresh_baselines(state, db, principal, plan, dataset)
    except (InvalidInputError, PermissionDeniedError) as exc:
        db.rollback()
        flash(request, str(exc), "error")
        return redirect(f"/plans/{plan_id}#kpis")
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    flash(
        request,
        f"KPI {comparison.rows.height} 件の基準値を「{comparison.newer.newer_label}」の"
        f"{comparison.fiscal_year}年度のデータに更新しました（目標と実績はそのままです）。",
    )
    return redirect(f"/plans/{plan_id}#kpis")
