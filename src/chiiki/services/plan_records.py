"""A and C plan records as the shells show them (issue #12 §4), and the consultation counts as a KPI.

:func:`records_document` gathers, as JSON-able data, an A plan's candidate projects with the bureau's
screenings of each and its 有識者検討会 meetings, or a C plan's 相談窓口 with the consultation log and
the counts per fiscal year; the plan page, the API and the PDF read it. The records hold no
firm-level figures (candidate projects are the prefectures' proposals; a consultation names the
client as the desk wrote it), so every reader who may see the plan sees them whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.plans.screening import DECISION_LABELS
from chiiki.store import audit
from chiiki.store import parts as plan_parts
from chiiki.store import plan_records as records
from chiiki.store.errors import InvalidInputError
from chiiki.store.models import Kpi, Plan
from chiiki.store.plans import get_plan, require


def _iso(value: Any) -> Any:
    return audit.to_jsonable(value)


def _screening(row) -> dict[str, Any]:  # noqa: ANN001 - CandidateScreening
    return {
        "id": row.id, "reviewer": row.reviewer, "at": _iso(row.at), "checks": list(row.checks or []),
        "scores": dict(row.scores or {}), "total": row.total, "max_total": row.max_total,
        "recommendation": row.recommendation,
        "recommendation_label": DECISION_LABELS.get(row.recommendation, row.recommendation),
        "decision": row.decision, "decision_label": records.CANDIDATE_DECISION_LABELS[row.decision],
        "against_recommendation": (row.decision == "adopt") != (row.recommendation == "approve"),
        "comment": row.comment,
    }  # fmt: skip


def records_document(db: Session, plan: Plan) -> dict[str, Any]:
    """The plan's A or C records (empty for B)."""
    if plan.plan_type == "A":
        screenings = records.candidate_screenings(db, plan.id)
        return {
            "candidates": [
                {
                    "id": p.id,
                    "title": p.title,
                    "prefecture_code": p.prefecture_code,
                    "checks": records.project_checks(plan, p),
                    "screenings": [_screening(s) for s in screenings.get(p.id, [])],
                }  # fmt: skip
                for p in plan.candidate_projects
            ],
            "meetings": [
                {
                    "id": m.id,
                    "version": m.version,
                    "held_on": _iso(m.held_on),
                    "title": m.title,
                    "members": list(m.members or []),
                    "opinions": m.opinions,
                    "decisions": m.decisions,
                    "created_by": m.created_by,
                }  # fmt: skip
                for m in records.meetings(db, plan.id)
            ],
        }
    if plan.plan_type == "C":
        desks = records.desks(db, plan.id)
        names = {d.id: d.name for d in desks}
        counts = records.consultation_counts(db, plan.id)
        return {
            "desks": [
                {
                    "id": d.id,
                    "version": d.version,
                    "name": d.name,
                    "department": d.department,
                    "contact": d.contact,
                    "opened_on": _iso(d.opened_on),
                    "note": d.note,
                }  # fmt: skip
                for d in desks
            ],
            "consultations": [
                {
                    "id": c.id,
                    "desk": names.get(c.desk_id, ""),
                    "held_on": _iso(c.held_on),
                    "fiscal_year": c.fiscal_year,
                    "client": c.client,
                    "topic": c.topic,
                    "outcome": c.outcome,
                    "created_by": c.created_by,
                }  # fmt: skip
                for c in records.consultations(db, plan.id)
            ],
            "counts": [{"fiscal_year": y, "count": n} for y, n in counts.items()],
            "kpi_code": records.CONSULTATION_KPI[0],
        }
    return {}


def _consultation_kpi(plan: Plan) -> Kpi | None:
    return next((k for k in plan.kpis if k.code == records.CONSULTATION_KPI[0]), None)


def set_consultation_targets(
    db: Session, plan_id: int, *, actor: workflow.Actor, baseline: float | None, baseline_year: int | None,
    targets: dict[int, float],
) -> Kpi:  # fmt: skip
    """Make the yearly consultation count a KPI of the C plan (SPEC §6.3): baseline and yearly targets,
    set while the plan is being drafted."""
    plan = get_plan(db, plan_id)
    if plan.plan_type != "C":
        raise InvalidInputError("相談件数の KPI は C 計画（地場産業成長プラン）にだけ設定できます。")
    if any(v < 0 for v in targets.values()) or (baseline is not None and baseline < 0):
        raise InvalidInputError("相談件数の基準値・目標は 0 以上の件数で入力してください。")
    code, label, unit = records.CONSULTATION_KPI
    kpi = _consultation_kpi(plan)
    return plan_parts.set_kpi(
        db, plan_id, actor=actor, code=code, label=label, unit=unit, baseline=baseline,
        baseline_year=baseline_year, targets=targets, baseline_source="相談窓口の記録（年度の件数）",
        target_rule="計画担当者が入力", expected_version=kpi.version if kpi else None,
    )  # fmt: skip


def report_consultation_counts(db: Session, plan_id: int, *, actor: workflow.Actor) -> dict[int, int]:
    """Record the logged consultations per fiscal year of the plan period as the actuals of the
    相談件数 KPI (once the plan is approved, as every actual); returns the years and counts recorded."""
    plan = get_plan(db, plan_id)
    require(workflow.can_report(actor, plan))
    kpi = _consultation_kpi(plan)
    if kpi is None:
        raise InvalidInputError(
            "相談件数の KPI がありません。計画の作成中に「相談件数を KPI にする」で目標を設定してください。"
        )
    counts = {
        y: n
        for y, n in records.consultation_counts(db, plan_id).items()
        if plan.period_start <= y <= plan.period_end
    }
    if not counts:
        raise InvalidInputError(
            f"計画期間（{plan.period_start}〜{plan.period_end}年度）の相談の記録がありません。"
        )
    existing = {v.fiscal_year: v for v in kpi.values if v.kind == "actual"}
    for year, n in counts.items():
        row = existing.get(year)
        if row is not None and row.value == float(n):
            continue
        plan_parts.record_actual(
            db, plan_id, actor=actor, code=kpi.code, fiscal_year=year, value=float(n),
            note="相談窓口の記録から集計", expected_version=row.version if row is not None else None,
        )  # fmt: skip
    return counts


def records_context(db: Session, actor: workflow.Actor, plan: Plan) -> dict[str, Any]:
    """What the plan page's record sections need: the records, whether the reader is the plan's own
    staff (who keep them) and the decision names of a candidate screening."""
    return {
        "records": records_document(db, plan),
        "is_owner": bool(workflow.owns(actor, plan)),
        "candidate_decisions": records.CANDIDATE_DECISION_LABELS,
    }
