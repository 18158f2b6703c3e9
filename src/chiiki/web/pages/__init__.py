"""Server-rendered Japanese pages, one module per page (issue #7 §2)."""

from __future__ import annotations

from fastapi import APIRouter

from chiiki.web.pages import (
    auth,
    bonus,
    dashboard,
    data,
    firms,
    health,
    industry,
    jobs,
    plan_firms,
    plans,
    ripple,
)

PAGE_MODULES = (health, auth, dashboard, firms, industry, ripple, data, jobs, bonus, plan_firms, plans)
"""``bonus`` before ``plans``: ``/plans/bonus`` is not a plan id."""


def build_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in PAGE_MODULES:
        router.include_router(module.router)
    return router
