"""ログイン・ログアウト (a server-side session behind the signed cookie, issue #7 §2, issue #10 §3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from chiiki.http.deps import SESSION_KEY, Client, Csrf, Db, MaybePageUser, State
from chiiki.services.login import BAD_LOGIN, authenticate, end_login, start_login
from chiiki.services.security import new_csrf_token
from chiiki.web.pages.common import redirect, render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(request: Request, principal: MaybePageUser, next: str = "/") -> Response:
    if principal is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", None, next=safe_next(next))


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    state: State,
    db: Db,
    client: Client,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    principal = authenticate(state, db, username, password, client=client)
    if principal is None:
        return render(
            request,
            "login.html",
            None,
            error=BAD_LOGIN,
            username=username,
            next=safe_next(next),
            status_code=401,
        )
    end_login(db, request.session.get(SESSION_KEY))  # a fresh session at login (no fixation)
    request.session.clear()
    token = start_login(state, db, principal, kind="web", client=client)
    request.session.update({SESSION_KEY: token, "csrf": new_csrf_token()})
    return redirect(safe_next(next))


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, db: Db) -> Response:
    """Ends the session on the server: the old cookie no longer logs anyone in."""
    end_login(db, request.session.get(SESSION_KEY))
    request.session.clear()
    return redirect("/login")
