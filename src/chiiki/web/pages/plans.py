"""計画: list, create and edit A/B/C plans, the requirements checklist, KPIs with yearly targets and
actuals (charts), priority firms picked from the score table, ripple scenarios, support measures,
the workflow (submit, review with scores, approve or return) and the Excel export (issue #7 §2;
SPEC §6). Every write goes through the store's audited services (:mod:`chiiki.store.plans`,
:mod:`chiiki.store.parts`); who may do what is :mod:`chiiki.plans.workflow`'s rule.
"""

from __future__ import annotations

import functools
import inspect
import re
import tempfile
from pathlib import Path
from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from chiiki.http.deps import AppState, Csrf, Db, PageUser, State
from chiiki.plans import workflow
from chiiki.plans.export import write_plan_xlsx
from chiiki.plans.kpi import KPI_DEFINITIONS
from chiiki.plans.labels import LOCAL_RESOURCES, REQUIREMENT_STATUS_LABELS, STATE_LABELS
from chiiki.plans.rules import PlanRules
from chiiki.services.access import AccessDeniedError, Principal, require_plan_view
from chiiki.services.datasets import analytics_for
from chiiki.services.plan_baselines import newer_data
from chiiki.services.plan_documents import printable_document
from chiiki.services.plan_records import records_context
from chiiki.services.plans import owner_codes, plan_document_for, visible_plans
from chiiki.services.talent import plan_talent
from chiiki.store import parts
from chiiki.store import plans as plan_service
from chiiki.store.errors import ConcurrentEditError, InvalidInputError, PermissionDeniedError, StoreError
from chiiki.store.models import Plan
from chiiki.web.charts import line_chart_svg
from chiiki.web.pages.common import flash, redirect, render

router = APIRouter(include_in_schema=False)

MINISTRY_ROWS = 3
"""Rows of the candidate-project form for ministries already coordinated with."""
PICK_ROWS = 50
"""Rows of the score table shown for picking priority firms."""
TRANSITION_LABELS = {a: t.label for a, t in workflow.TRANSITIONS.items()}


def _plan(db, principal: Principal, plan_id: int):  # noqa: ANN001, ANN202
    plan = plan_service.get_plan(db, plan_id)
    require_plan_view(principal, plan)
    return plan


