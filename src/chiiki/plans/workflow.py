"""Plan workflow (SPEC §6.5): states, transitions and who may make each one.

States: draft → submitted → under_review → approved | returned → monitoring → closed; a returned plan
is revised and submitted again. The transition table below says which roles may take each action;
scope then narrows it: the owner's staff act only on their own region's plans (a bureau on its block's
A plan, prefecture staff on their prefecture's plans, municipal staff on their municipality's),
and review actions on B and C plans may be taken by national reviewers or by the bureau of the block
the plan lies in, while A plans are decided by national reviewers only (the nation decides, seed).
Administrators manage users and data, not plan decisions.

The actor and the plan are plain objects with attributes (``role``, ``prefecture_code``,
``block_code``, ``municipality_code``; plan: ``plan_type``, ``owner_level``, ``state`` and its codes),
so both store rows and the web shell's principals fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chiiki.plans.labels import PLAN_TYPE_LABELS, STATE_LABELS
from chiiki.reference import prefecture_block

ROLE_LABELS = {
    "admin": "システム管理者",
    "reviewer": "国の審査担当",
    "bureau": "経済産業局",
    "prefecture": "都道府県職員",
    "municipal": "市区町村職員",
}


class Actor(Protocol):
    role: str
    prefecture_code: str | None
    block_code: str | None
    municipality_code: str | None


class PlanLike(Protocol):
    plan_type: str
    owner_level: str
    state: str
    prefecture_code: str | None
    block_code: str | None
    municipality_code: str | None


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: str
    """owner: the plan's own region's staff; reviewer: national reviewers (and, for B/C, the bureau
    of the plan's block); owner_or_reviewer: either."""


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", "提出", ("draft", "returned"), "submitted", "owner"),
        Transition("withdraw", "提出取下げ", ("submitted",), "draft", "owner"),
        Transition("start_review", "審査開始", ("submitted",), "under_review", "reviewer"),
        Transition("approve", "承認", ("under_review",), "approved", "reviewer"),
        Transition("return", "差戻し", ("under_review",), "returned", "reviewer"),
        Transition(
            "start_monitoring", "フォローアップ開始", ("approved",), "monitoring", "owner_or_reviewer"
        ),
        Transition("close", "終了", ("monitoring",), "closed", "reviewer"),
    )
}
"""The transition table of SPEC §6.5."""

EDITABLE_STATES = ("draft", "returned")
"""States in which the owner may change a plan's content."""
REPORTING_STATES = ("approved", "monitoring")
"""States in which yearly actuals are reported."""


