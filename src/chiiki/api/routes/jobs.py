"""Background jobs (issue #15 §2): ``GET /api/v1/jobs/{id}`` — state, progress and message of a job
the caller started."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db
from chiiki.services.jobs_view import job_for, job_view

router = APIRouter(
    prefix="/jobs", tags=["処理"], responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
)


class JobOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    progress: float
    message: str
    finished: bool
    created_at: str | None = None
    finished_at: str | None = None
    result: dict | None = None


@router.get("/{job_id}", response_model=JobOut)
def read_job(principal: ApiUser, db: Db, job_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> JobOut:
    """自分が始めた処理の状況（待機中・処理中・完了・失敗、進み具合）。"""
    job = job_for(db, principal, job_id)
    view = job_view(job)
    return JobOut(
        **{k: v for k, v in view.items() if k in JobOut.model_fields},
        result=job.result if job.state == "succeeded" else None,
    )