def _int(value: object, what: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise InvalidInputError(
            f"{what}「{value}」は整数ではありません。半角数字で入力してください。"
        ) from exc


def _float(value: object, what: str) -> float:
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError as exc:
        raise InvalidInputError(
            f"{what}「{value}」は数値ではありません。半角数字で入力してください。"
        ) from exc


def overview_fields(form: FormData) -> dict:
    """Overview fields of the create and edit forms."""
    resources = [r for r in form.getlist("local_resources") if isinstance(r, str) and r]
    extra = str(form.get("local_resources_other") or "").strip()
    resources += [r.strip() for r in extra.replace("、", ",").split(",") if r.strip()]
    return {
        "title": str(form.get("title") or "").strip(),
        "period_start": _int(form.get("period_start"), "計画期間の開始年度"),
        "period_end": _int(form.get("period_end"), "計画期間の終了年度"),
        "focus_fields": sorted({_int(f, "重点分野") for f in form.getlist("focus_fields")}),
        "local_resources": list(dict.fromkeys(resources))[:20],
        "description": str(form.get("description") or "")[:20_000],
    }


def form_values(form: FormData) -> dict:
    """The overview fields as the user typed them, to show again when a save is refused (nothing the
    user entered is lost)."""
    fields = []
    for f in form.getlist("focus_fields"):
        try:
            fields.append(int(str(f)))
        except ValueError:
            continue
    return {
        "plan_type": str(form.get("plan_type") or ""),
        "title": str(form.get("title") or ""),
        "period_start": str(form.get("period_start") or ""),
        "period_end": str(form.get("period_end") or ""),
        "focus_fields": fields,
        "local_resources": [r for r in form.getlist("local_resources") if isinstance(r, str)],
        "local_resources_other": str(form.get("local_resources_other") or ""),
        "description": str(form.get("description") or ""),
    }


@router.get("/plans")
def plans_list(
    request: Request,
    principal: PageUser,
    db: Db,
    pref: Annotated[str | None, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$|^$")] = None,
    state: str | None = None,
) -> Response:
    state = state if state in STATE_LABELS else None
    plans = visible_plans(db, principal, prefecture=pref or None, state=state)
    return render(
        request, "plans.html", principal, nav="plans", plans=plans, pref=pref or "", state=state or "",
        state_labels=STATE_LABELS, owner_label=plan_service.owner_label,
    )  # fmt: skip


def _types_for(principal: Principal) -> list[str]:
    return {"bureau": ["A"], "prefecture": ["B", "C"], "municipal": ["C"]}.get(principal.role, [])


def _creatable_types(principal: Principal) -> list[str]:
    types = _types_for(principal)
    if not types:
        raise AccessDeniedError(
            f"{principal.role_label}は計画を作成できません（経済産業局・都道府県・市区町村の職員が作成します）。"
        )
    return types


@router.get("/plans/new")
def plan_new(request: Request, principal: PageUser) -> Response:
    types = _creatable_types(principal)
    return render(
        request,
        "plan_form.html",
        principal,
        nav="plans",
        plan=None,
        types=types,
        resources=LOCAL_RESOURCES,
        form={},
    )


@router.post("/plans/new", dependencies=[Csrf])
async def plan_create(request: Request, principal: PageUser, db: Db) -> Response:
    types = _creatable_types(principal)
    form = await request.form()
    plan_type = str(form.get("plan_type") or "")
    try:
        if plan_type not in types:
            raise InvalidInputError(f"作成できる計画類型は {'・'.join(types) or 'ありません'} です。")
        plan = plan_service.create_plan(
            db,
            actor=principal,
            plan_type=plan_type,
            **overview_fields(form),
            **owner_codes(principal, plan_type),
        )
    except StoreError as exc:
        return render(
            request, "plan_form.html", principal, nav="plans", plan=None, types=types, resources=LOCAL_RESOURCES,
            form=form_values(form), errors=[str(exc)], status_code=422,
        )  # fmt: skip
    flash(
        request,
        f"計画「{plan.title}」（ID {plan.id}）を作成しました。"
        f"{'候補プロジェクト' if plan.plan_type == 'A' else '重点支援企業'}・KPI・波及効果を登録してください。",
    )
    return redirect(f"/plans/{plan.id}")


def kpi_charts(doc: dict) -> list:
    """A line chart per KPI: yearly targets (dashed) and actuals (SPEC §6.3, §6.5)."""
    out = []
    for k in doc["kpis"]:
        targets = {t["fiscal_year"]: t["value"] for t in k["targets"]}
        actuals = {a["fiscal_year"]: a["value"] for a in k["actuals"]}
        years = sorted(set(targets) | set(actuals) | ({k["baseline_year"]} if k["baseline_year"] else set()))
        base = {k["baseline_year"]: k["baseline"]} if k["baseline_year"] else {}
        series = {
            "目標": [targets.get(y, base.get(y)) for y in years],
            "実績": [actuals.get(y, base.get(y)) for y in years],
        }
        out.append(
            line_chart_svg(
                years, series, title=f"{k['label']}（{k['unit']}）", unit=k["unit"], dashed=["目標"]
            )
        )
    return out


def pick_table(state, db, principal: Principal, plan) -> tuple[list[dict], str | None]:  # noqa: ANN001
    """The score table of the plan's prefecture (top by 総合スコア) for picking priority firms, within
    the principal's firm scope (checked by the caller)."""
    analytics = analytics_for(state, db, principal)
    if not analytics.available or not plan.prefecture_code:
        return [], None
    try:
        fy = analytics.firm_year()
    except LookupError as exc:
        return [], str(exc)
    region = fy.region(plan.prefecture_code)
    key = "score" if region["score"].is_not_null().any() else "connector_degree"
    rows = region.sort([key, "company_id"], descending=[True, False], nulls_last=True).head(PICK_ROWS)
    return rows.to_dicts(), None


@router.get("/plans/{plan_id}")
def plan_page(request: Request, principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    return plan_view(request, principal, state, db, _plan(db, principal, plan_id))


def plan_view(
    request: Request, principal: Principal, state: AppState, db: Session, plan: Plan, *, status_code: int = 200,
    **extra: object,
) -> Response:  # fmt: skip
    """The plan's page; ``extra`` reaches the template (``edit_form`` and ``conflict`` after a
    refused overview save)."""
    doc = plan_document_for(db, plan.id, principal, min_cell=state.web.min_cell_firms)
    editable = bool(workflow.can_edit(principal, plan))
    reviews = bool(workflow.reviews(principal, plan))
    pick, pick_note = [], None
    if editable and principal.can_see_firms(plan.prefecture_code):
        pick, pick_note = pick_table(state, db, principal, plan)
    return render(
        request, "plan.html", principal, nav="plans", plan=plan, doc=doc, editable=editable, reviews=reviews,
        can_report=bool(workflow.can_report(principal, plan)), actions=workflow.available_actions(principal, plan),
        transition_labels=TRANSITION_LABELS, kpi_svgs=kpi_charts(doc), pick=pick, pick_note=pick_note,
        req_labels=REQUIREMENT_STATUS_LABELS, requirements=plan.requirements, resources=LOCAL_RESOURCES,
        max_score=PlanRules().screening_max_score, picked={f.company_id for f in plan.priority_firms},
        owner=plan_service.owner_label(plan), status_code=status_code,
        kpi_definitions=KPI_DEFINITIONS, kpi_objects={k.code: k for k in plan.kpis},
        can_propose=bool(principal.prefecture_code and workflow.can_submit_candidate(principal, plan, principal.prefecture_code)),
        newer=newer_data(db, principal, plan),
        talent=plan_talent(state, db, principal, plan),
        can_pick=principal.can_see_firms(plan.prefecture_code), **guard_context(plan),
        **records_context(db, principal, plan), **extra,
    )  # fmt: skip


def guard_context(plan: Plan) -> dict:
    """What the plan lacks before submission and approval (the lists the guards would refuse
    with, issue #12 §1), requirement help texts and the JST time formatter."""
    from chiiki.plans.guards import approve_missing, submit_missing
    from chiiki.plans.requirements import REQUIREMENT_SPECS
    from chiiki.plans.screening import DECISION_LABELS
    from chiiki.store.plan_guards import requirement_answers, screening_facts, submit_facts
    from chiiki.web.time_text import jst_text

    screening = screening_facts(plan)
    return {
        "submit_missing": submit_missing(submit_facts(plan)),
        "approve_missing": approve_missing(requirement_answers(plan), screening),
        "recommendation": DECISION_LABELS.get(screening.decision) if screening else None,
        "req_help": {code: spec.help for code, spec in REQUIREMENT_SPECS.items()},
        "jst_text": jst_text,
    }


def _req_label(plan: Plan, code: str) -> str:
    return next((r.label for r in plan.requirements if r.code == code), "要件")


def _back(request: Request, plan_id: int, text: str, anchor: str = "", kind: str = "ok") -> Response:
    flash(request, text, kind)
    return redirect(f"/plans/{plan_id}{anchor}")


def back_on_refusal(func):  # noqa: ANN001, ANN201
    """Turn a refused write on a visible plan (bad input, stale version, not allowed now) into a
    red message on the plan's page instead of an error page; nothing was written (the request's
    transaction is rolled back by the store's session dependency when the error escapes, and here
    the service raised before writing)."""
    refusals = (InvalidInputError, ConcurrentEditError, PermissionDeniedError)

    @functools.wraps(func)
    async def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            result = func(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result
        except refusals as exc:
            kwargs["db"].rollback()
            return _back(kwargs["request"], kwargs["plan_id"], str(exc), kind="error")

    return wrapper


@router.post("/plans/{plan_id}/edit", dependencies=[Csrf])
@back_on_refusal
async def plan_edit(request: Request, principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    try:
        plan_service.update_plan(
            db,
            plan_id,
            actor=principal,
            expected_version=_int(form.get("version"), "版"),
            **overview_fields(form),
        )
    except ConcurrentEditError as exc:
        # Someone saved first: nothing is overwritten, and the user's input is shown again beside
        # the saved content (the form now carries the current version, so saving again is a
        # deliberate choice).
        db.rollback()
        plan = _plan(db, principal, plan_id)
        return plan_view(
            request, principal, state, db, plan, edit_form=form_values(form), conflict=str(exc),
            status_code=409,
        )  # fmt: skip
    return _back(request, plan_id, "計画の概要を保存しました。")


@router.post("/plans/{plan_id}/transition", dependencies=[Csrf])
@back_on_refusal
async def plan_transition(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    action = str(form.get("action") or "")
    plan = plan_service.transition_plan(
        db, plan_id, action, actor=principal, comment=str(form.get("comment") or "")[:5000],
        expected_version=_int(form.get("version"), "版"),
    )  # fmt: skip
    return _back(
        request,
        plan_id,
        f"「{TRANSITION_LABELS.get(action, action)}」を行いました（状態: {STATE_LABELS[plan.state]}）。",
    )


@router.post("/plans/{plan_id}/requirements/refresh", dependencies=[Csrf])
@back_on_refusal
def plan_requirements_refresh(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    return _back(request, plan_id, "要件の自動判定を更新しました。", "#requirements")


@router.post("/plans/{plan_id}/requirements/{code}", dependencies=[Csrf])
@back_on_refusal
async def plan_requirement(
    request: Request, principal: PageUser, db: Db, plan_id: int, code: str
) -> Response:
    plan = _plan(db, principal, plan_id)
    form = await request.form()
    plan_service.update_requirement(
        db, plan_id, code, actor=principal, expected_version=_int(form.get("version"), "版"),
        evidence=form.get("evidence") if "evidence" in form else None,
        status=(str(form.get("status")) or None) if form.get("status") else None,
        reviewer_comment=form.get("reviewer_comment") if "reviewer_comment" in form else None,
    )  # fmt: skip
    return _back(request, plan_id, f"要件「{_req_label(plan, code)}」を保存しました。", "#requirements")


@router.post("/plans/{plan_id}/screening", dependencies=[Csrf])
@back_on_refusal
async def plan_screening(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    plan = _plan(db, principal, plan_id)
    form = await request.form()
    scores = {}
    for r in plan.requirements:
        raw = str(form.get(f"score_{r.code}") or "").strip()
        scores[r.code] = None if raw in ("", "na") else _int(raw, f"要件「{r.label}」の点数")
    row = plan_service.record_screening(
        db, plan_id, actor=principal, scores=scores, comment=str(form.get("comment") or "")
    )
    label = {"approve": "承認", "return": "差戻し"}.get(row.decision, row.decision)
    return _back(
        request,
        plan_id,
        f"審査結果を記録しました: 合計 {row.total:g} / {row.max_total:g} 点、判定の目安は「{label}」。",
        "#review",
    )


@router.post("/plans/{plan_id}/firms", dependencies=[Csrf])
@back_on_refusal
async def plan_firms(request: Request, principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    """Take the ticked firms of the score table as the plan's 重点支援企業 (SPEC §3.2, §6.1 B)."""
    plan = _plan(db, principal, plan_id)
    if not principal.can_see_firms(plan.prefecture_code):
        raise AccessDeniedError("この計画の地域の企業別データを閲覧する権限がないため、企業を選べません。")
    form = await request.form()
    chosen = [c for c in form.getlist("company_id") if isinstance(c, str)]
    if not chosen:
        raise InvalidInputError("重点支援企業にする企業を1社以上選んでください。")
    fy = _latest(state, db, principal)
    region = fy.region(plan.prefecture_code or "")
    picked = region.filter(pl.col("company_id").is_in(chosen))
    if picked.height != len(set(chosen)):
        raise InvalidInputError("選んだ企業の一部がこの計画の都道府県の最新年度のデータにありません。")
    cols = [
        "company_id",
        "name",
        "score",
        "connector_degree",
        "hub_degree",
        "sales",
        "employees",
        "municipality_code",
        "jsic_code",
    ]
    scores = picked.select([c for c in cols if c in picked.columns]).with_columns(
        pl.col("score").fill_null(0.0), selected=pl.lit(True),
        reasons=pl.concat_list(pl.format("画面で選定（{}年度のスコア表）", pl.lit(fy.year))),
    )  # fmt: skip
    ref = analytics_for(state, db, principal).ref
    parts.set_priority_firms(
        db, plan_id, scores, actor=principal, score_run=f"web {fy.year}年度 {ref.label}", dataset_id=ref.id
    )
    return _back(request, plan_id, f"重点支援企業を {picked.height} 社登録しました。", "#firms")


def ministries_of(form: FormData) -> list[dict[str, str]]:
    """The ministries already coordinated with and since when (rows ``ministry_i``, ``since_i``)."""
    out = []
    for i in range(MINISTRY_ROWS):
        name = str(form.get(f"ministry_{i}") or "").strip()
        since = str(form.get(f"since_{i}") or "").strip()
        if name or since:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
                raise InvalidInputError(
                    f"{i + 1}行目の省庁「{name or '（未入力）'}」: 調整開始日「{since}」は YYYY-MM-DD で入力してください。"
                )
            out.append({"name": name, "since": since})
    return out


@router.post("/plans/{plan_id}/candidates", dependencies=[Csrf])
@back_on_refusal
async def plan_candidate(request: Request, principal: PageUser, db: Db, plan_id: int) -> Response:
    """A prefecture proposes a candidate project for its block's A plan (SPEC §6.1 A, §6.2 A): field,
    investment (千円), ministries already coordinated and since when, wage plan."""
    _plan(db, principal, plan_id)
    form = await request.form()
    field = str(form.get("field_id") or "")
    amount = str(form.get("investment_amount") or "").replace(",", "").strip()
    growth = str(form.get("wage_growth_rate") or "").strip()
    title = str(form.get("title") or "").strip()[:300]
    if not title:
        raise InvalidInputError("候補プロジェクトの名称を入力してください。")
    project = parts.add_candidate_project(
        db, plan_id, actor=principal, prefecture_code=principal.prefecture_code or "", title=title,
        field_id=_int(field, "戦略分野") if field else None,
        investment_amount=_int(amount, "投資額（千円）") if amount else None,
        ministries=ministries_of(form), wage_plan=str(form.get("wage_plan") or "")[:5000],
        wage_growth_rate=_float(growth, "賃金の年平均伸び率（%）") / 100 if growth else None,
        description=str(form.get("description") or "")[:20_000],
    )  # fmt: skip
    return _back(request, plan_id, f"候補プロジェクト「{project.title}」を提出しました。", "#candidates")


@router.post("/plans/{plan_id}/kpis/from-data", dependencies=[Csrf])
@back_on_refusal
def plan_kpis_from_data(
    request: Request, principal: PageUser, state: State, db: Db, plan_id: int
) -> Response:
    _plan(db, principal, plan_id)
    analytics = analytics_for(state, db, principal)
    fy = _latest(state, db, principal)
    kpis = parts.set_kpis_from_data(
        db,
        plan_id,
        analytics.dataset([fy.year]),
        actor=principal,
        fiscal_year=fy.year,
        dataset_id=analytics.ref.id,
    )
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    return _back(
        request,
        plan_id,
        f"重点支援企業の{fy.year}年度データから KPI {len(kpis)} 件の基準値と目標を設定しました。",
        "#kpis",
    )


@router.post("/plans/{plan_id}/kpis/{code}/manual", dependencies=[Csrf])
@back_on_refusal
async def plan_kpi_manual(request: Request, principal: PageUser, db: Db, plan_id: int, code: str) -> Response:
    """A KPI's baseline and yearly targets typed by the planner (SPEC §6.3), for plans whose KPIs do
    not come from priority firms' data (a C plan's local producers, say) or to correct them."""
    plan = _plan(db, principal, plan_id)
    if code not in KPI_DEFINITIONS:
        raise InvalidInputError(
            f"この KPI はありません。{'・'.join(v[0] for v in KPI_DEFINITIONS.values())} のいずれかを選んでください。"
        )
    form = await request.form()
    label = KPI_DEFINITIONS[code][0]
    targets = {}
    for year in range(plan.period_start, plan.period_end + 1):
        raw = str(form.get(f"target_{year}") or "").replace(",", "").strip()
        if raw:
            targets[year] = _float(raw, f"{label}の{year}年度の目標")
    baseline = str(form.get("baseline") or "").replace(",", "").strip()
    base_year = str(form.get("baseline_year") or "").strip()
    version = str(form.get("version") or "").strip()
    parts.set_kpi(
        db, plan_id, actor=principal, code=code,
        baseline=_float(baseline, f"{label}の基準値") if baseline else None,
        baseline_year=_int(base_year, "基準年度") if base_year else None, targets=targets,
        baseline_source=str(form.get("baseline_source") or "").strip()[:500] or "計画担当者が入力",
        target_rule="計画担当者が入力", expected_version=int(version) if version.isdigit() else None,
    )  # fmt: skip
    plan_service.refresh_requirements(db, plan_id, actor=principal)
    return _back(request, plan_id, f"KPI「{label}」の基準値と目標を保存しました。", "#kpis")


@router.post("/plans/{plan_id}/kpis/{code}/actual", dependencies=[Csrf])
@back_on_refusal
async def plan_kpi_actual(request: Request, principal: PageUser, db: Db, plan_id: int, code: str) -> Response:
    _plan(db, principal, plan_id)
    form = await request.form()
    version = str(form.get("version") or "").strip()
    parts.record_actual(
        db, plan_id, actor=principal, code=code, fiscal_year=_int(form.get("fiscal_year"), "年度"),
        value=_float(form.get("value"), "実績値"), note=str(form.get("note") or "")[:2000],
        expected_version=int(version) if version.isdigit() else None,
    )  # fmt: skip
    label = KPI_DEFINITIONS.get(code, ("KPI",))[0]
    return _back(request, plan_id, f"{label}の実績を登録しました。", "#kpis")


def _latest(state, db, principal: Principal):  # noqa: ANN001, ANN202
    try:
        return analytics_for(state, db, principal).firm_year()
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc


@router.get("/plans/{plan_id}/export.xlsx")
def plan_export(principal: PageUser, state: State, db: Db, plan_id: int) -> Response:
    _plan(db, principal, plan_id)
    doc = printable_document(db, plan_id, principal, min_cell=state.web.min_cell_firms)  # with A/C records
    with tempfile.TemporaryDirectory() as tmp:
        path = write_plan_xlsx(doc, Path(tmp) / "plan.xlsx")
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="plan_{plan_id}.xlsx"'},
    )
