"""Services for the parts of a plan (issue #6 §2, §4): priority firms from a score run, KPIs with
baselines, yearly targets and actuals, A-plan candidate projects, ripple scenarios and the support
measure catalog. Every write checks role, scope and state and is audited; the caller commits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from chiiki.data.contract import Dataset
from chiiki.plans import workflow
from chiiki.plans.kpi import KPI_DEFINITIONS, default_targets, plan_baseline, value_problem
from chiiki.plans.measures import CATALOG, SEED_SOURCE
from chiiki.plans.rules import PlanRules
from chiiki.store import audit
from chiiki.store.concurrency import check_version, flush_checked
from chiiki.store.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from chiiki.store.models import (
    CandidateProject,
    Kpi,
    KpiValue,
    PriorityFirm,
    RippleScenario,
    SupportMeasure,
    utcnow,
)
from chiiki.store.plan_records import follow_candidates
from chiiki.store.plans import get_plan, require

SCORE_COLUMNS = ("company_id", "score", "selected", "reasons")


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pl.Series):
        return value.to_list()
    return value


def frame_to_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-able records (NaN/inf become null, dates ISO text)."""
    return [{k: audit.to_jsonable(_json_value(v)) for k, v in row.items()} for row in frame.to_dicts()]


def set_priority_firms(
    session: Session,
    plan_id: int,
    scores: pl.DataFrame,
    *,
    actor: workflow.Actor,
    score_run: str,
    only_selected: bool = True,
    names: Mapping[str, str] | None = None,
    dataset_id: int | None = None,
    planner_reasons: Mapping[str, str] | None = None,
) -> list[PriorityFirm]:
    """Take the plan's 重点支援企業 from a priority-score frame of ``chiiki.firms`` (``company_id, score,
    selected, reasons`` and indicator columns, SPEC §3.2): the selected firms (or all rows with
    ``only_selected=False``) replace the plan's list, ranked by score, each with a snapshot of every
    other column as it was at selection. ``dataset_id``: the registered data-set version the scores
    come from (pinned with every firm). ``planner_reasons``: the planner's own reason per firm (a firm
    kept from the previous list keeps its reason when none is given)."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    missing = [c for c in ("company_id", "score") if c not in scores.columns]
    if missing:
        raise InvalidInputError(
            f"優先度スコアの表に列 {missing} がありません（chiiki.firms の出力を渡してください）。"
        )
    chosen = (
        scores.filter(pl.col("selected").fill_null(False))
        if only_selected and "selected" in scores.columns
        else scores
    )
    chosen = chosen.sort("score", descending=True, nulls_last=True)
    if chosen.is_empty():
        raise InvalidInputError(
            "選定された企業がありません。選定条件を見直すか only_selected=False を指定してください。"
        )
    before = [f.company_id for f in plan.priority_firms]
    kept = {f.company_id: f.planner_reason for f in plan.priority_firms} | dict(planner_reasons or {})
    snapshot_cols = [c for c in chosen.columns if c not in SCORE_COLUMNS]
    records = frame_to_records(chosen.select(snapshot_cols)) if snapshot_cols else [{}] * chosen.height
    reasons = chosen["reasons"].to_list() if "reasons" in chosen.columns else [[]] * chosen.height
    plan.priority_firms.clear()
    session.flush()
    for rank, (cid, score, why, snap) in enumerate(
        zip(chosen["company_id"].to_list(), chosen["score"].to_list(), reasons, records, strict=True), start=1
    ):
        name = (names or {}).get(cid) or snap.get("name")
        plan.priority_firms.append(
            PriorityFirm(
                company_id=cid,
                name=name,
                rank=rank,
                score=_json_value(score),
                reasons=list(why) if isinstance(why, list | tuple) else ([why] if why else []),
                planner_reason=(kept.get(cid) or "")[:2000],
                snapshot=snap,
                score_run=score_run,
                dataset_id=dataset_id,
                selected_by=actor.username,
            )
        )
    flush_checked(session, "計画", plan_id)
    audit.record(
        session,
        actor=actor.username,
        action="set_priority_firms",
        entity="plan",
        entity_id=plan.id,
        before={"company_ids": before},
        after={"company_ids": [f.company_id for f in plan.priority_firms], "score_run": score_run},
    )
    return list(plan.priority_firms)


def _kpi(plan, code: str) -> Kpi | None:  # noqa: ANN001 - Plan
    return next((k for k in plan.kpis if k.code == code), None)


def _kpi_snapshot(k: Kpi) -> dict[str, Any]:
    return audit.snapshot(k) | {"values": [audit.snapshot(v) for v in k.values]}


def set_kpi(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    code: str,
    baseline: float | None,
    baseline_year: int | None,
    targets: Mapping[int, float],
    baseline_source: str = "",
    target_rule: str = "",
    label: str | None = None,
    unit: str | None = None,
    expected_version: int | None = None,
    dataset_id: int | None = None,
) -> Kpi:
    """Create or replace a KPI's baseline and yearly targets (SPEC §6.3); yearly targets outside
    the plan period are refused."""
    plan = get_plan(session, plan_id)
    require(workflow.can_edit(actor, plan))
    outside = [y for y in targets if not plan.period_start <= y <= plan.period_end]
    if outside:
        raise InvalidInputError(
            f"目標年度 {'・'.join(map(str, outside))} が計画期間（{plan.period_start}〜{plan.period_end}年度）の外です。"
        )
    what = KPI_DEFINITIONS.get(code, (code,))[0]
    bad = [
        f"{name}: {problem}"
        for name, v in [("基準値", baseline)] + [(f"{y}年度の目標", t) for y, t in sorted(targets.items())]
        if v is not None and (problem := value_problem(code, float(v)))
    ]
    if bad:
        raise InvalidInputError(f"KPI「{what}」の値を確認してください。" + "。".join(bad) + "。")
    default_label, default_unit = KPI_DEFINITIONS.get(code, (code, ""))
    kpi = _kpi(plan, code)
    before = None
    if kpi is None:
        kpi = Kpi(code=code, label=label or default_label, unit=unit or default_unit)
        plan.kpis.append(kpi)
    else:
        check_version(kpi, expected_version, "KPI")
        before = _kpi_snapshot(kpi)
    kpi.baseline, kpi.baseline_year = baseline, baseline_year
    kpi.baseline_source, kpi.target_rule = baseline_source, target_rule
    kpi.dataset_id = dataset_id
    if label:
        kpi.label = label
    if unit:
        kpi.unit = unit
    old = {v.fiscal_year: v for v in kpi.values if v.kind == "target"}
    for year, value in targets.items():
        if year in old:
            if old[year].value != float(value):
                old[year].value = float(value)
        else:
            kpi.values.append(KpiValue(fiscal_year=int(year), kind="target", value=float(value)))
    for year, row in old.items():
        if year not in targets:
            kpi.values.remove(row)
    if before is not None:
        flag_modified(kpi, "baseline")  # a change of targets alone still moves the KPI's version
    flush_checked(session, "KPI", kpi.id)
    session.refresh(kpi)
    audit.record(
        session,
        actor=actor.username,
        action="set_kpi" if before else "create",
        entity="kpi",
        entity_id=kpi.id,
        before=before,
        after=_kpi_snapshot(kpi),
    )
    return kpi


def set_kpis_from_data(
    session: Session,
    plan_id: int,
    dataset: Dataset,
    *,
    actor: workflow.Actor,
    fiscal_year: int,
    rules: PlanRules | None = None,
    region_level: str = "prefecture",
    codes: tuple[str, ...] = ("regional_transactions", "sales", "employees", "payroll", "value_added"),
    dataset_id: int | None = None,
) -> list[Kpi]:
    """Baselines from the firm data for the plan's priority firms (:func:`chiiki.plans.kpi.plan_baseline`)
    and yearly targets by the default target rules (KPIs without a rule get no targets)."""
    plan = get_plan(session, plan_id)
    firms = [f.company_id for f in plan.priority_firms]
    if not firms:
        raise InvalidInputError(
            "重点支援企業が登録されていないため、基準値を計算できません。先に企業を選定してください。"
        )
    base = plan_baseline(
        dataset.companies,
        dataset.transactions,
        company_ids=firms,
        fiscal_year=fiscal_year,
        region_level=region_level,
    ).filter(pl.col("code").is_in(list(codes)))
    targets = default_targets(
        base,
        start_year=plan.period_start,
        end_year=plan.period_end,
        rules=rules,
        prefecture_code=plan.prefecture_code,
    )
    out = []
    for row in base.iter_rows(named=True):
        t = targets.filter(pl.col("code") == row["code"])
        out.append(
            set_kpi(
                session,
                plan_id,
                actor=actor,
                code=row["code"],
                baseline=row["baseline"],
                baseline_year=fiscal_year,
                baseline_source=row["source"],
                targets=dict(zip(t["fiscal_year"].to_list(), t["target"].to_list(), strict=True)),
                target_rule=t["rule"][0] if t.height else "",
                dataset_id=dataset_id,
            )
        )
    return out


def record_actual(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    code: str,
    fiscal_year: int,
    value: float,
    note: str = "",
    expected_version: int | None = None,
) -> KpiValue:
    """Record (or correct) a yearly actual of a KPI (SPEC §6.5 monitoring); the owner reports once the
    plan is approved. Only years inside the plan period and values within the KPI's valid range
    (:func:`chiiki.store.plan_guards.check_actual`). Correcting an existing actual needs its current
    version and keeps the earlier value and note in ``history``."""
    from chiiki.store.plan_guards import check_actual

    plan = get_plan(session, plan_id)
    require(workflow.can_report(actor, plan))
    kpi = _kpi(plan, code)
    if kpi is None:
        label = KPI_DEFINITIONS.get(code, (code,))[0]
        raise NotFoundError(
            f"計画 {plan_id} に KPI「{label}」はありません。先に基準値と目標を設定してください。"
        )
    check_actual(plan, code, fiscal_year, float(value))
    row = next((v for v in kpi.values if v.kind == "actual" and v.fiscal_year == fiscal_year), None)
    before = None
    if row is None:
        row = KpiValue(fiscal_year=fiscal_year, kind="actual", value=float(value), note=note, history=[])
        kpi.values.append(row)
    else:
        check_version(row, expected_version, "KPI 実績")
        before = audit.snapshot(row)
        earlier = {
            "value": row.value,
            "note": row.note,
            "replaced_at": audit.to_jsonable(utcnow()),
            "replaced_by": actor.username,
        }
        row.history = [*(row.history or []), earlier]
        row.value, row.note = float(value), note
    flush_checked(session, "KPI 実績", kpi.id)
    audit.record(
        session,
        actor=actor.username,
        action="record_actual",
        entity="kpi_value",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return row


def add_candidate_project(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    prefecture_code: str,
    title: str,
    field_id: int | None,
    investment_amount: int | None,
    ministries: list[dict[str, str]] | None = None,
    wage_plan: str = "",
    wage_growth_rate: float | None = None,
    description: str = "",
) -> CandidateProject:
    """A prefecture submits a candidate project to its block's A plan (SPEC §6.1 A): field,
    investment (千円), ministries already coordinated and since when, wage plan."""
    plan = get_plan(session, plan_id)
    require(workflow.can_submit_candidate(actor, plan, prefecture_code))
    for m in ministries or []:
        if not m.get("name") or not m.get("since"):
            raise InvalidInputError(f"調整済みの省庁は名称と開始日（YYYY-MM-DD）を指定してください: {m}")
    project = CandidateProject(
        plan_id=plan.id,
        prefecture_code=prefecture_code,
        title=title,
        field_id=field_id,
        investment_amount=investment_amount,
        ministries=list(ministries or []),
        wage_plan=wage_plan,
        wage_growth_rate=wage_growth_rate,
        description=description,
        submitted_by=actor.username,
    )
    session.add(project)
    session.flush()
    session.refresh(plan)
    audit.record(
        session,
        actor=actor.username,
        action="create",
        entity="candidate_project",
        entity_id=project.id,
        after=audit.snapshot(project),
    )
    follow_candidates(session, plan, actor=actor.username)  # the checklist follows at once (issue #12 §4)
    return project


def save_ripple_scenario(
    session: Session,
    plan_id: int,
    *,
    actor: workflow.Actor,
    name: str,
    inputs: Mapping[str, Any],
    results: pl.DataFrame | list[dict[str, Any]],
    unit: str = "百万円",
    note: str = "",
) -> RippleScenario:
    """Store a ripple scenario of ``chiiki.io`` (SPEC §5): its inputs (demand frame, c, local_output …,
    frames become records) and its result frame ``scenario, stage, measure, sector, value`` as JSON."""
    plan = get_plan(session, plan_id)
    if not (
        workflow.can_edit(actor, plan)
        or (plan.state in ("approved", "monitoring") and workflow.owns(actor, plan))
    ):
        raise PermissionDeniedError(
            "波及効果のシナリオは計画の作成者（作成中・差戻し・承認後）だけが登録できます。"
        )
    stored_inputs = {
        k: frame_to_records(v) if isinstance(v, pl.DataFrame) else audit.to_jsonable(v)
        for k, v in inputs.items()
    }
    records = (
        frame_to_records(results) if isinstance(results, pl.DataFrame) else audit.to_jsonable(list(results))
    )
    row = RippleScenario(
        plan_id=plan.id,
        name=name,
        inputs=stored_inputs,
        results=records,
        unit=unit,
        note=note,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="create",
        entity="ripple_scenario",
        entity_id=row.id,
        after=audit.snapshot(row),
    )
    return row


RIPPLE_COLUMNS = ("scenario", "stage", "measure", "region", "sector", "value")
"""Column order of ``chiiki.io`` ripple frames (PostgreSQL's JSONB does not keep key order)."""


def ripple_results_frame(scenario: RippleScenario) -> pl.DataFrame:
    """A stored scenario's results back as a frame."""
    if not scenario.results:
        return pl.DataFrame()
    frame = pl.DataFrame(scenario.results)
    first = [c for c in RIPPLE_COLUMNS if c in frame.columns]
    return frame.select(first + [c for c in frame.columns if c not in first])


def sync_support_measures(session: Session, *, actor: str) -> list[SupportMeasure]:
    """Insert or update the catalog rows of :data:`chiiki.plans.measures.CATALOG` (audited when
    something changes); measures added by administrators are kept."""
    existing = {m.code: m for m in session.scalars(select(SupportMeasure))}
    out = []
    for m in CATALOG:
        values = {
            "category": m.category,
            "name": m.name,
            "description": m.description,
            "plan_types": list(m.plan_types),
            "field_ids": list(m.field_ids) if m.field_ids is not None else None,
            "local_resources": list(m.local_resources) if m.local_resources is not None else None,
            "for_firms": m.for_firms,
            "source": SEED_SOURCE,
        }
        row = existing.get(m.code)
        if row is None:
            row = SupportMeasure(code=m.code, **values)
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="create",
                entity="support_measure",
                entity_id=row.id,
                after=audit.snapshot(row),
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = audit.snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="update",
                entity="support_measure",
                entity_id=row.id,
                before=before,
                after=audit.snapshot(row),
            )
        out.append(row)
    return out


def support_measures_frame(session: Session) -> pl.DataFrame:
    """The stored catalog in the frame shape of :func:`chiiki.plans.measures.catalog_frame`."""
    from chiiki.plans.measures import Measure, catalog_frame

    rows = list(session.scalars(select(SupportMeasure).order_by(SupportMeasure.id)))
    if not rows:
        return catalog_frame()
    return catalog_frame(
        [
            Measure(
                r.code,
                r.category,
                r.name,
                r.description,
                tuple(r.plan_types),
                tuple(r.field_ids) if r.field_ids is not None else None,
                tuple(r.local_resources) if r.local_resources is not None else None,
                r.for_firms,
            )
            for r in rows
        ]
    )
