"""The workflow guards (:mod:`chiiki.plans.guards`, issue #12 §1) applied to stored plans: the facts
are read from the rows, the pure guard decides, and a refusal is a :class:`GuardError` whose message
lists in Japanese what is missing. :func:`chiiki.store.plans.transition_plan` and
:func:`chiiki.store.parts.record_actual` call these before writing anything, so every shell (web, API,
command line) refuses the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chiiki.plans import guards
from chiiki.plans.requirements import KpiFacts, PlanFacts, ProjectFacts, check_requirements
from chiiki.plans.screening import DECISION_LABELS
from chiiki.store.errors import InvalidInputError
from chiiki.store.models import Plan, Screening


class GuardError(InvalidInputError):
    """A workflow step refused by a guard; ``missing`` holds the Japanese items one by one."""

    def __init__(self, head: str, missing: list[str]) -> None:
        super().__init__(guards.refusal_message(head, missing))
        self.head = head
        self.missing = list(missing)


def plan_facts(plan: Plan) -> PlanFacts:
    """What the pure requirement checks need, read from a stored plan."""
    kpis = {}
    for k in plan.kpis:
        targets = {v.fiscal_year: v.value for v in k.values if v.kind == "target"}
        kpis[k.code] = KpiFacts(baseline=k.baseline, targets=targets, baseline_year=k.baseline_year)
    projects = [
        ProjectFacts(
            title=p.title,
            prefecture_code=p.prefecture_code,
            field_id=p.field_id,
            investment_amount=p.investment_amount,
            ministries=list(p.ministries or []),
            wage_growth_rate=p.wage_growth_rate,
        )
        for p in plan.candidate_projects
    ]
    return PlanFacts(
        plan_type=plan.plan_type,
        period_start=plan.period_start,
        period_end=plan.period_end,
        prefecture_code=plan.prefecture_code,
        focus_fields=list(plan.focus_fields or []),
        kpis=kpis,
        projects=projects,
    )


def requirement_answers(plan: Plan) -> list[guards.RequirementAnswer]:
    return [
        guards.RequirementAnswer(r.code, r.label, r.is_auto, r.status, r.evidence or "")
        for r in plan.requirements
    ]


def submit_facts(plan: Plan) -> guards.SubmitFacts:
    """The guard's view of a plan; the automatic items as the checks decide them now (submitting
    re-runs and stores them first)."""
    auto = {c.code: c.status for c in check_requirements(plan_facts(plan)) if c.auto}
    answers = [
        guards.RequirementAnswer(
            r.code,
            r.label,
            r.is_auto,
            auto.get(r.code, r.status) if r.is_auto else r.status,
            r.evidence or "",
        )
        for r in plan.requirements
    ]
    kpis = {
        k.code: KpiFacts(
            baseline=k.baseline,
            targets={v.fiscal_year: v.value for v in k.values if v.kind == "target"},
            baseline_year=k.baseline_year,
        )
        for k in plan.kpis
    }
    return guards.SubmitFacts(
        plan_type=plan.plan_type,
        period_start=plan.period_start,
        period_end=plan.period_end,
        requirements=answers,
        kpis=kpis,
        firms=[guards.FirmPick(f.name or f.company_id, f.planner_reason or "") for f in plan.priority_firms],
        project_titles=[p.title for p in plan.candidate_projects],
    )


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.min
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def current_screening(plan: Plan) -> Screening | None:
    """The latest screening recorded since the plan's last 審査開始 (None: none in this review)."""
    starts = [h.at for h in plan.state_history if h.action == "start_review"]
    since = _utc(max(starts, key=_utc)) if starts else datetime.min
    rows = [s for s in plan.screenings if _utc(s.at) >= since]
    return max(rows, key=lambda s: (_utc(s.at), s.id or 0)) if rows else None


def screening_facts(plan: Plan) -> guards.ScreeningFacts | None:
    row = current_screening(plan)
    return None if row is None else guards.ScreeningFacts(dict(row.scores or {}), row.decision)


def check_submit(plan: Plan) -> None:
    missing = guards.submit_missing(submit_facts(plan))
    if missing:
        raise GuardError("この計画はまだ提出できません。", missing)


def check_decision(plan: Plan, action: str, comment: str) -> dict:
    """Refuse an approval without a full screening, or a decision against the screening's
    recommendation without a reason; returns what the audit row records about the decision."""
    screening = screening_facts(plan)
    missing = guards.approve_missing(requirement_answers(plan), screening) if action == "approve" else []
    missing += guards.decision_missing(action, screening, comment)
    if missing:
        head = "この計画はまだ承認できません。" if action == "approve" else "差戻しできません。"
        raise GuardError(head, missing)
    against = guards.against_recommendation(action, screening)
    return {
        "recommendation": DECISION_LABELS.get(screening.decision) if screening else None,
        "against_recommendation": against is not None,
        "reason": comment if against else None,
    }


def check_actual(plan: Plan, code: str, fiscal_year: int, value: float) -> None:
    problems = guards.actual_problems(
        code, fiscal_year, value, period_start=plan.period_start, period_end=plan.period_end
    )
    if problems:
        raise GuardError("この実績は登録できません。", problems)
