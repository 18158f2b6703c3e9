"""In-app notifications (issue #12 §6): who hears of a plan's workflow step.

- 提出 (submit): the plan's reviewers — national reviewers, and for B and C plans the bureau of the
  plan's block (:func:`chiiki.plans.workflow.reviews`);
- 差戻し (return): the plan's authors — its own region's staff (:func:`chiiki.plans.workflow.owns`) —
  with the reviewer's reason (the comment of the step and the latest screening's reasons);
- 承認 (approve): the authors.

The one who acted is not told of their own step; inactive users are not told. A notice is marked read
by its own user only. Writes are audited; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.store import audit
from chiiki.store.models import Notification, Plan, User, utcnow

KIND_LABELS = {"submitted": "提出", "returned": "差戻し", "approved": "承認"}


def _users(session: Session, plan: Plan, rule) -> list[User]:  # noqa: ANN001 - a workflow rule
    users = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id))
    return [u for u in users if u.role != "admin" and rule(u, plan)]


def plan_reviewers(session: Session, plan: Plan) -> list[User]:
    return _users(session, plan, workflow.reviews)


def plan_authors(session: Session, plan: Plan) -> list[User]:
    return _users(session, plan, workflow.owns)


def notify(
    session: Session, users: list[User], *, plan: Plan | None, kind: str, title: str, body: str, link: str,
    actor: str,
) -> list[Notification]:  # fmt: skip
    """One notice per user in ``users`` except ``actor`` (audited as one ``notify`` row)."""
    rows = [
        Notification(
            user_id=u.id,
            plan_id=plan.id if plan else None,
            kind=kind,
            title=title[:300],
            body=body,
            link=link[:300],
            actor=actor,
        )  # fmt: skip
        for u in users
        if u.username != actor
    ]
    if not rows:
        return []
    session.add_all(rows)
    session.flush()
    audit.record(
        session, actor=actor, action="notify", entity="notification", entity_id=rows[0].id,
        after={"kind": kind, "title": title, "users": [r.user_id for r in rows], "plan_id": plan.id if plan else None},
    )  # fmt: skip
    return rows


def on_transition(
    session: Session, plan: Plan, action: str, *, actor: str, comment: str = ""
) -> list[Notification]:
    """The notices of a workflow step (see the module docstring); other steps notify nobody."""
    link = f"/plans/{plan.id}"
    if action == "submit":
        return notify(
            session, plan_reviewers(session, plan), plan=plan, kind="submitted",
            title=f"計画「{plan.title}」が提出されました", link=link, actor=actor,
            body=f"{actor} さんが提出しました。審査を開始してください。" + (f"コメント: {comment}" if comment else ""),
        )  # fmt: skip
    if action == "return":
        reasons = list(plan.screenings[-1].reasons or []) if plan.screenings else []
        why = comment.strip() or "（コメントはありません）"
        body = f"差戻しの理由: {why}" + (f" 審査の記録: {'、'.join(reasons)}" if reasons else "")
        return notify(
            session, plan_authors(session, plan), plan=plan, kind="returned",
            title=f"計画「{plan.title}」が差し戻されました", body=body + " 内容を直して、もう一度提出してください。",
            link=link, actor=actor,
        )  # fmt: skip
    if action == "approve":
        return notify(
            session, plan_authors(session, plan), plan=plan, kind="approved",
            title=f"計画「{plan.title}」が承認されました",
            body=f"{actor} さんが承認しました。" + (f"コメント: {comment}" if comment else ""), link=link, actor=actor,
        )  # fmt: skip
    return []


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def notifications_of(session: Session, user_id: int, *, limit: int = 200) -> list[Notification]:
    """The user's notices, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user_id: int, *, actor: str, ids: list[int] | None = None) -> int:
    """Mark the user's own notices read (``ids`` None: all of them); returns how many changed."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    changed = session.execute(query.values(read_at=utcnow())).rowcount or 0
    if changed:
        audit.record(
            session, actor=actor, action="mark_read", entity="notification", entity_id=user_id,
            after={"ids": ids, "count": changed},
        )  # fmt: skip
    return changed
