"""A and C plan records and notifications on SQLite and PostgreSQL (issue #12 §4, §6): each candidate
project screened on its own, 有識者検討会 meetings, the checklist following a new candidate at once,
相談窓口 with yearly consultation counts, notices of submission, return and approval."""

from __future__ import annotations

from datetime import date

import pytest
from plan_helpers import complete_plan
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiiki.plans.workflow import ActorRef
from chiiki.store import InvalidInputError, PermissionDeniedError, create_user
from chiiki.store.audit import audit_entries
from chiiki.store.models import AuditLog
from chiiki.store.notifications import mark_read, notifications_of, unread_count
from chiiki.store.parts import add_candidate_project
from chiiki.store.plan_records import (
    add_meeting,
    candidate_screenings,
    consultation_counts,
    fiscal_year_of,
    log_consultation,
    meetings,
    save_desk,
    screen_candidate,
    update_meeting,
)
from chiiki.store.plans import create_plan, get_plan, record_screening, transition_plan

TOHOKU = ActorRef("tohoku", "bureau", block_code="tohoku")
MIYAGI = ActorRef("miyagi", "prefecture", prefecture_code="04")
FUKUSHIMA = ActorRef("fukushima", "prefecture", prefecture_code="07")
KORIYAMA = ActorRef("koriyama", "municipal", prefecture_code="07", municipality_code="07203")
REVIEWER = ActorRef("kuni", "reviewer")


def a_plan(session: Session):  # noqa: ANN201
    return create_plan(
        session, actor=TOHOKU, plan_type="A", title="東北A", period_start=2026, period_end=2035,
        block_code="tohoku", focus_fields=[1],
    )  # fmt: skip


def project(session: Session, plan_id: int, title: str, amount: int):  # noqa: ANN201
    return add_candidate_project(
        session, plan_id, actor=MIYAGI, prefecture_code="04", title=title, field_id=1,
        investment_amount=amount, ministries=[{"name": "経済産業省", "since": "2026-01-15"}],
        wage_growth_rate=0.06,
    )  # fmt: skip


def audits(session: Session) -> int:
    session.flush()
    return session.scalar(select(func.count()).select_from(AuditLog))


def test_checklist_follows_a_new_candidate_at_once(session: Session) -> None:
    plan = a_plan(session)
    assert {r.code: r.status for r in plan.requirements}["A_INVEST"] == "pending"
    project(session, plan.id, "半導体", 3_000_000)
    assert {r.code: r.status for r in get_plan(session, plan.id).requirements}["A_INVEST"] == "met"
    project(session, plan.id, "小規模", 10_000)  # below the 2,000,000 千円 threshold
    item = next(r for r in get_plan(session, plan.id).requirements if r.code == "A_INVEST")
    assert item.status == "not_met" and "小規模" in item.auto_explanation
    assert any(e.action == "auto_check" and e.actor == "miyagi" for e in audit_entries(session))


def test_each_candidate_screened_on_its_own(session: Session) -> None:
    plan = a_plan(session)
    big = project(session, plan.id, "半導体", 3_000_000)
    small = project(session, plan.id, "小規模", 10_000)
    n = audits(session)
    row = screen_candidate(
        session, plan.id, big.id, actor=TOHOKU, decision="adopt", comment="素案に盛り込む",
        scores={"A_FIELD": 2, "A_COORD": 2, "A_INVEST": 2, "A_WAGE": 1},
    )  # fmt: skip
    assert audits(session) == n + 1
    assert (row.total, row.max_total, row.recommendation) == (7, 8, "approve")
    assert {c["code"]: c["status"] for c in row.checks}["A_INVEST"] == "met"  # its own checks only
    scores = {"A_FIELD": 2, "A_COORD": 2, "A_INVEST": 0, "A_WAGE": 2}
    with pytest.raises(InvalidInputError, match="理由"):  # against the recommendation, no reason
        screen_candidate(session, plan.id, small.id, actor=TOHOKU, decision="adopt", scores=scores)
    row2 = screen_candidate(session, plan.id, small.id, actor=TOHOKU, decision="reject", scores=scores)
    assert row2.recommendation == "return"
    assert {c["code"]: c["status"] for c in row2.checks}["A_INVEST"] == "not_met"
    with pytest.raises(PermissionDeniedError):
        screen_candidate(session, plan.id, big.id, actor=MIYAGI, decision="hold", scores=scores)
    by_project = candidate_screenings(session, plan.id)
    assert [r.decision for r in by_project[big.id]] == ["adopt"] and len(by_project[small.id]) == 1