@dataclass(frozen=True)
class Decision:
    """Whether an action is allowed, and in Japanese why not."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def plan_block(plan: PlanLike) -> str | None:
    """The block a plan lies in (its own block, else its prefecture's)."""
    if plan.block_code:
        return plan.block_code
    pref = plan.prefecture_code or (plan.municipality_code or "")[:2]
    return prefecture_block().get(pref)


def _block_name(code: str | None) -> str:
    from chiiki.reference import blocks

    names = dict(zip(blocks()["block_code"], blocks()["name"], strict=True))
    return f"{names.get(code, code or '—')}ブロック"


def prefecture_name(code: str | None) -> str:
    from chiiki.reference import prefectures

    names = dict(zip(prefectures()["prefecture_code"], prefectures()["name"], strict=True))
    return names.get(code or "", code or "—")


def _muni_name(code: str | None) -> str:
    from chiiki.reference import municipalities

    m = municipalities()
    names = dict(zip(m["municipality_code"], m["name"], strict=True))
    return f"{prefecture_name((code or '')[:2])}{names.get(code or '', code or '—')}"


def _role(actor: Actor) -> str:
    return ROLE_LABELS.get(actor.role, actor.role)


def owns(actor: Actor, plan: PlanLike) -> Decision:
    """Whether ``actor`` is the plan's own region's staff (may draft, edit, submit)."""
    level = plan.owner_level
    if level == "block":
        ok = actor.role == "bureau" and actor.block_code is not None and actor.block_code == plan.block_code
        who = f"{_block_name(plan.block_code)}の経済産業局"
    elif level == "prefecture":
        ok = (
            actor.role == "prefecture"
            and actor.prefecture_code is not None
            and actor.prefecture_code == plan.prefecture_code
        )
        who = f"{prefecture_name(plan.prefecture_code)}の職員"
    else:
        ok = (
            actor.role == "municipal"
            and actor.municipality_code is not None
            and actor.municipality_code == plan.municipality_code
        )
        who = f"{_muni_name(plan.municipality_code)}の職員"
    if ok:
        return Decision(True)
    return Decision(False, f"この計画を作成・編集・提出できるのは{who}だけです（あなた: {_role(actor)}）。")


def reviews(actor: Actor, plan: PlanLike) -> Decision:
    """Whether ``actor`` may take review decisions on ``plan``."""
    if actor.role == "reviewer":
        return Decision(True)
    if plan.plan_type == "A":
        return Decision(False, f"A 計画の審査は国の審査担当だけが行えます（あなた: {_role(actor)}）。")
    if actor.role == "bureau" and actor.block_code is not None and actor.block_code == plan_block(plan):
        return Decision(True)
    return Decision(
        False,
        f"この計画の審査は国の審査担当、または{_block_name(plan_block(plan))}の経済産業局だけが行えます"
        f"（あなた: {_role(actor)}）。",
    )


def can_transition(actor: Actor, plan: PlanLike, action: str) -> Decision:
    """Whether ``actor`` may take ``action`` on ``plan`` now (state, role and scope), with the reason."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        labels = "・".join(t.label for t in TRANSITIONS.values())
        return Decision(False, f"その操作はありません。{labels} のいずれかです。")
    if plan.state not in transition.sources:
        allowed_from = "・".join(STATE_LABELS[s] for s in transition.sources)
        return Decision(
            False,
            f"「{transition.label}」は状態が{allowed_from}の計画にだけ行えます"
            f"（この計画は{STATE_LABELS.get(plan.state, plan.state)}）。",
        )
    if transition.who == "owner":
        return owns(actor, plan)
    if transition.who == "reviewer":
        return reviews(actor, plan)
    by_owner, by_reviewer = owns(actor, plan), reviews(actor, plan)
    if by_owner or by_reviewer:
        return Decision(True)
    return Decision(False, f"{by_owner.reason} また、{by_reviewer.reason}")


def can_edit(actor: Actor, plan: PlanLike) -> Decision:
    """Whether ``actor`` may change the plan's content now (owner, in draft or returned)."""
    owner = owns(actor, plan)
    if not owner:
        return owner
    if plan.state not in EDITABLE_STATES:
        return Decision(
            False,
            f"{STATE_LABELS.get(plan.state, plan.state)}の計画は編集できません。"
            "内容を変えるには、差戻しを受けるか提出を取り下げてください。",
        )
    return Decision(True)


def can_report(actor: Actor, plan: PlanLike) -> Decision:
    """Whether ``actor`` may record yearly actuals (owner, once approved or in monitoring)."""
    owner = owns(actor, plan)
    if not owner:
        return owner
    if plan.state not in REPORTING_STATES:
        return Decision(False, "実績は承認後（承認・フォローアップ中）の計画にだけ登録できます。")
    return Decision(True)


def can_view(actor: Actor, plan: PlanLike) -> Decision:
    """Whether ``actor`` may see the plan: reviewers and administrators all; a bureau its block's; prefecture
    staff their prefecture's and their block's A plan; municipal staff their municipality's."""
    role = actor.role
    ok = (
        role in ("admin", "reviewer")
        or (role == "bureau" and actor.block_code is not None and actor.block_code == plan_block(plan))
        or (
            role == "prefecture"
            and actor.prefecture_code is not None
            and (
                actor.prefecture_code == plan.prefecture_code
                or (
                    plan.owner_level == "block"
                    and prefecture_block().get(actor.prefecture_code) == plan.block_code
                )
            )
        )
        or (
            role == "municipal"
            and actor.municipality_code is not None
            and actor.municipality_code == plan.municipality_code
        )
    )
    return (
        Decision(True)
        if ok
        else Decision(
            False, f"この計画（{PLAN_TYPE_LABELS.get(plan.plan_type, '')}）を閲覧する権限がありません。"
        )
    )


def can_submit_candidate(actor: Actor, plan: PlanLike, prefecture_code: str) -> Decision:
    """Whether ``actor`` may submit a candidate project for prefecture ``prefecture_code`` to A plan ``plan``:
    that prefecture's staff, when the prefecture lies in the plan's block and the plan is editable."""
    if plan.plan_type != "A":
        return Decision(False, "候補プロジェクトは A 計画（戦略産業クラスター計画）にだけ提出できます。")
    if actor.role != "prefecture" or actor.prefecture_code != prefecture_code:
        return Decision(
            False,
            f"{prefecture_name(prefecture_code)}の候補プロジェクトを提出できるのは{prefecture_name(prefecture_code)}の職員だけです。",
        )
    if prefecture_block().get(prefecture_code) != plan.block_code:
        return Decision(
            False,
            f"{prefecture_name(prefecture_code)}はこの A 計画の地域ブロック（{_block_name(plan.block_code)}）に含まれません。",
        )
    if plan.state not in EDITABLE_STATES:
        return Decision(
            False,
            f"{STATE_LABELS.get(plan.state, plan.state)}の A 計画には候補プロジェクトを追加できません。",
        )
    return Decision(True)


def available_actions(actor: Actor, plan: PlanLike) -> list[str]:
    """The actions ``actor`` may take on ``plan`` now."""
    return [a for a in TRANSITIONS if can_transition(actor, plan, a)]


@dataclass(frozen=True)
class ActorRef:
    """Who acts: a username with role and scope (a store ``User`` or the web's principal fits too)."""

    username: str
    role: str
    prefecture_code: str | None = None
    block_code: str | None = None
    municipality_code: str | None = None
