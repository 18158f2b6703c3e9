"""処理の状況 (issue #15 §2): a background job's progress, followed by the page until it ends, and
the download of an export it made. Only the person who started a job sees it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from chiiki.http.deps import Db, PageUser
from chiiki.services.exports import check_download
from chiiki.services.jobs_view import job_for, job_view
from chiiki.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/jobs/{job_id}")
def job_page(request: Request, principal: PageUser, db: Db, job_id: int) -> Response:
    job = job_for(db, principal, job_id)
    return render(request, "job.html", principal, nav="", job=job_view(job))


@router.get("/jobs/{job_id}/download")
def job_download(principal: PageUser, db: Db, job_id: int) -> Response:
    job = job_for(db, principal, job_id, finished=True)
    result = job.result or {}
    check_download(principal, result)
    return FileResponse(
        Path(result["path"]), filename=result["filename"], media_type=result.get("media_type")
    )
