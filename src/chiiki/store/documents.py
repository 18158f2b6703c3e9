"""A stored plan as a plain document (dict) and back (issue #6 §7).

:func:`plan_document` gathers everything a submission attachment shows — overview, requirements,
KPIs with targets, actuals and status, priority firms, candidate projects, ripple scenarios,
matching support measures, screenings and state history — into JSON-able data;
:mod:`chiiki.plans.export` writes it to .xlsx or .json. :func:`import_plan_document` makes a new plan
from such a document: re-exporting it gives the same document (ids and the export's own metadata
aside).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.plans.kpi import kpi_status
from chiiki.plans.labels import OWNER_LEVEL_LABELS, PLAN_TYPE_LABELS, REQUIREMENT_STATUS_LABELS, STATE_LABELS
from chiiki.plans.measures import match_plan
from chiiki.plans.rules import PlanRules
from chiiki.plans.screening import DECISION_LABELS
from chiiki.reference import fields
from chiiki.store import audit
from chiiki.store.errors import InvalidInputError, PermissionDeniedError
from chiiki.store.models import (
    CandidateProject,
    DatasetVersion,
    Kpi,
    KpiValue,
    Plan,
    PlanRequirement,
    PlanStateChange,
    PriorityFirm,
    RippleScenario,
    Screening,
    utcnow,
)
from chiiki.store.parts import support_measures_frame
from chiiki.store.plans import get_plan, owner_label

FORMAT = "chiiki-plan"
FORMAT_VERSION = 1
VOLATILE_KEYS = ("id", "exported_at")
"""Keys that differ between a plan and its re-import (the new row's id)."""


def _field_names(ids: list[int]) -> list[str]:
    names = dict(zip(fields()["field_id"].to_list(), fields()["name"].to_list(), strict=True))
    return [names.get(i, str(i)) for i in ids]


def _iso(value: Any) -> Any:
    return audit.to_jsonable(value)


def _dataset_refs(session: Session, plan: Plan) -> dict[int, dict[str, str]]:
    """Name and version of every data-set version the plan's firms and KPIs were taken from."""
    ids = {f.dataset_id for f in plan.priority_firms} | {k.dataset_id for k in plan.kpis}
    ids.discard(None)
    if not ids:
        return {}
    rows = session.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version).where(
            DatasetVersion.id.in_(ids)
        )
    ).all()
    return {r.id: {"name": r.name, "version": r.version} for r in rows}


def _kpi_doc(k: Kpi, rules: PlanRules) -> dict[str, Any]:
    targets = {v.fiscal_year: v.value for v in k.values if v.kind == "target"}
    actuals = {
        v.fiscal_year: (v.value, v.note, list(v.history or [])) for v in k.values if v.kind == "actual"
    }
    years = sorted(set(targets) | set(actuals))
    status_rows: list[dict[str, Any]] = []
    if years:
        frame = pl.DataFrame(
            {
                "fiscal_year": years,
                "baseline": [k.baseline] * len(years),
                "target": [targets.get(y) for y in years],
                "actual": [actuals[y][0] if y in actuals else None for y in years],
            },
            schema={
                "fiscal_year": pl.Int64,
                "baseline": pl.Float64,
                "target": pl.Float64,
                "actual": pl.Float64,
            },
        )
        status_rows = (
            kpi_status(frame, rules=rules)
            .select("fiscal_year", "target", "actual", "status", "status_label", "explanation")
            .to_dicts()
        )
    return {
        "code": k.code,
        "label": k.label,
        "unit": k.unit,
        "baseline_year": k.baseline_year,
        "baseline": k.baseline,
        "baseline_source": k.baseline_source,
        "target_rule": k.target_rule,
        "dataset_id": k.dataset_id,
        "targets": [{"fiscal_year": y, "value": targets[y]} for y in sorted(targets)],
        "actuals": [
            {"fiscal_year": y, "value": actuals[y][0], "note": actuals[y][1], "history": actuals[y][2]}
            for y in sorted(actuals)
        ],
        "status": status_rows,
    }


