"""計画の記録と提出用 PDF (issue #12 §4, §5): the bureau's screening of each A candidate project,
有識者検討会 meetings, a C plan's 相談窓口 and consultation log (with the yearly counts as a KPI), and
the plan's printable PDF. The forms sit in the plan page (``_plan_records_a.html``,
``_plan_records_c.html``); every write goes through the audited store services
(:mod:`chiiki.store.plan_records`, :mod:`chiiki.services.plan_records`)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.http.errors import error_response
from chiiki.plans.requirements import REQUIREMENTS
from chiiki.services import plan_records as record_services
from chiiki.services.plan_documents import FontMissingError, pdf_filename, plan_pdf
from chiiki.store import plan_records as records
from chiiki.store.errors import InvalidInputError
from chiiki.web.pages.plans import _back, _float, _int, _plan, back_on_refusal

router = APIRouter(include_in_schema=False)


def _date(value: object, what: str, *, required: bool = True) -> date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise InvalidInputError(f"{what}を入力してください（例: 2026-07-01）。")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"{what}「{text}」は日付ではありません。YYYY-MM-DD で入力してください。"
        ) from exc


def _text(form: FormData, key: str, limit: int = 20_000) -> str:
    return str(form.get(key) or "").strip()[:limit]


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.replace("、", "\n").replace(",", "\n").splitlines() if x.strip()]


@router.post("/plans/{plan_id}/candidates/{project_id}/screening", dependencies=[Csrf])
@back_on_refusal
async def candidate_screening(
    request: Request, principal: PageUser, db: Db, plan_id: int, project_id: int
) -> Response:
    """The bureau scores one candidate project and decides (素案に採択・継続検討・不採択)."""
    _plan(db, principal, plan_id)
    form = await request.form()
    scores = {}
    for spec in REQUIREMENTS["A"]:
        raw = str(form.get(f"score_{spec.code}") or "").strip()
        scores[spec.code] = None if raw in ("", "na") else _int(raw, f"「{spec.label}」の点数")
    row = records.screen_candidate(
        db, plan_id, project_id, actor=principal, scores=scores, decision=str(form.get("decision") or ""),
        comment=_text(form, "comment"),
    )  # fmt: skip
    return _back(
        request, plan_id,
        f"候補プロジェクトの審査を記録しました: {row.total:g} / {row.max_total:g} 点、"
        f"判断「{records.CANDIDATE_DECISION_LABELS[row.decision]}」。",
        f"#candidate-{project_id}",
    )  # fmt: skip


def _meeting_fields(form: FormData) -> dict:
    return {
        "held_on": _date(form.get("held_on"), "開催日"),
        "title": _text(form, "title", 300),
        "members": _lines(_text(form, "members")),
        "opinions": _text(form, "opinions"),
        "decisions": _text(form, "decisions"),
    }


@router.post("/plans/{plan_id}/meetings", dependencies=[Csrf])
@back_on_refusal
async def meeting_add(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    row = records.add_meeting(db, plan_id, actor=principal, **_meeting_fields(form))
    return _back(request, plan_id, f"有識者検討会「{row.title}」を記録しました。", "#meetings")


@router.post("/plans/{plan_id}/meetings/{meeting_id}", dependencies=[Csrf])
@back_on_refusal
async def meeting_edit(
    request: Request, principal: PageUser, db: Db, plan_id: int, meeting_id: int
) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    row = records.update_meeting(
        db, plan_id, meeting_id, actor=principal, expected_version=_int(form.get("version"), "版"),
        **_meeting_fields(form),
    )  # fmt: skip
    return _back(request, plan_id, f"有識者検討会「{row.title}」の記録を直しました。", "#meetings")


def _desk_fields(form: FormData) -> dict:
    return {
        "name": _text(form, "name", 300),
        "department": _text(form, "department", 300),
        "contact": _text(form, "contact", 300),
        "opened_on": _date(form.get("opened_on"), "開設日", required=False),
        "note": _text(form, "note"),
    }


@router.post("/plans/{plan_id}/desks", dependencies=[Csrf])
@back_on_refusal
async def desk_add(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    row = records.save_desk(db, plan_id, actor=principal, **_desk_fields(form))
    return _back(request, plan_id, f"相談窓口「{row.name}」を登録しました。", "#desks")


@router.post("/plans/{plan_id}/desks/{desk_id}", dependencies=[Csrf])
@back_on_refusal
async def desk_edit(request: Request, principal: PageUser, db: Db, plan_id: int, desk_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    row = records.save_desk(
        db, plan_id, actor=principal, desk_id=desk_id, expected_version=_int(form.get("version"), "版"),
        **_desk_fields(form),
    )  # fmt: skip
    return _back(request, plan_id, f"相談窓口「{row.name}」を更新しました。", "#desks")


@router.post("/plans/{plan_id}/consultations", dependencies=[Csrf])
@back_on_refusal
async def consultation_add(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    row = records.log_consultation(
        db, plan_id, _int(form.get("desk_id"), "相談窓口"), actor=principal,
        held_on=_date(form.get("held_on"), "相談日"), topic=_text(form, "topic", 300),
        client=_text(form, "client", 300), outcome=_text(form, "outcome"),
    )  # fmt: skip
    return _back(
        request, plan_id, f"{row.held_on.isoformat()} の相談「{row.topic}」を記録しました。", "#desks"
    )


@router.post("/plans/{plan_id}/consultations/kpi", dependencies=[Csrf])
@back_on_refusal
async def consultation_kpi(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    """The yearly consultation count as a KPI: baseline and yearly targets (while drafting)."""
    plan = _plan(db, principal, plan_id)
    form = await request.form()
    targets = {}
    for year in range(plan.period_start, plan.period_end + 1):
        raw = str(form.get(f"target_{year}") or "").replace(",", "").strip()
        if raw:
            targets[year] = _float(raw, f"{year}年度の相談件数の目標")
    baseline = str(form.get("baseline") or "").replace(",", "").strip()
    base_year = str(form.get("baseline_year") or "").strip()
    record_services.set_consultation_targets(
        db, plan_id, actor=principal, baseline=_float(baseline, "相談件数の基準値") if baseline else None,
        baseline_year=_int(base_year, "基準年度") if base_year else None, targets=targets,
    )  # fmt: skip
    return _back(request, plan_id, "相談件数を KPI に設定しました。", "#desks")


@router.post("/plans/{plan_id}/consultations/report", dependencies=[Csrf])
@back_on_refusal
def consultation_report(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    """Record the logged counts per fiscal year as the KPI's actuals (after approval)."""
    _plan(db, principal, plan_id)
    counts = record_services.report_consultation_counts(db, plan_id, actor=principal)
    text = "、".join(f"{y}年度 {n}件" for y, n in counts.items())
    return _back(request, plan_id, f"相談件数を KPI の実績に登録しました（{text}）。", "#kpis")


@router.get("/plans/{plan_id}/document.pdf")
def plan_document_pdf(request: Request, principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    """The plan as a printable submission (PDF), with the firm figures the reader may see."""
    _plan(db, principal, plan_id)
    try:
        content = plan_pdf(db, plan_id, principal, min_cell=state.web.min_cell_firms)
    except FontMissingError as exc:
        return error_response(request, 503, str(exc))
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pdf_filename(plan_id)}"'},
    )
