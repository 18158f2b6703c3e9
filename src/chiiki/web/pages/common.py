"""Helpers shared by the page modules: rendering with the layout's context and flash messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from chiiki.web.access import Principal, dataset_names
from chiiki.web.analytics import Analytics, AnalyticsRegistry
from chiiki.web.deps import AppState
from chiiki.web.security import new_csrf_token


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = new_csrf_token()
    return token


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append({"text": text, "kind": kind})


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
        "nav": nav,
        "csrf_token": csrf_token(request),
        "messages": messages,
        **context,
    }
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


CURRENT_DATASET_MAX_AGE_S = 1.0
"""How long a worker trusts its answer to "which data set is current": an import in this worker
expires it at once (:func:`chiiki.web.uploads.upload_dataset`), other workers and ``chiiki import``
are seen within this time."""


def analytics_for(state: AppState, db: Session, principal: Principal) -> Analytics:
    """The analytics of the data set ``principal``'s analyses read (:func:`chiiki.web.access.dataset_names`:
    the prefecture's own upload, else the national data set), looked up at most every
    :data:`CURRENT_DATASET_MAX_AGE_S`."""
    from chiiki.web.app import current_dataset_ref  # noqa: PLC0415 - import cycle

    names = dataset_names(principal)
    registry: AnalyticsRegistry = state.analytics  # type: ignore[assignment]
    return registry.current(
        names,
        lambda: current_dataset_ref(db, state.settings.data_dir, names),
        max_age_s=CURRENT_DATASET_MAX_AGE_S,
    )
