"""Workflow (SPEC §6.5): each transition allowed only to the right role in the right scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chiiki.plans.workflow import (
    TRANSITIONS,
    ActorRef,
    available_actions,
    can_edit,
    can_report,
    can_submit_candidate,
    can_transition,
    can_view,
)


@dataclass
class P:
    plan_type: str
    owner_level: str
    state: str
    prefecture_code: str | None = None
    block_code: str | None = None
    municipality_code: str | None = None


FUKUSHIMA = ActorRef("f", "prefecture", prefecture_code="07")
MIYAGI = ActorRef("m", "prefecture", prefecture_code="04")
KORIYAMA = ActorRef("k", "municipal", prefecture_code="07", municipality_code="07203")
IWAKI = ActorRef("i", "municipal", prefecture_code="07", municipality_code="07204")
TOHOKU = ActorRef("t", "bureau", block_code="tohoku")
KANTO = ActorRef("kt", "bureau", block_code="kanto")
REVIEWER = ActorRef("r", "reviewer")
ADMIN = ActorRef("a", "admin")


def b_plan(state: str) -> P:
    return P("B", "prefecture", state, prefecture_code="07", block_code="tohoku")


def c_plan(state: str) -> P:
    return P("C", "municipality", state, prefecture_code="07", block_code="tohoku", municipality_code="07203")


def a_plan(state: str) -> P:
    return P("A", "block", state, block_code="tohoku")


@pytest.mark.parametrize(
    ("actor", "plan", "action", "allowed"),
    [
        (FUKUSHIMA, b_plan("draft"), "submit", True),
        (MIYAGI, b_plan("draft"), "submit", False),
        (KORIYAMA, b_plan("draft"), "submit", False),
        (REVIEWER, b_plan("draft"), "submit", False),
        (ADMIN, b_plan("draft"), "submit", False),
        (FUKUSHIMA, b_plan("returned"), "submit", True),
        (FUKUSHIMA, b_plan("submitted"), "withdraw", True),
        (REVIEWER, b_plan("submitted"), "start_review", True),
        (TOHOKU, b_plan("submitted"), "start_review", True),
        (KANTO, b_plan("submitted"), "start_review", False),
        (FUKUSHIMA, b_plan("submitted"), "start_review", False),
        (REVIEWER, b_plan("under_review"), "approve", True),
        (TOHOKU, b_plan("under_review"), "return", True),
        (FUKUSHIMA, b_plan("under_review"), "approve", False),
        (REVIEWER, b_plan("submitted"), "approve", False),
        (FUKUSHIMA, b_plan("approved"), "start_monitoring", True),
        (REVIEWER, b_plan("approved"), "start_monitoring", True),
        (MIYAGI, b_plan("approved"), "start_monitoring", False),
        (REVIEWER, b_plan("monitoring"), "close", True),
        (FUKUSHIMA, b_plan("monitoring"), "close", False),
        (KORIYAMA, c_plan("draft"), "submit", True),
        (IWAKI, c_plan("draft"), "submit", False),
        (FUKUSHIMA, c_plan("draft"), "submit", False),
        (TOHOKU, c_plan("submitted"), "start_review", True),
        (TOHOKU, a_plan("draft"), "submit", True),
        (KANTO, a_plan("draft"), "submit", False),
        (TOHOKU, a_plan("under_review"), "approve", False),
        (REVIEWER, a_plan("under_review"), "approve", True),
        (REVIEWER, b_plan("closed"), "approve", False),
    ],
)
def test_transition_allowed_per_role_and_scope(actor: ActorRef, plan: P, action: str, allowed: bool) -> None:
    decision = can_transition(actor, plan, action)
    assert bool(decision) is allowed
    assert (decision.reason == "") is allowed


def test_refused_transition_explains_in_japanese() -> None:
    d = can_transition(MIYAGI, b_plan("draft"), "submit")
    assert "福島県の職員だけ" in d.reason
    d = can_transition(REVIEWER, b_plan("draft"), "approve")
    assert "審査中" in d.reason and "作成中" in d.reason
    d = can_transition(TOHOKU, a_plan("under_review"), "approve")
    assert "国の審査担当だけ" in d.reason
    assert "ありません" in can_transition(REVIEWER, b_plan("draft"), "explode").reason


def test_transition_table_is_a_path_from_draft_to_closed() -> None:
    state, path = "draft", []
    for action in ("submit", "start_review", "approve", "start_monitoring", "close"):
        assert state in TRANSITIONS[action].sources
        state = TRANSITIONS[action].target
        path.append(state)
    assert path == ["submitted", "under_review", "approved", "monitoring", "closed"]
    assert TRANSITIONS["return"].target == "returned" and "returned" in TRANSITIONS["submit"].sources


def test_edit_only_by_owner_in_draft_or_returned() -> None:
    assert can_edit(FUKUSHIMA, b_plan("draft"))
    assert can_edit(FUKUSHIMA, b_plan("returned"))
    assert not can_edit(FUKUSHIMA, b_plan("submitted"))
    assert not can_edit(MIYAGI, b_plan("draft"))
    assert not can_edit(REVIEWER, b_plan("draft"))


def test_actuals_reported_by_owner_after_approval() -> None:
    assert can_report(FUKUSHIMA, b_plan("monitoring"))
    assert not can_report(FUKUSHIMA, b_plan("draft"))
    assert not can_report(REVIEWER, b_plan("monitoring"))


def test_view_scopes() -> None:
    assert can_view(REVIEWER, c_plan("draft")) and can_view(ADMIN, a_plan("draft"))
    assert can_view(TOHOKU, c_plan("draft")) and not can_view(KANTO, c_plan("draft"))
    assert can_view(FUKUSHIMA, c_plan("draft")) and not can_view(MIYAGI, b_plan("draft"))
    assert can_view(MIYAGI, a_plan("draft"))  # their block's A plan
    assert can_view(KORIYAMA, c_plan("draft")) and not can_view(IWAKI, c_plan("draft"))
    assert not can_view(KORIYAMA, b_plan("draft"))


def test_candidate_projects_only_from_the_blocks_prefectures() -> None:
    assert can_submit_candidate(MIYAGI, a_plan("draft"), "04")
    assert not can_submit_candidate(MIYAGI, a_plan("draft"), "07")
    assert not can_submit_candidate(ActorRef("t", "prefecture", prefecture_code="13"), a_plan("draft"), "13")
    assert not can_submit_candidate(MIYAGI, a_plan("approved"), "04")
    assert not can_submit_candidate(FUKUSHIMA, b_plan("draft"), "07")


def test_available_actions() -> None:
    assert available_actions(FUKUSHIMA, b_plan("draft")) == ["submit"]
    assert available_actions(REVIEWER, b_plan("under_review")) == ["approve", "return"]
