"""Health and readiness for load balancers and process managers (issue #15 §6): ``/healthz`` answers
while the process runs; ``/readyz`` only when the database answers and its schema is the one this
version of the app expects."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chiiki.http.deps import State
from chiiki.store.migrate import current_revision, head_revision

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(state: State) -> JSONResponse:
    try:
        revision = current_revision(state.engine)
    except Exception as exc:  # noqa: BLE001 - any database failure means not ready
        return JSONResponse(
            {"status": "unavailable", "detail": f"データベースに接続できません（{type(exc).__name__}）"},
            status_code=503,
        )
    if revision != head_revision():
        return JSONResponse(
            {
                "status": "unavailable",
                "detail": "データベースの構造が古いままです（chiiki db upgrade を実行してください）",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "revision": revision})
