"""お知らせ (issue #12 §6): the user's in-app notices — a plan submitted to its reviewers, returned to
its authors with the reason, approved — newest first, times in JST; mark one or all read (audited).
The layout's bell shows the unread count (:func:`chiiki.web.pages.common.unread_notices`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser
from chiiki.store.notifications import KIND_LABELS, mark_read, notifications_of
from chiiki.web.pages.common import flash, redirect, render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/notifications")
def notifications_page(request: Request, principal: PageUser, db: Db) -> Response:
    rows = notifications_of(db, principal.user_id) if principal.user_id is not None else []
    return render(
        request, "notifications.html", principal, nav="notifications", rows=rows, kind_labels=KIND_LABELS
    )


@router.post("/notifications/read", dependencies=[Csrf])
async def notifications_read(request: Request, principal: PageUser, db: Db) -> Response:
    """Mark one notice (``id``) or all of the user's notices read; with ``next``, go there after."""
    form = await request.form()
    raw = str(form.get("id") or "").strip()
    ids = [int(raw)] if raw.isdigit() else None
    if principal.user_id is not None:
        n = mark_read(db, principal.user_id, actor=principal.username, ids=ids)
        if ids is None:
            flash(request, f"お知らせ {n} 件を既読にしました。")
    return redirect(safe_next(str(form.get("next") or "/notifications")))