def test_expert_meetings_recorded_and_corrected(session: Session) -> None:
    plan = a_plan(session)
    m = add_meeting(
        session, plan.id, actor=TOHOKU, held_on=date(2026, 7, 1), title="第1回 検討会",
        members=["東北大学 教授", " ", "経済団体 代表"], opinions="半導体の裾野を広げる", decisions="素案に2件",
    )  # fmt: skip
    assert m.members == ["東北大学 教授", "経済団体 代表"]
    update_meeting(session, plan.id, m.id, actor=TOHOKU, expected_version=m.version, decisions="素案に3件")
    assert [x.decisions for x in meetings(session, plan.id)] == ["素案に3件"]
    with pytest.raises(PermissionDeniedError):
        add_meeting(session, plan.id, actor=MIYAGI, held_on=date(2026, 7, 1), title="x", members=[])
    b = create_plan(
        session, actor=FUKUSHIMA, plan_type="B", title="B", period_start=2026, period_end=2030,
        prefecture_code="07",
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match="A 計画"):
        add_meeting(session, b.id, actor=FUKUSHIMA, held_on=date(2026, 7, 1), title="x", members=[])


def test_consultation_desk_and_yearly_counts(session: Session) -> None:
    plan = create_plan(
        session, actor=KORIYAMA, plan_type="C", title="郡山C", period_start=2026, period_end=2028,
        municipality_code="07203",
    )  # fmt: skip
    desk = save_desk(session, plan.id, actor=KORIYAMA, name="地場産業相談窓口", contact="024-000-0000")
    for day in (date(2026, 4, 1), date(2027, 3, 31), date(2027, 4, 1)):
        log_consultation(
            session, plan.id, desk.id, actor=KORIYAMA, held_on=day, topic="販路", today=date(2027, 5, 1)
        )
    assert consultation_counts(session, plan.id) == {2026: 2, 2027: 1}
    assert (fiscal_year_of(date(2027, 3, 31)), fiscal_year_of(date(2027, 4, 1))) == (2026, 2027)
    with pytest.raises(InvalidInputError, match="未来"):
        log_consultation(session, plan.id, desk.id, actor=KORIYAMA, held_on=date(2030, 1, 1), topic="x")
    with pytest.raises(PermissionDeniedError):
        save_desk(session, plan.id, actor=FUKUSHIMA, name="x")


def _user(session: Session, name: str, role: str, **scope) -> int:  # noqa: ANN003
    return create_user(session, username=name, password_hash="x", role=role, actor="t", **scope).id


def test_notifications_of_submit_return_and_approve(session: Session) -> None:
    ids = {
        "fukushima": _user(session, "fukushima", "prefecture", prefecture_code="07"),
        "fukushima2": _user(session, "fukushima2", "prefecture", prefecture_code="07"),
        "miyagi": _user(session, "miyagi", "prefecture", prefecture_code="04"),
        "kuni": _user(session, "kuni", "reviewer"),
        "tohoku": _user(session, "tohoku", "bureau", block_code="tohoku"),
        "kanto": _user(session, "kanto", "bureau", block_code="kanto"),
        "admin": _user(session, "admin", "admin"),
    }
    plan = create_plan(
        session, actor=FUKUSHIMA, plan_type="B", title="ふくしま計画", period_start=2026, period_end=2030,
        prefecture_code="07",
    )  # fmt: skip
    complete_plan(session, plan.id, FUKUSHIMA)
    transition_plan(session, plan.id, "submit", actor=FUKUSHIMA)
    told = {u for u, i in ids.items() if unread_count(session, i)}
    assert told == {"kuni", "tohoku"}  # the plan's reviewers only
    transition_plan(session, plan.id, "start_review", actor=REVIEWER)
    record_screening(session, plan.id, actor=REVIEWER, scores={r.code: 0 for r in plan.requirements})
    transition_plan(session, plan.id, "return", actor=REVIEWER, comment="目標値の根拠が不足しています")
    notes = notifications_of(session, ids["fukushima2"])
    assert [n.kind for n in notes] == ["returned"]
    assert "目標値の根拠が不足しています" in notes[0].body and "差戻しの理由" in notes[0].body
    assert unread_count(session, ids["miyagi"]) == 0 and unread_count(session, ids["kanto"]) == 0
    assert mark_read(session, ids["fukushima2"], actor="fukushima2") == 1
    assert unread_count(session, ids["fukushima2"]) == 0 and unread_count(session, ids["fukushima"]) == 1
