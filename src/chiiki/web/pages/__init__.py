"""Server-rendered Japanese pages, one module per page (issue #7 §2)."""

from __future__ import annotations

from fastapi import APIRouter

from chiiki.web.pages import (
    admin_users,
    auth,
    dashboard,
    data,
    firms,
    health,
    industry,
    jobs,
    notifications,
    plan_records,
    plans,
    ripple,
)

PAGE_MODULES = (
    health, auth, dashboard, firms, industry, ripple, data, jobs, plans, plan_records, notifications, admin_users,
)  # fmt: skip


def build_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in PAGE_MODULES:
        router.include_router(module.router)
    return router
