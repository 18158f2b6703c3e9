"""ログイン・ログアウト (session cookie login, issue #7 §2, §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, MaybePageUser, State
from chiiki.services.login import BAD_LOGIN, authenticate
from chiiki.services.security import new_csrf_token
from chiiki.web.pages.common import redirect, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, principal: MaybePageUser, next: str = "/") -> Response:
    if principal is not None:
        return redirect(_safe_next(next))
    return render(request, "login.html", None, next=_safe_next(next))


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    state: State,
    db: Db,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    client = request.client.host if request.client else "unknown"
    principal = authenticate(state, db, username, password, client=client)
    if principal is None:
        return render(
            request,
            "login.html",
            None,
            error=BAD_LOGIN,
            username=username,
            next=_safe_next(next),
            status_code=401,
        )
    request.session.clear()  # a fresh session at login (no fixation)
    request.session.update({"uid": principal.username, "csrf": new_csrf_token()})
    return redirect(_safe_next(next))


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/login")
