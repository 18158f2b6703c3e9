"""Who may see and do what: roles, scopes and the FastAPI dependencies that enforce them.

This is the one place where role and scope are checked (issue #7 §4); routes and pages declare what
they need with the ``Annotated`` aliases at the bottom and never compare roles themselves.

Scope of firm-level data (SPEC §0): company-level figures of a prefecture are visible only to that
prefecture's staff, its bureau (every prefecture of the METI block) and national reviewers.
Administrators (users, data sets) and municipal staff see aggregates only. Plans: who may see,
edit and move a plan is the workflow's rule (:mod:`chiiki.plans.workflow`, SPEC §6.5); the
``require_plan_*`` functions here apply it so that routes have one place to call.
"""

from __future__ import annotations

from dataclasses import dataclass

from chiiki.plans import workflow
from chiiki.reference import prefecture_block

ROLES = ("admin", "reviewer", "bureau", "prefecture", "municipal")
ROLE_LABELS = workflow.ROLE_LABELS

NATIONAL_DATASET = "default"
"""The national firm data set, imported by administrators (``chiiki import``, the データ page)."""


def prefecture_dataset(prefecture_code: str) -> str:
    """The name of a prefecture's own data set (uploaded by its staff)."""
    return f"pref-{prefecture_code}"


FIRM_ROLES = ("reviewer", "bureau", "prefecture")
"""Roles that may see firm-level figures (each within its scope)."""


@dataclass(frozen=True)
class Principal:
    """An authenticated user as the access rules see it."""

    username: str
    role: str
    prefecture_code: str | None = None
    block_code: str | None = None
    municipality_code: str | None = None
    user_id: int | None = None
    chosen_dataset_id: int | None = None
    """The data-set version the user last chose for their analyses (None: the national one)."""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def home_prefecture(self) -> str | None:
        """The prefecture shown first (the user's own region)."""
        if self.prefecture_code:
            return self.prefecture_code
        if self.municipality_code:
            return self.municipality_code[:2]
        if self.block_code:
            prefs = sorted(p for p, b in prefecture_block().items() if b == self.block_code)
            return prefs[0] if prefs else None
        return None

    def firm_prefectures(self) -> frozenset[str] | None:
        """Prefectures whose firm-level data this user may see; None means all of them."""
        if self.role == "reviewer":
            return None
        if self.role == "bureau" and self.block_code:
            return frozenset(p for p, b in prefecture_block().items() if b == self.block_code)
        if self.role == "prefecture" and self.prefecture_code:
            return frozenset({self.prefecture_code})
        return frozenset()

    def can_see_firms(self, prefecture_code: str | None) -> bool:
        allowed = self.firm_prefectures()
        return allowed is None or (prefecture_code is not None and prefecture_code in allowed)

    @property
    def can_upload_data(self) -> bool:
        return self.role in ("admin", "prefecture")

    @property
    def can_create_plans(self) -> bool:
        return self.role in ("bureau", "prefecture", "municipal")

    @property
    def can_review(self) -> bool:
        return self.role in ("reviewer", "bureau")


class AccessDeniedError(Exception):
    """The user may not see or do this; ``message`` is Japanese and says why."""

    def __init__(self, message: str, *, status_code: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class NotAuthenticatedError(Exception):
    """No valid session or token."""

    def __init__(self, message: str = "ログインが必要です。") -> None:
        super().__init__(message)
        self.message = message


def may_see_firm_figures(principal: Principal, dataset_name: str, prefecture_code: str | None) -> bool:
    """Whether ``principal`` may see firm-level figures of a firm of ``prefecture_code`` taken from
    data set ``dataset_name`` (SPEC §0): the national data set by the firm's prefecture's staff, its
    bureau and national reviewers; a prefecture's own upload by that prefecture's staff alone.
    Administrators and municipal staff are not data roles."""
    if dataset_name == NATIONAL_DATASET:
        return principal.can_see_firms(prefecture_code)
    own = dataset_name.removeprefix("pref-")
    return own != dataset_name and principal.role == "prefecture" and principal.prefecture_code == own


def require_firm_scope(principal: Principal, prefecture_code: str | None) -> None:
    """Raise AccessDeniedError unless ``principal`` may see firm-level data of ``prefecture_code``."""
    if not principal.can_see_firms(prefecture_code):
        if principal.role not in FIRM_ROLES:
            raise AccessDeniedError(
                f"{principal.role_label}の権限では企業別のデータは表示できません（集計値のみ閲覧できます）。"
            )
        raise AccessDeniedError(
            f"{workflow.prefecture_name(prefecture_code)}の企業別データを閲覧する権限がありません。"
            "担当地域の企業のみ表示できます。"
        )


def require_role(principal: Principal, *roles: str, action: str) -> None:
    if principal.role not in roles:
        labels = "・".join(ROLE_LABELS[r] for r in roles)
        raise AccessDeniedError(f"{action}は{labels}のみ行えます（あなたの権限: {principal.role_label}）。")


def _require(decision: workflow.Decision) -> None:
    if not decision:
        raise AccessDeniedError(decision.reason)


def require_plan_view(principal: Principal, plan: workflow.PlanLike) -> None:
    """Raise AccessDeniedError (404-like message avoided: the plan's existence is not secret) unless the
    user may see ``plan``."""
    _require(workflow.can_view(principal, plan))


def require_plan_edit(principal: Principal, plan: workflow.PlanLike) -> None:
    _require(workflow.can_edit(principal, plan))


def require_plan_transition(principal: Principal, plan: workflow.PlanLike, action: str) -> None:
    _require(workflow.can_transition(principal, plan, action))


def require_plan_review(principal: Principal, plan: workflow.PlanLike) -> None:
    _require(workflow.reviews(principal, plan))


def require_plan_report(principal: Principal, plan: workflow.PlanLike) -> None:
    _require(workflow.can_report(principal, plan))


def dataset_names(principal: Principal) -> tuple[str, ...]:
    """The data sets a user may choose for their analyses, the national one first. Firm data is
    licensed per buyer (SPEC §0): a prefecture's own upload serves its staff and its municipalities
    only."""
    if principal.role in ("prefecture", "municipal") and principal.home_prefecture:
        return (NATIONAL_DATASET, prefecture_dataset(principal.home_prefecture))
    return (NATIONAL_DATASET,)


def upload_dataset_name(principal: Principal) -> str:
    """Where an upload goes: administrators replace the national data set, prefecture staff their
    prefecture's own (never the data every other user reads)."""
    if principal.role == "prefecture" and principal.prefecture_code:
        return prefecture_dataset(principal.prefecture_code)
    return NATIONAL_DATASET
