"""The guarded steps of a plan over the API (issue #12 §1): what the plan still lacks before submission
and approval, a reviewer's screening, and yearly actuals. The store's services apply the same guards
as the pages and the command line; a refusal is a 422 whose ``detail`` lists the missing items in
Japanese (and ``errors`` holds them one by one).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db
from chiiki.plans.guards import approve_missing, submit_missing
from chiiki.plans.kpi import KPI_DEFINITIONS
from chiiki.plans.screening import DECISION_LABELS
from chiiki.services.access import require_plan_view
from chiiki.store import parts
from chiiki.store import plans as plan_service
from chiiki.store.errors import NotFoundError
from chiiki.store.plan_guards import requirement_answers, screening_facts, submit_facts

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
KpiCode = Annotated[
    str,
    Path(
        pattern="^(" + "|".join(KPI_DEFINITIONS) + ")$",
        description="KPI（域内取引額・売上額・雇用者数・給与総額・付加価値額）",
    ),
]


class ChecksOut(BaseModel):
    submit_missing: list[str] = Field(description="提出に不足している項目（空なら提出できる）")
    approve_missing: list[str] = Field(description="承認に不足している項目（空なら承認できる）")
    recommendation: str | None = Field(description="この審査の採点による判定の目安（承認・差戻し）")


@router.get("/{plan_id}/checks", response_model=ChecksOut)
def get_checks(principal: ApiUser, db: Db, plan_id: PlanId) -> ChecksOut:
    """提出・承認の前に不足している項目（画面・コマンドと同じ判定）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    screening = screening_facts(plan)
    return ChecksOut(
        submit_missing=submit_missing(submit_facts(plan)),
        approve_missing=approve_missing(requirement_answers(plan), screening),
        recommendation=DECISION_LABELS.get(screening.decision) if screening else None,
    )


class ScreeningIn(BaseModel):
    scores: dict[str, int | None] = Field(
        description="要件ごとの点数（0〜2、該当なしは null）。キーは要件の ID"
    )
    comment: str = Field("", max_length=5000)


class ScreeningOut(BaseModel):
    total: float
    max_total: float
    decision: str
    decision_label: str
    reasons: list[str]


@router.post("/{plan_id}/screenings", response_model=ScreeningOut, status_code=201)
def post_screening(principal: ApiUser, db: Db, plan_id: PlanId, body: ScreeningIn) -> ScreeningOut:
    """審査中の計画を採点します（全要件に点数、合計と判定の目安を記録）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    row = plan_service.record_screening(
        db, plan_id, actor=principal, scores=body.scores, comment=body.comment
    )
    return ScreeningOut(
        total=row.total, max_total=row.max_total, decision=row.decision,
        decision_label=DECISION_LABELS[row.decision], reasons=list(row.reasons),
    )  # fmt: skip


class ActualIn(BaseModel):
    value: float
    note: str = Field("", max_length=2000)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="修正するときは読み込んだ実績の版")


class ActualOut(BaseModel):
    fiscal_year: int
    value: float
    note: str
    version: int
    history: list[dict] = Field(description="修正前の値（古い順）")


@router.put(
    "/{plan_id}/kpis/{code}/actuals/{fiscal_year}",
    response_model=ActualOut,
    responses={409: {"model": ErrorOut}},
)
def put_actual(
    principal: ApiUser, db: Db, plan_id: PlanId, code: KpiCode,
    fiscal_year: Annotated[int, Path(ge=1900, le=2100)], body: ActualIn,
) -> ActualOut:  # fmt: skip
    """KPI の年度実績を登録・修正します（計画期間内の年度、KPI ごとの有効な範囲の値だけ。修正前の値は履歴に残ります）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    if not any(k.code == code for k in plan.kpis):
        raise NotFoundError(f"この計画に KPI「{KPI_DEFINITIONS[code][0]}」はありません。")
    row = parts.record_actual(
        db, plan_id, actor=principal, code=code, fiscal_year=fiscal_year, value=body.value, note=body.note,
        expected_version=body.version,
    )  # fmt: skip
    return ActualOut(
        fiscal_year=row.fiscal_year,
        value=row.value,
        note=row.note,
        version=row.version,
        history=list(row.history or []),
    )


class KpiIn(BaseModel):
    baseline: float | None = Field(description="基準値（千円、雇用者数は人）")
    baseline_year: int | None = Field(None, ge=1900, le=2100)
    targets: dict[int, float] = Field(description="年度 → 目標（計画期間内の各年度）")
    baseline_source: str = Field("", max_length=500)
    version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="既にある KPI を変えるときは読み込んだ版"
    )


class KpiOut(BaseModel):
    code: str
    label: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    targets: dict[int, float]
    version: int


@router.put("/{plan_id}/kpis/{code}", response_model=KpiOut, responses={409: {"model": ErrorOut}})
def put_kpi(principal: ApiUser, db: Db, plan_id: PlanId, code: KpiCode, body: KpiIn) -> KpiOut:
    """KPI の基準値と年度ごとの目標を設定します（作成中・差戻しの計画、作成者の地域の職員）。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    kpi = parts.set_kpi(
        db, plan_id, actor=principal, code=code, baseline=body.baseline, baseline_year=body.baseline_year,
        targets=body.targets, baseline_source=body.baseline_source or "計画担当者が入力", target_rule="計画担当者が入力",
        expected_version=body.version,
    )  # fmt: skip
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    return KpiOut(
        code=kpi.code, label=kpi.label, unit=kpi.unit, baseline=kpi.baseline, baseline_year=kpi.baseline_year,
        targets={v.fiscal_year: v.value for v in kpi.values if v.kind == "target"}, version=kpi.version,
    )  # fmt: skip


class RequirementIn(BaseModel):
    evidence: str | None = Field(None, max_length=20_000, description="根拠（計画の作成者）")
    status: str | None = Field(
        None, pattern="^(pending|met|not_met|not_applicable)$", description="判定（審査担当、手動の要件）"
    )
    reviewer_comment: str | None = Field(None, max_length=20_000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class RequirementOut(BaseModel):
    code: str
    label: str
    is_auto: bool
    status: str
    evidence: str
    reviewer_comment: str
    version: int


@router.put(
    "/{plan_id}/requirements/{code}", response_model=RequirementOut, responses={409: {"model": ErrorOut}}
)
def put_requirement(
    principal: ApiUser, db: Db, plan_id: PlanId, code: Annotated[str, Path(pattern="^[A-C]_[A-Z_]{2,30}$")],
    body: RequirementIn,
) -> RequirementOut:  # fmt: skip
    """要件の根拠（作成者）、または判定とコメント（審査担当）を書きます。"""
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    item = plan_service.update_requirement(
        db, plan_id, code, actor=principal, expected_version=body.version, evidence=body.evidence,
        status=body.status, reviewer_comment=body.reviewer_comment,
    )  # fmt: skip
    return RequirementOut(
        code=item.code, label=item.label, is_auto=item.is_auto, status=item.status, evidence=item.evidence,
        reviewer_comment=item.reviewer_comment, version=item.version,
    )  # fmt: skip
