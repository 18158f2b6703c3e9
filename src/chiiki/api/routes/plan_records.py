"""A and C plan records and the plan's printable PDF (issue #12 §4, §5; SPEC §6.1, §6.2).

The same audited store services as the plan page (:mod:`chiiki.store.plan_records`): the bureau's
screening of each A candidate project, 有識者検討会 meetings, a C plan's 相談窓口 and its
consultation log (counts per fiscal year), and ``document.pdf`` with the firm figures the caller
may see (:mod:`chiiki.services.plan_documents`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db, State
from chiiki.http.errors import error_response
from chiiki.services.access import require_plan_view
from chiiki.services.plan_documents import FontMissingError, pdf_filename, plan_pdf
from chiiki.services.plan_records import records_document
from chiiki.store import plan_records as records
from chiiki.store.audit import snapshot
from chiiki.store.plans import get_plan

router = APIRouter(
    prefix="/plans",
    tags=["計画"],
    responses={
        401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)  # fmt: skip

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(max_length=300)]


class CandidateScreeningIn(BaseModel):
    scores: dict[Annotated[str, Field(max_length=40)], Annotated[int, Field(ge=0, le=100)] | None] = Field(
        description="A 計画の要件ごとの点数（0 不足・1 一部充足・2 充足、null は該当なし）", max_length=20
    )
    decision: Literal["adopt", "hold", "reject"] = Field(description="素案に採択・継続検討・不採択")
    comment: Text = ""


class MeetingIn(BaseModel):
    held_on: date
    title: Short = Field(min_length=1)
    members: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=50)
    opinions: Text = ""
    decisions: Text = ""


class DeskIn(BaseModel):
    name: Short = Field(min_length=1)
    department: Short = ""
    contact: Short = ""
    opened_on: date | None = None
    note: Text = ""


class ConsultationIn(BaseModel):
    held_on: date
    topic: Short = Field(min_length=1)
    client: Short = ""
    outcome: Text = ""


def _visible(db, principal, plan_id: int):  # noqa: ANN001, ANN202
    plan = get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return plan


@router.get("/{plan_id}/records")
def read_records(principal: ApiUser, db: Db, plan_id: PlanId) -> dict[str, Any]:
    """A 計画: 候補プロジェクトごとの局の審査と有識者検討会。C 計画: 相談窓口・相談の記録・年度ごとの件数。"""
    return records_document(db, _visible(db, principal, plan_id))


@router.post("/{plan_id}/candidates/{project_id}/screenings", status_code=201)
def post_candidate_screening(
    principal: ApiUser, db: Db, plan_id: PlanId, project_id: RowId, body: CandidateScreeningIn
) -> dict[str, Any]:
    """候補プロジェクトを一件ずつ審査します（経済産業局）。点数の目安と違う「採択」には理由が必要です。"""
    _visible(db, principal, plan_id)
    row = records.screen_candidate(
        db,
        plan_id,
        project_id,
        actor=principal,
        scores=body.scores,
        decision=body.decision,
        comment=body.comment,
    )
    return snapshot(row)


@router.post("/{plan_id}/meetings", status_code=201)
def post_meeting(principal: ApiUser, db: Db, plan_id: PlanId, body: MeetingIn) -> dict[str, Any]:
    """有識者検討会の記録（開催日・委員・意見・決定事項）を A 計画に追加します。"""
    _visible(db, principal, plan_id)
    return snapshot(records.add_meeting(db, plan_id, actor=principal, **body.model_dump()))


@router.post("/{plan_id}/desks", status_code=201)
def post_desk(principal: ApiUser, db: Db, plan_id: PlanId, body: DeskIn) -> dict[str, Any]:
    """C 計画の相談窓口を登録します。"""
    _visible(db, principal, plan_id)
    return snapshot(records.save_desk(db, plan_id, actor=principal, **body.model_dump()))


@router.post("/{plan_id}/desks/{desk_id}/consultations", status_code=201)
def post_consultation(
    principal: ApiUser, db: Db, plan_id: PlanId, desk_id: RowId, body: ConsultationIn
) -> dict[str, Any]:
    """相談窓口で受けた相談を記録します（年度ごとの件数は KPI に使えます）。"""
    _visible(db, principal, plan_id)
    return snapshot(records.log_consultation(db, plan_id, desk_id, actor=principal, **body.model_dump()))


@router.get(
    "/{plan_id}/document.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        503: {"model": ErrorOut},
    },
)
def read_plan_pdf(request: Request, principal: ApiUser, state: State, db: Db, plan_id: PlanId) -> Response:
    """計画の提出用 PDF（表紙・概要・要件と根拠・KPI・重点支援企業・波及効果・審査結果）。企業別の数値は閲覧できる範囲だけです。"""
    _visible(db, principal, plan_id)
    try:
        content = plan_pdf(db, plan_id, principal, min_cell=state.web.min_cell_firms)
    except FontMissingError as exc:
        return error_response(request, 503, str(exc))
    return Response(
        content, media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pdf_filename(plan_id)}"'},
    )  # fmt: skip
