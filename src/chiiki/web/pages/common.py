"""Helpers shared by the page modules: rendering with the layout's context and flash messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiiki.services.access import Principal
from chiiki.services.security import new_csrf_token


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
