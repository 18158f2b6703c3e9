"""Helpers shared by the page modules: rendering with the layout's context and flash messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from chiiki.services.access import Principal
from chiiki.services.analytics import Analytics
from chiiki.services.datasets import dataset_choices
from chiiki.services.security import new_csrf_token
from chiiki.store.notifications import unread_count


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_csrf_token()
    return token


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append({"text": text, "kind": kind})


def unread_notices(request: Request, principal: Principal | None) -> int:
    """The bell's count in the layout (issue #12 §6): the user's unread notices (one indexed count)."""
    if principal is None or principal.user_id is None:
        return 0
    with request.app.state.chiiki.read_sessions() as db:
        return unread_count(db, principal.user_id)


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    nav: str = "",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    messages = request.session.pop("flash", [])
    ctx = {
        "principal": principal,
        "notice_count": unread_notices(request, principal),
        "nav": nav,
        "csrf_token": csrf_token(request),
        "messages": messages,
        **context,
    }
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)


def safe_next(target: str | None) -> str:
    """Only same-site paths (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def dataset_context(db: Session, principal: Principal, analytics: Analytics) -> dict:
    """The data-set chooser of an analysis page (issue #11 §2): the versions the user may choose,
    the one in use, and a newer version of the same data when there is one."""
    choices = dataset_choices(db, principal)
    ref = analytics.ref
    current = next((c for c in choices if ref is not None and c.id == ref.id), None)
    newer = None
    if current is not None and not current.is_latest:
        newer = next((c for c in choices if c.name == current.name and c.is_latest), None)
    return {"dataset_choices": choices, "dataset_ref_id": ref.id if ref else None, "dataset_newer": newer}
