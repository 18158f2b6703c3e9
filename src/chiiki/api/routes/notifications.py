"""The caller's in-app notices (issue #12 §6): a plan submitted to its reviewers, returned to its
authors with the reason, approved; mark read (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db
from chiiki.store.audit import to_jsonable
from chiiki.store.notifications import mark_read, notifications_of, unread_count

router = APIRouter(prefix="/notifications", tags=["お知らせ"], responses={401: {"model": ErrorOut}})


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    link: str
    plan_id: int | None
    actor: str
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(BaseModel):
    unread: int
    items: list[NotificationOut]


class ReadIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        None, max_length=1000, description="既読にするお知らせの ID（省略時はすべて）"
    )


class ReadOut(BaseModel):
    marked: int


@router.get("", response_model=NotificationsOut)
def list_notifications(principal: ApiUser, db: Db) -> NotificationsOut:
    """自分宛てのお知らせ（新しい順）と未読の件数。"""
    uid = principal.user_id or 0
    rows = notifications_of(db, uid)
    return NotificationsOut(
        unread=unread_count(db, uid),
        items=[
            NotificationOut(
                **{
                    k: getattr(r, k)
                    for k in NotificationOut.model_fields
                    if k not in ("created_at", "read_at")
                },
                created_at=to_jsonable(r.created_at),
                read_at=to_jsonable(r.read_at),
            )  # fmt: skip
            for r in rows
        ],
    )


@router.post("/read", response_model=ReadOut)
def read_notifications(principal: ApiUser, db: Db, body: ReadIn) -> ReadOut:
    """自分宛てのお知らせを既読にします。"""
    return ReadOut(marked=mark_read(db, principal.user_id or 0, actor=principal.username, ids=body.ids))
