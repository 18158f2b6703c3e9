"""Plan services on SQLite and PostgreSQL: workflow, audit of every write, concurrent edits, KPIs,
requirements, screening, priority firms, candidate projects and ripple scenarios."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from plan_helpers import complete_plan
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from chiiki.plans.rules import PlanRules
from chiiki.plans.workflow import ActorRef
from chiiki.store import ConcurrentEditError, InvalidInputError, PermissionDeniedError, make_session_factory
from chiiki.store.audit import audit_entries
from chiiki.store.models import AuditLog, Plan
from chiiki.store.parts import (
    add_candidate_project,
    record_actual,
    ripple_results_frame,
    save_ripple_scenario,
    set_kpi,
    set_priority_firms,
    sync_support_measures,
)
from chiiki.store.plans import (
    create_plan,
    get_plan,
    list_plans,
    record_screening,
    refresh_requirements,
    transition_plan,
    update_plan,
    update_requirement,
)

FUKUSHIMA = ActorRef("fukushima", "prefecture", prefecture_code="07")
MIYAGI = ActorRef("miyagi", "prefecture", prefecture_code="04")
TOHOKU = ActorRef("tohoku", "bureau", block_code="tohoku")
REVIEWER = ActorRef("kuni", "reviewer")


def new_b(session: Session, **kw) -> Plan:  # noqa: ANN003
    values = (
        dict(
            actor=FUKUSHIMA,
            plan_type="B",
            title="ふくしま計画",
            period_start=2026,
            period_end=2030,
            prefecture_code="07",
            focus_fields=[1, 9],
        )
        | kw
    )
    return create_plan(session, **values)


def scores_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "company_id": ["a", "b", "c"],
            "score": [61.5, 70.25, 40.0],
            "selected": [True, True, False],
            "reasons": [["上位2社"], ["上位2社"], []],
            "connector_degree": [0.1, 0.3, 0.0],
            "name": ["会津精密", "郡山部品", "いわき化成"],
        }
    )


def set_good_kpis(session: Session, plan_id: int) -> None:
    for code, b, t in [
        ("regional_transactions", 1000.0, 1060.0),
        ("sales", 5000.0, 5600.0),
        ("employees", 100.0, 102.0),
        ("payroll", 400.0, 520.0),
    ]:
        set_kpi(
            session,
            plan_id,
            actor=FUKUSHIMA,
            code=code,
            baseline=b,
            baseline_year=2025,
            targets={2028: (b + t) / 2, 2030: t},
        )


def test_create_plan_with_checklist_and_audit(session: Session) -> None:
    plan = new_b(session)
    session.commit()
    assert (plan.state, plan.owner_level, plan.block_code, plan.version) == (
        "draft",
        "prefecture",
        "tohoku",
        1,
    )
    assert [r.code for r in plan.requirements][:2] == ["B_EXPORT", "B_LOCALISE"]
    [entry] = audit_entries(session, entity="plan", entity_id=plan.id)
    assert (entry.actor, entry.action, entry.before) == ("fukushima", "create", None)
    assert entry.after["title"] == "ふくしま計画"
    assert [h.to_state for h in plan.state_history] == ["draft"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"actor": MIYAGI}, "福島県の職員"),
        ({"focus_fields": [18]}, "1〜17"),
        ({"period_start": 2031}, "計画期間"),
        ({"plan_type": "B", "municipality_code": "07203"}, "都道府県が策定"),
        ({"title": " "}, "名称が空"),
    ],
)
def test_create_plan_refused_with_reason(session: Session, kw: dict, message: str) -> None:
    with pytest.raises((PermissionDeniedError, InvalidInputError), match=message):
        new_b(session, **kw)


def test_full_workflow_through_the_store_is_audited(session: Session) -> None:
    plan = new_b(session)
    set_good_kpis(session, plan.id)
    complete_plan(session, plan.id, FUKUSHIMA)
    refresh_requirements(session, plan.id, actor=FUKUSHIMA, rules=PlanRules(min_wage_growth=0.05))
    transition_plan(session, plan.id, "submit", actor=FUKUSHIMA, comment="提出します")
    with pytest.raises(PermissionDeniedError, match="審査"):
        transition_plan(session, plan.id, "start_review", actor=MIYAGI)
    transition_plan(session, plan.id, "start_review", actor=TOHOKU)
    screening = record_screening(
        session, plan.id, actor=REVIEWER, scores={r.code: 2 for r in plan.requirements}
    )
    assert (screening.total, screening.max_total, screening.decision) == (12, 12, "approve")
    transition_plan(session, plan.id, "approve", actor=REVIEWER)
    record_actual(session, plan.id, actor=FUKUSHIMA, code="sales", fiscal_year=2028, value=5400.0)
    transition_plan(session, plan.id, "start_monitoring", actor=FUKUSHIMA)
    transition_plan(session, plan.id, "close", actor=REVIEWER)
    session.commit()
    assert [h.to_state for h in plan.state_history] == [
        "draft",
        "submitted",
        "under_review",
        "approved",
        "monitoring",
        "closed",
    ]
    assert plan.state_history[1].comment == "提出します" and plan.state_history[2].actor == "tohoku"
    transitions = [
        e
        for e in audit_entries(session, entity="plan", entity_id=plan.id)
        if e.action.startswith("transition")
    ]
    assert [(e.before["state"], e.after["state"]) for e in transitions] == [
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "approved"),
        ("approved", "monitoring"),
        ("monitoring", "closed"),
    ]


def test_refused_transition_changes_nothing(session: Session) -> None:
    plan = new_b(session)
    session.commit()
    n = session.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(PermissionDeniedError, match="審査中"):
        transition_plan(session, plan.id, "approve", actor=REVIEWER)
    assert plan.state == "draft" and session.scalar(select(func.count()).select_from(AuditLog)) == n


def test_every_service_write_is_audited(session: Session) -> None:
    def count() -> int:
        session.flush()
        return session.scalar(select(func.count()).select_from(AuditLog))

    sync_support_measures(session, actor="system")
    before = count()
    plan = new_b(session)
    assert count() == before + 1
    steps = [
        lambda: update_plan(
            session, plan.id, actor=FUKUSHIMA, expected_version=plan.version, title="新しい名称"
        ),
        lambda: set_priority_firms(session, plan.id, scores_frame(), actor=FUKUSHIMA, score_run="run-1"),
        lambda: set_kpi(
            session,
            plan.id,
            actor=FUKUSHIMA,
            code="sales",
            baseline=10.0,
            baseline_year=2025,
            targets={2030: 11.0},
        ),
        lambda: update_requirement(
            session, plan.id, "B_EXPORT", actor=FUKUSHIMA, expected_version=None, evidence="輸出計画あり"
        ),
        lambda: save_ripple_scenario(
            session,
            plan.id,
            actor=FUKUSHIMA,
            name="s",
            inputs={"c": 0.7},
            results=[
                {
                    "scenario": "s",
                    "stage": "総合効果",
                    "measure": "生産誘発額",
                    "sector": "製造業",
                    "value": 1.5,
                }
            ],
        ),
        lambda: complete_plan(session, plan.id, FUKUSHIMA),
        lambda: transition_plan(session, plan.id, "submit", actor=FUKUSHIMA),
        lambda: transition_plan(session, plan.id, "start_review", actor=REVIEWER),
        lambda: update_requirement(
            session,
            plan.id,
            "B_EXPORT",
            actor=REVIEWER,
            expected_version=None,
            status="met",
            reviewer_comment="確認済み",
        ),
        lambda: record_screening(
            session, plan.id, actor=REVIEWER, scores={r.code: 2 for r in plan.requirements}
        ),
        lambda: transition_plan(session, plan.id, "approve", actor=REVIEWER),
        lambda: record_actual(session, plan.id, actor=FUKUSHIMA, code="sales", fiscal_year=2026, value=10.5),
    ]
    for i, step in enumerate(steps):
        n = count()
        step()
        assert count() >= n + 1, f"step {i} wrote no audit row"
    actors = {e.actor for e in audit_entries(session)}
    assert {"fukushima", "kuni"} <= actors


def test_refresh_requirements_audits_only_changed_items(session: Session) -> None:
    plan = new_b(session)
    set_good_kpis(session, plan.id)
    refresh_requirements(session, plan.id, actor=FUKUSHIMA, rules=PlanRules(min_wage_growth=0.05))
    session.flush()
    first = len(audit_entries(session, entity="plan_requirement"))
    assert first == 3  # the three automatic items of a B plan
    refresh_requirements(session, plan.id, actor=FUKUSHIMA, rules=PlanRules(min_wage_growth=0.05))
    session.flush()
    assert len(audit_entries(session, entity="plan_requirement")) == first
    status = {r.code: r.status for r in plan.requirements}
    assert status["B_TARGETS"] == status["B_TARGET_RULE"] == status["B_WAGE_RULE"] == "met"
    assert status["B_EXPORT"] == "pending"


def test_update_plan_with_stale_version_is_refused(session: Session) -> None:
    plan = new_b(session)
    session.commit()
    update_plan(session, plan.id, actor=FUKUSHIMA, expected_version=1, title="一人目の変更")
    session.commit()
    with pytest.raises(ConcurrentEditError, match="上書きはしていません"):
        update_plan(session, plan.id, actor=FUKUSHIMA, expected_version=1, title="二人目の変更")
    assert get_plan(session, plan.id).title == "一人目の変更"


def test_concurrent_sessions_editing_a_plan_are_detected(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory() as s:
        pid = new_b(s).id
        s.commit()
    with factory() as first, factory() as second:
        stale = get_plan(second, pid)  # the second editor reads version 1 (and keeps it open)
        second.commit()
        update_plan(first, pid, actor=FUKUSHIMA, expected_version=None, description="A")
        first.commit()
        assert stale.version == 1
        with pytest.raises(ConcurrentEditError):
            update_plan(second, pid, actor=FUKUSHIMA, expected_version=None, description="B")
        second.rollback()
    with factory() as s:
        assert get_plan(s, pid).description == "A"


def test_kpi_target_change_with_stale_version_is_refused(session: Session) -> None:
    plan = new_b(session)
    kpi = set_kpi(
        session,
        plan.id,
        actor=FUKUSHIMA,
        code="sales",
        baseline=10.0,
        baseline_year=2025,
        targets={2030: 11.0},
    )
    session.commit()
    seen = kpi.version
    set_kpi(
        session,
        plan.id,
        actor=FUKUSHIMA,
        code="sales",
        baseline=10.0,
        baseline_year=2025,
        targets={2030: 12.0},
        expected_version=seen,
    )
    session.commit()
    assert kpi.version == seen + 1
    with pytest.raises(ConcurrentEditError):
        set_kpi(
            session,
            plan.id,
            actor=FUKUSHIMA,
            code="sales",
            baseline=10.0,
            baseline_year=2025,
            targets={2030: 13.0},
            expected_version=seen,
        )


def test_kpi_targets_outside_period_refused(session: Session) -> None:
    plan = new_b(session)
    with pytest.raises(InvalidInputError, match="計画期間"):
        set_kpi(
            session,
            plan.id,
            actor=FUKUSHIMA,
            code="sales",
            baseline=1.0,
            baseline_year=2025,
            targets={2031: 2.0},
        )


def test_actuals_only_after_approval(session: Session) -> None:
    plan = new_b(session)
    set_kpi(
        session, plan.id, actor=FUKUSHIMA, code="sales", baseline=1.0, baseline_year=2025, targets={2030: 2.0}
    )
    with pytest.raises(PermissionDeniedError, match="承認後"):
        record_actual(session, plan.id, actor=FUKUSHIMA, code="sales", fiscal_year=2026, value=1.1)


def test_priority_firms_ranked_with_snapshot(session: Session) -> None:
    plan = new_b(session)
    firms = set_priority_firms(session, plan.id, scores_frame(), actor=FUKUSHIMA, score_run="2024年度")
    session.commit()
    assert [(f.rank, f.company_id, f.name) for f in firms] == [(1, "b", "郡山部品"), (2, "a", "会津精密")]
    assert firms[0].snapshot == {"connector_degree": 0.3, "name": "郡山部品"}
    assert firms[0].reasons == ["上位2社"] and firms[0].score == 70.25


def test_candidate_projects_from_block_prefectures_only(session: Session) -> None:
    plan = create_plan(
        session,
        actor=TOHOKU,
        plan_type="A",
        title="東北A",
        period_start=2026,
        period_end=2035,
        block_code="tohoku",
        focus_fields=[1],
    )
    add_candidate_project(
        session,
        plan.id,
        actor=MIYAGI,
        prefecture_code="04",
        title="半導体",
        field_id=1,
        investment_amount=3_000_000,
        ministries=[{"name": "経済産業省", "since": "2026-01-15"}],
        wage_growth_rate=0.06,
    )
    with pytest.raises(PermissionDeniedError):
        add_candidate_project(
            session,
            plan.id,
            actor=ActorRef("tokyo", "prefecture", prefecture_code="13"),
            prefecture_code="13",
            title="x",
            field_id=1,
            investment_amount=1,
        )
    reqs = refresh_requirements(session, plan.id, actor=TOHOKU, today=date(2026, 6, 1))
    assert {r.code: r.status for r in reqs} == {
        "A_FIELD": "met",
        "A_COORD": "met",
        "A_INVEST": "met",
        "A_WAGE": "met",
    }


def test_ripple_scenario_round_trip(session: Session) -> None:
    plan = new_b(session)
    results = pl.DataFrame(
        {
            "scenario": ["s"] * 2,
            "stage": ["直接効果", "総合効果"],
            "measure": ["生産誘発額"] * 2,
            "sector": ["製造業"] * 2,
            "value": [100.0, 153.2],
        }
    )
    demand = pl.DataFrame({"sector": ["製造業"], "value": [100.0]})
    save_ripple_scenario(
        session,
        plan.id,
        actor=FUKUSHIMA,
        name="s",
        inputs={"demand": demand, "c": 0.7243, "local_output": False},
        results=results,
    )
    session.commit()
    session.expire_all()
    [stored] = get_plan(session, plan.id).ripple_scenarios
    assert stored.inputs == {
        "demand": [{"sector": "製造業", "value": 100.0}],
        "c": 0.7243,
        "local_output": False,
    }
    assert ripple_results_frame(stored).equals(results)


def test_manual_requirement_status_only_by_reviewer_during_review(session: Session) -> None:
    plan = new_b(session)
    with pytest.raises(PermissionDeniedError):
        update_requirement(session, plan.id, "B_EXPORT", actor=FUKUSHIMA, expected_version=None, status="met")
    complete_plan(session, plan.id, FUKUSHIMA)
    transition_plan(session, plan.id, "submit", actor=FUKUSHIMA)
    with pytest.raises(InvalidInputError, match="自動判定"):
        update_requirement(session, plan.id, "B_TARGETS", actor=REVIEWER, expected_version=None, status="met")
    item = update_requirement(
        session,
        plan.id,
        "B_EXPORT",
        actor=REVIEWER,
        expected_version=2,
        status="met",
        reviewer_comment="輸出実績を確認",
    )
    assert (item.status, item.reviewer_comment, item.version) == ("met", "輸出実績を確認", 3)


def test_list_plans_by_viewer_scope(session: Session) -> None:
    new_b(session)
    create_plan(
        session,
        actor=MIYAGI,
        plan_type="B",
        title="宮城",
        period_start=2026,
        period_end=2030,
        prefecture_code="04",
    )
    assert len(list_plans(session)) == 2
    assert [p.title for p in list_plans(session, viewer=FUKUSHIMA)] == ["ふくしま計画"]
    assert len(list_plans(session, viewer=TOHOKU)) == 2
