"""Server-rendered Japanese pages, one module per page (issue #7 §2)."""

from __future__ import annotations

from fastapi import APIRouter

from chiiki.web.pages import (
    admin_users,
    auth,
    bonus,
    dashboard,
    data,
    firms,
    glossary,
    health,
    industry,
    io_tables,
    jobs,
    maps,
    network,
    notifications,
    plan_baselines,
    plan_firms,
    plan_records,
    plans,
    regional,
    ripple,
    scenarios,
    trends,
)

PAGE_MODULES = (
    health,
    auth,
    dashboard,
    maps,
    network,
    trends,
    firms,
    industry,
    ripple,
    io_tables,
    regional,
    scenarios,
    data,
    jobs,
    bonus,
    plan_firms,
    plan_baselines,
    plan_records,
    plans,
    notifications,
    admin_users,
    glossary,
)
"""``bonus`` before ``plans``: ``/plans/bonus`` is not a plan id."""


def build_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in PAGE_MODULES:
        router.include_router(module.router)
    return router
