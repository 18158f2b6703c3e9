"""Uploading a firm data set from the browser or the API (SPEC §2; issue #7 §2 データ, issue #15 §2).

The two files are written to a private folder under the data directory and handed to a background
job (:mod:`chiiki.services.jobs`) that validates them by
:func:`chiiki.data.validation.validate_directory` and, when there is no error, imports them as the
next version, registers it in the store (:func:`chiiki.store.datasets.import_and_register`: files and
registry row all-or-nothing, audited there) and builds its analyses. The request waits for the job
a few seconds; a longer import shows its progress on the job's page. The files come as any object with a
``filename`` and a binary ``file`` (a web form's or the API's upload alike).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl
from sqlalchemy.orm import Session

from chiiki.data.locks import ImportBusyError
from chiiki.data.readers import DataReadError
from chiiki.data.validation import PROBLEM_SCHEMA, validate_directory
from chiiki.services.access import Principal, upload_dataset_name
from chiiki.services.analysis_files import build_analyses
from chiiki.services.jobs import JobContext, create_job, job_kind, wait_for
from chiiki.services.state import AppState
from chiiki.store.audit import to_jsonable as audit_json
from chiiki.store.datasets import import_and_register
from chiiki.store.models import Job

UPLOAD_JOB = "upload"
IMPORT_WAIT_S = 3600
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")
MAX_PROBLEMS_SHOWN = 500


class IncomingFile(Protocol):
    """An uploaded file: its name as the user's computer gave it and its bytes."""

    filename: str | None
    file: BinaryIO


class UploadError(ValueError):
    """An upload that cannot even be validated (wrong file type, too large); Japanese message."""


@dataclass(frozen=True)
class UploadOutcome:
    ok: bool
    summary: str
    problems: pl.DataFrame
    """``severity, file, row, column, value, code, message`` (first MAX_PROBLEMS_SHOWN rows)."""
    n_problems: int
    version: str | None = None


def _suffix(upload: IncomingFile, table: str) -> str:
    name = (upload.filename or "").lower()
    suffix = Path(name).suffix
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(
            f"{table} のファイル「{upload.filename or '（名前なし）'}」の形式は使えません。"
            "CSV（UTF-8 または Shift_JIS）、Excel（.xlsx）、Parquet のいずれかにしてください。"
        )
    return suffix


def _save(upload: IncomingFile, target: Path, limit: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise UploadError(
                    f"ファイルが大きすぎます（上限 {limit // (1 << 20)} MB）。分割するか Parquet 形式にしてください。"
                )
            out.write(chunk)


UPLOADS = "uploads"
"""Where uploaded files wait for their job, under the data directory."""


def receive_upload(
    state: AppState, *, companies: IncomingFile, transactions: IncomingFile
) -> tuple[Path, dict]:
    """Save the two uploaded files to a private folder of their own; returns it and the user's file
    names (to show instead of the server's paths). Refuses a wrong type or a file over the limit."""
    root = Path(state.settings.data_dir) / UPLOADS
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    limit = state.web.max_upload_mb << 20
    try:
        shown: dict[str, str] = {}
        for upload, table, label in (
            (companies, "companies", "企業（companies）"),
            (transactions, "transactions", "取引（transactions）"),
        ):
            target = tmp / f"{table}{_suffix(upload, label)}"
            _save(upload, target, limit)
            shown[str(target)] = shown[str(tmp / table)] = upload.filename or target.name
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, shown


def start_upload(
    state: AppState, db: Session, principal: Principal, *, companies: IncomingFile, transactions: IncomingFile
) -> int:
    """Receive the files and queue their import as a job (validation, import, analyses); returns
    the job's id. The request's transaction is committed here, so the job row exists for the runner."""
    folder, shown = receive_upload(state, companies=companies, transactions=transactions)
    job = create_job(
        db, kind=UPLOAD_JOB, actor=principal.username,
        params={"folder": str(folder), "data_dir": str(state.settings.data_dir), "shown": shown,
                "name": upload_dataset_name(principal), "actor": principal.username},
    )  # fmt: skip
    db.commit()
    state.runner.enqueue(job.id)
    return job.id


@job_kind(UPLOAD_JOB)
def run_upload(ctx: JobContext) -> dict:
    """The upload job: validate; when clean, import the next version (all or nothing, under the
    data set's lock) and build its analyses. The report either way, as the result."""
    p = ctx.params
    folder = Path(p["folder"])
    shown = p["shown"]
    replacements = [
        *sorted(shown.items(), key=lambda kv: -len(kv[0])),
        (str(folder) + "/", ""),
        (str(folder), "アップロード"),
    ]
    try:
        ctx.progress(0.05, "ファイルを検証しています…")
        try:
            report = validate_directory(folder)
        except DataReadError as exc:
            raise UploadError(_replace_all(str(exc), replacements)) from exc
        problems = report.problems.with_columns(_replace_expr(c, replacements) for c in ("file", "message"))
        listed = records(problems.head(MAX_PROBLEMS_SHOWN))
        view = {"view_url": f"/data?job={ctx.job_id}"}
        if report.has_errors:
            return {
                "ok": False,
                "summary": report.summary(),
                "problems": listed,
                "n_problems": problems.height,
                **view,
            }
        ctx.progress(0.3, "検証を通りました。新しい版として取り込んでいます…")
        try:
            row = import_and_register(ctx.engine, folder, Path(p["data_dir"]), name=p["name"], actor=p["actor"],
                                      wait_s=IMPORT_WAIT_S)  # fmt: skip
        except ImportBusyError as exc:
            raise UploadError(str(exc)) from exc
        build_analyses(Path(row.path), progress=lambda f, m: ctx.progress(0.5 + 0.5 * f, m))
        return {"ok": True, "summary": report.summary(), "problems": listed, "n_problems": problems.height,
                "version": row.version, "dataset_id": row.id} | view  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # the uploads folder goes when no other upload waits
            folder.parent.rmdir()


def outcome_of(job: Job) -> UploadOutcome:
    """The upload's report from its finished job (a failed job: an :class:`UploadError`)."""
    if job.state == "failed":
        raise UploadError(job.message)
    r = job.result or {}
    return UploadOutcome(
        bool(r.get("ok")), r.get("summary", ""), pl.DataFrame(r.get("problems") or [], schema=PROBLEM_SCHEMA),
        int(r.get("n_problems", 0)), r.get("version"),
    )  # fmt: skip


def upload_dataset(
    state: AppState, db: Session, principal: Principal, *, companies: IncomingFile, transactions: IncomingFile
) -> tuple[int, UploadOutcome | None]:
    """Start the upload's job and wait for it up to ``upload_wait_s``: the job's id and, when it
    finished in that time, its outcome (else the page follows the job's progress)."""
    job_id = start_upload(state, db, principal, companies=companies, transactions=transactions)
    job = wait_for(state.engine, job_id, timeout_s=state.web.upload_wait_s)
    if job is not None and job.state == "succeeded" and (job.result or {}).get("ok"):
        state.analytics.expire()  # the next request in this worker reads the new data set
    return job_id, (outcome_of(job) if job is not None else None)


def records(frame: pl.DataFrame) -> list[dict]:
    return [{k: audit_json(v) for k, v in row.items()} for row in frame.to_dicts()]


def _replace_all(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def _replace_expr(column: str, replacements: list[tuple[str, str]]) -> pl.Expr:
    expr = pl.col(column)
    for old, new in replacements:
        expr = expr.str.replace_all(old, new, literal=True)
    return expr
