"""加点 lookup and 重点支援企業 picking over the API (issue #12 §2, §3; SPEC §6.4): the same services as
the pages (:mod:`chiiki.services.bonus`, :mod:`chiiki.store.priority`), the same scope rules.

Registered before :mod:`chiiki.api.routes.plans` so that ``/plans/bonus`` is not read as a plan id.
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db, State
from chiiki.plans import workflow
from chiiki.plans.rules import get_plan_rules
from chiiki.services import bonus, priority_pick
from chiiki.services.access import AccessDeniedError, require_plan_view
from chiiki.services.datasets import analytics_for
from chiiki.store import plans as plan_service
from chiiki.store import priority
from chiiki.store.errors import InvalidInputError

router = APIRouter(
    prefix="/plans",
    tags=["計画"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class BonusRow(BaseModel):
    row: int = Field(description="入力の順番（1から）")
    query: str
    match: str = Field(
        description="照合: corporate_number / company_id / exact / several / partial / none / bad_number"
    )
    match_label: str = Field(description="照合結果（日本語）")
    sure: bool = Field(description="企業が1社に確定したか（複数候補・部分一致・該当なしは false）")
    company_id: str | None
    name: str | None
    corporate_number: str | None
    prefecture: str | None
    priority_plans: str | None = Field(description="重点支援企業として載っている計画（状態つき）")
    connector_percentile: float | None
    hub_percentile: float | None
    score: float | None
    bonus_points: int | None = Field(description="加点（権限の範囲外の企業・未確定は null）")
    reasons: str
    candidates: str | None = Field(description="確定できないときの候補の企業")
    hidden: bool = Field(description="権限の範囲外のため数値を出していない")


class BonusOut(BaseModel):
    fiscal_year: int
    rule: str = Field(description="加点の基準（設定値）")
    sure: int
    unsure: int
    not_found: int
    rows: list[BonusRow]


class BonusIn(BaseModel):
    applicants: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1, max_length=bonus.MAX_APPLICANTS, description="法人番号・企業ID・企業名（1件ずつ）"
    )


def _out(result: bonus.BonusResult) -> BonusOut:
    rows = [
        BonusRow(
            row=r["row"],
            query=r["query"],
            match=r["match"],
            match_label=r["match_label"],
            sure=r["match"] in bonus.SURE,
            company_id=r["company_id"],
            name=r["name"],
            corporate_number=r["corporate_number"],
            prefecture=r["prefecture"],
            priority_plans=r["priority_plans"],
            connector_percentile=r["connector_percentile"],
            hub_percentile=r["hub_percentile"],
            score=r["score"],
            bonus_points=int(r["bonus_points"]) if r["bonus_points"] is not None else None,
            reasons=r["reasons_text"],
            candidates=r["candidates_text"],
            hidden=bool(r["hidden"]),
        )  # fmt: skip
        for r in result.table.iter_rows(named=True)
    ]
    return BonusOut(
        fiscal_year=result.year, rule=result.rule, sure=result.sure, unsure=result.unsure,
        not_found=result.not_found, rows=rows,
    )  # fmt: skip


@router.get("/bonus", response_model=BonusOut)
def get_bonus(
    principal: ApiUser, state: State, db: Db, q: Annotated[str, Query(min_length=1, max_length=300)]
) -> BonusOut:
    """1社の加点（企業名・法人番号・企業ID）: 重点支援企業か、コネクター度・ハブ度の県内パーセンタイル、総合スコア、加点と理由。"""
    result = bonus.lookup(analytics_for(state, db, principal), db, principal, [q], rules=get_plan_rules())
    return _out(result)


@router.post("/bonus", response_model=BonusOut)
def post_bonus(principal: ApiUser, state: State, db: Db, body: BonusIn) -> BonusOut:
    """申請者の一覧の加点（最大 10,000 件）。"""
    result = bonus.lookup(
        analytics_for(state, db, principal), db, principal, body.applicants, rules=get_plan_rules()
    )
    return _out(result)


class FirmPickIn(BaseModel):
    company_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000, description="担当者の選定理由（必須）")


class FirmsAddIn(BaseModel):
    firms: list[FirmPickIn] = Field(min_length=1, max_length=500)


class PriorityFirmOut(BaseModel):
    company_id: str
    name: str | None
    rank: int
    score: float | None
    reasons: list[str] = Field(description="選定基準による理由")
    planner_reason: str = Field(description="担当者の選定理由")


def _editable(db, principal, plan_id: int):  # noqa: ANN001, ANN202
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    decision = workflow.can_edit(principal, plan)
    if not decision:
        raise AccessDeniedError(decision.reason)
    if not principal.can_see_firms(plan.prefecture_code):
        raise AccessDeniedError("この計画の地域の企業別データを閲覧する権限がないため、企業を選べません。")
    return plan


def _firms_out(plan) -> list[PriorityFirmOut]:  # noqa: ANN001
    return [
        PriorityFirmOut(
            company_id=f.company_id,
            name=f.name,
            rank=f.rank,
            score=f.score,
            reasons=list(f.reasons or []),
            planner_reason=f.planner_reason or "",
        )  # fmt: skip
        for f in sorted(plan.priority_firms, key=lambda f: f.rank)
    ]


@router.post("/{plan_id}/priority-firms", response_model=list[PriorityFirmOut])
def add_firms(
    principal: ApiUser, state: State, db: Db, plan_id: PlanId, body: FirmsAddIn
) -> list[PriorityFirmOut]:
    """県内の企業を理由つきで重点支援企業に加えます（選定基準による理由は自動で付きます）。"""
    plan = _editable(db, principal, plan_id)
    analytics = analytics_for(state, db, principal)
    try:
        fy = analytics.firm_year()
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc
    region = fy.region(plan.prefecture_code or "")
    ids = list(dict.fromkeys(f.company_id for f in body.firms))
    picked = region.filter(pl.col("company_id").is_in(ids))
    if picked.height != len(ids):
        raise InvalidInputError("指定した企業の一部がこの計画の都道府県の最新年度のデータにありません。")
    rule = priority_pick.rule_reasons(region, ids, focus_fields=list(plan.focus_fields or []))
    cols = [c for c in ("company_id", "score", "name", "connector_degree", "hub_degree", "sales", "employees",
                        "municipality_code", "jsic_code", "prefecture_code") if c in picked.columns]  # fmt: skip
    priority.add_priority_firms(
        db, plan_id, picked.select(cols).join(rule, on="company_id", how="left"), actor=principal,
        planner_reasons={f.company_id: f.reason for f in body.firms},
        score_run=f"API で選定（{fy.year}年度、{analytics.ref.label}）", dataset_id=analytics.ref.id,
    )  # fmt: skip
    return _firms_out(plan)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.put("/{plan_id}/priority-firms/{company_id}/reason", response_model=list[PriorityFirmOut])
def put_reason(
    principal: ApiUser,
    db: Db,
    plan_id: PlanId,
    company_id: Annotated[str, Path(max_length=100)],
    body: ReasonIn,
) -> list[PriorityFirmOut]:
    """重点支援企業の担当者の選定理由を書き換えます。"""
    plan = _editable(db, principal, plan_id)
    priority.set_planner_reason(db, plan_id, company_id, body.reason, actor=principal)
    return _firms_out(plan)


@router.delete("/{plan_id}/priority-firms/{company_id}", response_model=list[PriorityFirmOut])
def delete_firm(
    principal: ApiUser, db: Db, plan_id: PlanId, company_id: Annotated[str, Path(max_length=100)]
) -> list[PriorityFirmOut]:
    """重点支援企業から外します（監査記録に残ります）。"""
    plan = _editable(db, principal, plan_id)
    priority.remove_priority_firm(db, plan_id, company_id, actor=principal)
    return _firms_out(plan)
