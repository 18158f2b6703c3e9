"""A job as its owner sees it (pages and API): state in words, progress, message, times in JST, and
where its result is shown or downloaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from chiiki.services.access import AccessDeniedError, Principal
from chiiki.store.errors import NotFoundError
from chiiki.store.models import Job

JST = timezone(timedelta(hours=9), "JST")
STATE_LABELS = {"queued": "待機中", "running": "処理中", "succeeded": "完了", "failed": "失敗"}
KIND_LABELS = {"upload": "企業データの取り込み", "export": "表の書き出し"}


def job_for(db: Session, principal: Principal, job_id: int, *, finished: bool = False) -> Job:
    """Job ``job_id`` of ``principal`` (404 for another's: a job's existence is theirs to know)."""
    job = db.get(Job, job_id)
    if job is None or job.created_by != principal.username:
        raise NotFoundError(f"処理 ID {job_id} は見つかりません（自分が始めた処理だけ表示できます）。")
    if finished and job.state != "succeeded":
        raise AccessDeniedError(
            "この処理はまだ終わっていないか、失敗しました。処理の状況のページを確認してください。",
            status_code=409,
        )
    return job


def jst(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")


def job_view(job: Job) -> dict:
    result = job.result or {}
    return {
        "id": job.id, "kind": job.kind, "kind_label": KIND_LABELS.get(job.kind, job.kind), "state": job.state,
        "state_label": STATE_LABELS[job.state], "progress": round(job.progress, 3), "message": job.message,
        "finished": job.state in ("succeeded", "failed"), "created_at": jst(job.created_at),
        "finished_at": jst(job.finished_at),
        "result_url": result.get("view_url") if job.state == "succeeded" else None,
        "download_url": f"/jobs/{job.id}/download" if job.state == "succeeded" and "path" in result else None,
    }  # fmt: skip
