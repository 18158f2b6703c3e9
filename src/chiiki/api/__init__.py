"""REST API ``/api/v1`` (issue #7 §1): one router module per resource under ``chiiki.api.routes``.

Every route authenticates with a bearer token (``POST /api/v1/auth/token``), checks access through
:mod:`chiiki.services.access` and calls the core; errors are JSON ``{"detail": "<Japanese>", "status": n}``.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

ROUTE_MODULES = (
    "auth",
    "firms",
    "economy",
    "industry",
    "io",
    "io_tables",
    "plan_bonus",
    "plans",
    "plan_review",
    "plan_baselines",
    "plan_records",
    "notifications",
    "datasets",
    "jobs",
)
"""``plan_bonus`` before ``plans``: ``/plans/bonus`` is not a plan id."""


def build_api_router() -> APIRouter:
    router = APIRouter()
    for name in ROUTE_MODULES:
        router.include_router(import_module(f"chiiki.api.routes.{name}").router)
    return router
