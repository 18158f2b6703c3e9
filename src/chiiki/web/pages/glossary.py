"""用語の説明: every indicator's help text on one page (issue #13 item 6)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import PageUser
from chiiki.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/help")
def help_page(request: Request, principal: PageUser) -> Response:
    return render(request, "help.html", principal, nav="help")