def plan_document(session: Session, plan_id: int, *, rules: PlanRules | None = None) -> dict[str, Any]:
    """Everything about a plan as JSON-able data (the export's content)."""
    rules = rules or PlanRules()
    plan = get_plan(session, plan_id)
    datasets = _dataset_refs(session, plan)
    catalog = support_measures_frame(session)
    measures = match_plan(
        catalog,
        plan_type=plan.plan_type,
        focus_fields=list(plan.focus_fields or []),
        local_resources=list(plan.local_resources or []),
    ).to_dicts()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plan": {
            "id": plan.id,
            "plan_type": plan.plan_type,
            "type_label": PLAN_TYPE_LABELS[plan.plan_type],
            "title": plan.title,
            "owner_level": plan.owner_level,
            "owner_level_label": OWNER_LEVEL_LABELS[plan.owner_level],
            "owner": owner_label(plan),
            "block_code": plan.block_code,
            "prefecture_code": plan.prefecture_code,
            "municipality_code": plan.municipality_code,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "focus_fields": list(plan.focus_fields or []),
            "focus_field_names": _field_names(list(plan.focus_fields or [])),
            "local_resources": list(plan.local_resources or []),
            "description": plan.description,
            "state": plan.state,
            "state_label": STATE_LABELS[plan.state],
            "is_demo": plan.is_demo,
            "created_by": plan.created_by,
            "created_at": _iso(plan.created_at),
        },
        "requirements": [
            {
                "code": r.code,
                "label": r.label,
                "is_auto": r.is_auto,
                "status": r.status,
                "status_label": REQUIREMENT_STATUS_LABELS[r.status],
                "evidence": r.evidence,
                "auto_explanation": r.auto_explanation,
                "reviewer_comment": r.reviewer_comment,
            }
            for r in plan.requirements
        ],
        "kpis": [_kpi_doc(k, rules) | {"dataset": datasets.get(k.dataset_id)} for k in plan.kpis],
        "priority_firms": [
            {
                "rank": f.rank,
                "company_id": f.company_id,
                "name": f.name,
                "score": f.score,
                "reasons": list(f.reasons or []),
                "planner_reason": f.planner_reason or "",
                "snapshot": dict(f.snapshot or {}),
                "score_run": f.score_run,
                "prefecture_code": (f.snapshot or {}).get("prefecture_code") or plan.prefecture_code,
                "dataset_id": f.dataset_id,
                "dataset": datasets.get(f.dataset_id),
                "selected_by": f.selected_by,
                "selected_at": _iso(f.selected_at),
            }
            for f in plan.priority_firms
        ],
        "candidate_projects": [
            {
                "prefecture_code": p.prefecture_code,
                "title": p.title,
                "field_id": p.field_id,
                "field_name": _field_names([p.field_id])[0] if p.field_id is not None else None,
                "investment_amount": p.investment_amount,
                "ministries": list(p.ministries or []),
                "wage_plan": p.wage_plan,
                "wage_growth_rate": p.wage_growth_rate,
                "description": p.description,
                "submitted_by": p.submitted_by,
                "submitted_at": _iso(p.submitted_at),
            }
            for p in plan.candidate_projects
        ],
        "ripple_scenarios": [
            {
                "name": s.name,
                "unit": s.unit,
                "note": s.note,
                "inputs": s.inputs,
                "results": s.results,
                "created_by": s.created_by,
                "created_at": _iso(s.created_at),
            }
            for s in plan.ripple_scenarios
        ],
        "support_measures": measures,
        "screenings": [
            {
                "reviewer": s.reviewer,
                "at": _iso(s.at),
                "scores": dict(s.scores),
                "total": s.total,
                "max_total": s.max_total,
                "decision": s.decision,
                "decision_label": DECISION_LABELS.get(s.decision, s.decision),
                "reasons": list(s.reasons or []),
                "comment": s.comment,
            }
            for s in plan.screenings
        ],
        "state_history": [
            {
                "action": h.action,
                "from_state": h.from_state,
                "to_state": h.to_state,
                "actor": h.actor,
                "at": _iso(h.at),
                "comment": h.comment,
            }
            for h in plan.state_history
        ],
    }


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def import_plan_document(session: Session, doc: dict[str, Any], *, actor: workflow.Actor) -> Plan:
    """A new plan from a document of :func:`plan_document` (audited as ``import``).

    An administrator restores the plan as it was (state, screenings and history included). The owner's
    staff get its content as a new draft (workflow state, screenings and history are not taken over,
    so a document cannot skip review).
    """
    if doc.get("format") != FORMAT or doc.get("format_version") != FORMAT_VERSION:
        raise InvalidInputError(
            f"計画の JSON ではないか、形式の版が違います（format={doc.get('format')!r}, "
            f"format_version={doc.get('format_version')!r}）。"
            "chiiki plans export で出力した JSON を指定してください。"
        )
    p = doc["plan"]
    restore = actor.role == "admin"
    plan = Plan(
        plan_type=p["plan_type"],
        title=p["title"],
        owner_level=p["owner_level"],
        block_code=p["block_code"],
        prefecture_code=p["prefecture_code"],
        municipality_code=p["municipality_code"],
        period_start=p["period_start"],
        period_end=p["period_end"],
        focus_fields=list(p["focus_fields"]),
        local_resources=list(p["local_resources"]),
        description=p["description"],
        state=p["state"] if restore else "draft",
        is_demo=p["is_demo"],
        created_by=p["created_by"] if restore else actor.username,
        **({"created_at": _dt(p["created_at"])} if restore and p.get("created_at") else {}),
    )
    if not restore:
        decision = workflow.owns(actor, plan)
        if not decision:
            raise PermissionDeniedError(decision.reason)
    plan.requirements = [
        PlanRequirement(
            code=r["code"],
            position=i,
            label=r["label"],
            is_auto=r["is_auto"],
            status=r["status"],
            evidence=r["evidence"],
            auto_explanation=r["auto_explanation"],
            reviewer_comment=r["reviewer_comment"] if restore else "",
        )
        for i, r in enumerate(doc["requirements"])
    ]
    plan.kpis = [
        Kpi(
            code=k["code"],
            label=k["label"],
            unit=k["unit"],
            baseline_year=k["baseline_year"],
            baseline=k["baseline"],
            baseline_source=k["baseline_source"],
            target_rule=k["target_rule"],
            values=[
                KpiValue(fiscal_year=t["fiscal_year"], kind="target", value=t["value"]) for t in k["targets"]
            ]
            + [
                KpiValue(
                    fiscal_year=a["fiscal_year"],
                    kind="actual",
                    value=a["value"],
                    note=a.get("note", ""),
                    history=list(a.get("history") or []),
                )
                for a in k["actuals"]
            ],
        )
        for k in doc["kpis"]
    ]
    plan.priority_firms = [
        PriorityFirm(
            company_id=f["company_id"],
            name=f["name"],
            rank=f["rank"],
            score=f["score"],
            reasons=f["reasons"],
            planner_reason=f.get("planner_reason", ""),
            snapshot=f["snapshot"],
            score_run=f["score_run"],
            selected_by=f["selected_by"],
            selected_at=_dt(f["selected_at"]) or utcnow(),
        )
        for f in doc["priority_firms"]
    ]
    plan.candidate_projects = [
        CandidateProject(
            prefecture_code=c["prefecture_code"],
            title=c["title"],
            field_id=c["field_id"],
            investment_amount=c["investment_amount"],
            ministries=c["ministries"],
            wage_plan=c["wage_plan"],
            wage_growth_rate=c["wage_growth_rate"],
            description=c["description"],
            submitted_by=c["submitted_by"],
            submitted_at=_dt(c["submitted_at"]) or utcnow(),
        )
        for c in doc["candidate_projects"]
    ]
    plan.ripple_scenarios = [
        RippleScenario(
            name=s["name"],
            unit=s["unit"],
            note=s["note"],
            inputs=s["inputs"],
            results=s["results"],
            created_by=s["created_by"],
            created_at=_dt(s["created_at"]) or utcnow(),
        )
        for s in doc["ripple_scenarios"]
    ]
    if restore:
        plan.screenings = [
            Screening(
                reviewer=s["reviewer"],
                at=_dt(s["at"]) or utcnow(),
                scores=s["scores"],
                total=s["total"],
                max_total=s["max_total"],
                decision=s["decision"],
                reasons=s["reasons"],
                comment=s["comment"],
            )
            for s in doc["screenings"]
        ]
        plan.state_history = [
            PlanStateChange(
                action=h["action"],
                from_state=h["from_state"],
                to_state=h["to_state"],
                actor=h["actor"],
                at=_dt(h["at"]) or utcnow(),
                comment=h["comment"],
            )
            for h in doc["state_history"]
        ]
    else:
        plan.state_history = [
            PlanStateChange(action="import", from_state=None, to_state="draft", actor=actor.username)
        ]
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="import",
        entity="plan",
        entity_id=plan.id,
        after=audit.snapshot(plan) | {"source_id": p.get("id")},
    )
    return plan


def strip_volatile(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without what legitimately differs between a plan and its re-import."""
    out = dict(doc)
    out["plan"] = {k: v for k, v in doc["plan"].items() if k not in VOLATILE_KEYS}
    return {k: v for k, v in out.items() if k not in VOLATILE_KEYS}
