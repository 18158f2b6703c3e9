"""重点支援企業の選定 (issue #12 §3; SPEC §3.2, §6.1 B): the plan's owner picks firms from every firm of
the plan's prefecture (not only the top of the score table), filtered by the plan's focus fields,
searchable by name, sortable by any indicator and paginated; each picked firm carries the planner's
own reason beside the selection rule's reasons. Reasons can be changed and firms removed while the
plan is editable; every write is audited (:mod:`chiiki.store.priority`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.plans import workflow
from chiiki.services import priority_pick
from chiiki.services.access import AccessDeniedError, Principal, require_plan_view
from chiiki.services.datasets import analytics_for
from chiiki.store import plans as plan_service
from chiiki.store import priority
from chiiki.store.errors import InvalidInputError
from chiiki.web.pages.common import render
from chiiki.web.pages.plans import _back, back_on_refusal

router = APIRouter(include_in_schema=False)

SNAPSHOT = (
    "name",
    "connector_degree",
    "hub_degree",
    "sales",
    "employees",
    "municipality_code",
    "jsic_code",
    "prefecture_code",
)


def _editable_plan(db, principal: Principal, plan_id: int):  # noqa: ANN001, ANN202
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    decision = workflow.can_edit(principal, plan)
    if not decision:
        raise AccessDeniedError(decision.reason)
    if not principal.can_see_firms(plan.prefecture_code):
        raise AccessDeniedError("この計画の地域の企業別データを閲覧する権限がないため、企業を選べません。")
    return plan


def _firm_year(state, db, principal: Principal):  # noqa: ANN001, ANN202
    analytics = analytics_for(state, db, principal)
    try:
        return analytics, analytics.firm_year()
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc


@router.get("/plans/{plan_id}/firms/pick")
def pick_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    plan_id: int,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=40)] = "score",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    scope: Annotated[str, Query(pattern="^(fields|all)$")] = "fields",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    plan = _editable_plan(db, principal, plan_id)
    sort = sort if sort in priority_pick.PICK_SORTS else "score"
    analytics, fy = _firm_year(state, db, principal)
    region = fy.region(plan.prefecture_code or "")
    focus = list(plan.focus_fields or [])
    result = priority_pick.candidates(
        region, focus_fields=focus, only_fields=scope == "fields" and bool(focus), query=q, sort=sort,
        descending=order == "desc", page=page,
    )  # fmt: skip
    params = {"q": q, "sort": sort, "order": order, "scope": scope}

    def url(**change: object) -> str:
        return f"/plans/{plan_id}/firms/pick?" + urlencode(params | change)

    return render(
        request, "plan_pick.html", principal, nav="plans", plan=plan, result=result, params=params, url=url,
        sorts=priority_pick.PICK_SORTS, year=fy.year, picked={f.company_id: f.planner_reason for f in plan.priority_firms},
        focus=focus, owner=plan_service.owner_label(plan),
    )  # fmt: skip


@router.post("/plans/{plan_id}/firms/add", dependencies=[Csrf])
@back_on_refusal
async def pick_add(request: Request, principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    plan = _editable_plan(db, principal, plan_id)
    form = await request.form()
    chosen = list(dict.fromkeys(c for c in form.getlist("company_id") if isinstance(c, str)))
    if not chosen:
        raise InvalidInputError("重点支援企業に加える企業にチェックを入れてください。")
    reasons = {c: str(form.get(f"reason_{c}") or "").strip() for c in chosen}
    empty = [c for c, r in reasons.items() if not r]
    analytics, fy = _firm_year(state, db, principal)
    region = fy.region(plan.prefecture_code or "")
    picked = region.filter(pl.col("company_id").is_in(chosen))
    if picked.height != len(chosen):
        raise InvalidInputError(
            "選んだ企業の一部がこの計画の都道府県の最新年度のデータにありません。画面を読み込み直してください。"
        )
    if empty:
        names = "、".join(
            picked.filter(pl.col("company_id").is_in(empty))["name"].fill_null("（名称なし）").to_list()[:5]
        )
        raise InvalidInputError(
            f"選定理由が未記入の企業があります（{names}）。チェックした企業それぞれに理由を書いてください。"
        )
    rule = priority_pick.rule_reasons(region, chosen, focus_fields=list(plan.focus_fields or []))
    frame = picked.select([c for c in ("company_id", "score", *SNAPSHOT) if c in picked.columns]).join(
        rule, on="company_id", how="left"
    )
    priority.add_priority_firms(
        db, plan_id, frame, actor=principal, planner_reasons=reasons,
        score_run=f"県内の企業から選定（{fy.year}年度、{analytics.ref.label}）", dataset_id=analytics.ref.id,
    )  # fmt: skip
    return _back(request, plan_id, f"重点支援企業に {len(chosen)} 社を加えました（理由つき）。", "#firms")


@router.post("/plans/{plan_id}/firms/{company_id}/reason", dependencies=[Csrf])
@back_on_refusal
async def pick_reason(
    request: Request, principal: PageUser, db: Db, plan_id: int, company_id: str
) -> Response:
    _editable_plan(db, principal, plan_id)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    if not reason:
        raise InvalidInputError(
            "選定理由が空です。この企業を選ぶ理由を書いてください（外す場合は「外す」を押してください）。"
        )
    firm = priority.set_planner_reason(db, plan_id, company_id, reason, actor=principal)
    return _back(request, plan_id, f"「{firm.name or '企業'}」の選定理由を保存しました。", "#firms")


@router.post("/plans/{plan_id}/firms/{company_id}/remove", dependencies=[Csrf])
@back_on_refusal
def pick_remove(request: Request, principal: PageUser, db: Db, plan_id: int, company_id: str) -> Response:
    plan = _editable_plan(db, principal, plan_id)
    name = next((f.name for f in plan.priority_firms if f.company_id == company_id), None)
    priority.remove_priority_firm(db, plan_id, company_id, actor=principal)
    return _back(request, plan_id, f"「{name or '企業'}」を重点支援企業から外しました。", "#firms")
