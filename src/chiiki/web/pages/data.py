"""データ: upload the companies and transactions tables (CSV / Excel / Parquet) with a progress
indicator, the validation report with row-level errors, and the registered data-set versions
(issue #7 §2; SPEC §2). Uploading is for administrators and prefecture staff; everyone sees versions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.services.access import dataset_names, require_role
from chiiki.services.datasets import choose_dataset, dataset_label, dataset_versions, retire_dataset
from chiiki.services.jobs_view import job_for
from chiiki.services.uploads import UploadError, outcome_of, upload_dataset
from chiiki.store.errors import InvalidInputError
from chiiki.web.pages.common import flash, redirect, render, safe_next

router = APIRouter(include_in_schema=False)

SEVERITY_LABELS = {"error": "エラー", "warning": "警告"}


def _page(request: Request, principal, state, db, *, outcome=None, error=None, status_code=200) -> Response:  # noqa: ANN001
    return render(
        request, "data.html", principal, nav="data", versions=dataset_versions(db, principal),
        dataset_labels=[dataset_label(n) for n in dataset_names(principal)], max_mb=state.web.max_upload_mb,
        outcome=outcome, error=error, problems=outcome.problems.to_dicts() if outcome else [],
        severity_labels=SEVERITY_LABELS, status_code=status_code,
    )  # fmt: skip


@router.get("/data")
def data_page(
    request: Request, principal: PageUser, state: State, db: Db, job: int | None = None
) -> Response:
    """The data page; with ``job``, the report of that finished upload (its uploader only)."""
    if job is None:
        return _page(request, principal, state, db)
    try:
        outcome = outcome_of(job_for(db, principal, job, finished=False))
    except UploadError as exc:
        return _page(request, principal, state, db, error=str(exc), status_code=422)
    return _page(request, principal, state, db, outcome=outcome, status_code=200 if outcome.ok else 422)


@router.post("/data/upload", dependencies=[Csrf])
async def data_upload(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    form = await request.form()
    companies, transactions = form.get("companies"), form.get("transactions")
    if (
        not isinstance(companies, UploadFile)
        or not isinstance(transactions, UploadFile)
        or not (companies.filename and transactions.filename)
    ):
        return _page(
            request,
            principal,
            state,
            db,
            error="企業の表と取引の表の両方のファイルを選んでください。",
            status_code=422,
        )
    try:
        job_id, outcome = await run_in_threadpool(  # it waits for the job: never on the event loop
            upload_dataset, state, db, principal, companies=companies, transactions=transactions
        )
    except UploadError as exc:
        return _page(request, principal, state, db, error=str(exc), status_code=422)
    if outcome is None:  # still running: follow its progress
        return redirect(f"/jobs/{job_id}")
    return _page(request, principal, state, db, outcome=outcome, status_code=200 if outcome.ok else 422)


@router.post("/data/choose", dependencies=[Csrf])
async def data_choose(request: Request, principal: PageUser, db: Db) -> Response:
    """Choose the data the user's analyses read from now on (issue #11 §2)."""
    form = await request.form()
    raw = str(form.get("dataset_id") or "")
    if not raw.isdigit():
        raise InvalidInputError("使うデータセットを選んでください。")
    ref = choose_dataset(db, principal, int(raw))
    flash(request, f"分析に使うデータを「{dataset_label(ref.name)} {ref.label.split(' ')[-1]}」にしました。")
    return redirect(safe_next(str(form.get("next") or "/data")))


@router.post("/data/{dataset_id}/retire", dependencies=[Csrf])
def data_retire(request: Request, principal: PageUser, db: Db, dataset_id: int) -> Response:
    """Retire a version: kept for audit and for plans that pinned it, hidden from choice."""
    row = retire_dataset(db, principal, dataset_id)
    flash(
        request,
        f"「{dataset_label(row.name)} {row.version}」を使わないデータにしました（記録と計画の根拠としては残ります）。",
    )
    return redirect("/data")
