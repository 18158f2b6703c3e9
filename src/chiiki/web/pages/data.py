"""データ: upload the companies and transactions tables (CSV / Excel / Parquet) with a progress
indicator, the validation report with row-level errors, and the registered data-set versions
(issue #7 §2; SPEC §2). Uploading is for administrators and prefecture staff; everyone sees versions.

The mapping step (issue #11 §1): when a header cannot be placed, a workbook has several sheets or
the file holds firms of other prefectures, the upload stops at ``/data/upload/{token}`` before any
import: a preview of the first rows, a select per column, the unit and sheet choices and the
prefectures of the firms. Templates to fill in: ``/data/templates/{file}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from chiiki.data.headers import UNIT_CHOICES
from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.services.access import dataset_names, require_role
from chiiki.services.datasets import choose_dataset, dataset_label, dataset_versions, retire_dataset
from chiiki.services.jobs_view import job_for
from chiiki.services.uploads import (
    UploadError,
    begin_upload,
    cancel_upload,
    confirm_upload,
    outcome_of,
    review_upload,
)
from chiiki.store.errors import InvalidInputError, NotFoundError
from chiiki.web.pages.common import flash, redirect, render, safe_next

router = APIRouter(include_in_schema=False)

SEVERITY_LABELS = {"error": "エラー", "warning": "警告"}


def _templates() -> list[dict]:
    from chiiki.data.templates import LABELS, TEMPLATES  # noqa: PLC0415

    return [{"file": f, "table": c.label, "kind": LABELS[k]} for f, (c, k) in TEMPLATES.items()]


def _page(
    request: Request, principal, state, db, *, outcome=None, error=None, preview=None, status_code=200
) -> Response:  # noqa: ANN001, E501
    return render(
        request, "data.html", principal, nav="data", versions=dataset_versions(db, principal),
        dataset_labels=[dataset_label(n) for n in dataset_names(principal)], max_mb=state.web.max_upload_mb,
        outcome=outcome, error=error, problems=outcome.problems.to_dicts() if outcome else [],
        severity_labels=SEVERITY_LABELS, status_code=status_code, preview=preview, templates=_templates(),
        units=UNIT_CHOICES,
    )  # fmt: skip


def _after_upload(request: Request, principal, state, db, job_id, outcome) -> Response:  # noqa: ANN001
    if outcome is None:  # still running: follow its progress
        return redirect(f"/jobs/{job_id}")
    return _page(request, principal, state, db, outcome=outcome, status_code=200 if outcome.ok else 422)


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
    unit = str(form.get("unit") or "") or None
    if unit is not None and unit not in UNIT_CHOICES:
        return _page(request, principal, state, db, error="金額の単位を選び直してください。", status_code=422)
    try:
        job_id, outcome, preview = await run_in_threadpool(  # it waits for the job: never on the event loop
            begin_upload, state, db, principal, companies=companies, transactions=transactions, unit=unit
        )
    except UploadError as exc:
        return _page(request, principal, state, db, error=str(exc), status_code=422)
    if preview is not None:  # the mapping step: the files wait, nothing is imported yet
        return redirect(f"/data/upload/{preview.token}")
    return _after_upload(request, principal, state, db, job_id, outcome)


@router.get("/data/upload/{token}")
def data_mapping(request: Request, principal: PageUser, state: State, db: Db, token: str) -> Response:
    """The mapping step of uploaded files that wait (preview, a column per header, unit, sheet)."""
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    try:
        preview = review_upload(state, db, principal, token)
    except UploadError as exc:
        return _page(request, principal, state, db, error=str(exc), status_code=404)
    return _page(request, principal, state, db, preview=preview)


@router.post("/data/upload/{token}", dependencies=[Csrf])
async def data_mapping_confirm(
    request: Request, principal: PageUser, state: State, db: Db, token: str
) -> Response:
    """Import the waiting files with the user's choices; the mapping is remembered for next time."""
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        job_id, outcome, preview = await run_in_threadpool(confirm_upload, state, db, principal, token, form)
    except UploadError as exc:
        return _page(request, principal, state, db, error=str(exc), status_code=422)
    if preview is not None:
        return _page(
            request, principal, state, db, preview=preview, status_code=422,
            error="まだ列が決まっていない見出しか、足りない必須の列があります。下の表で選んでください。",
        )  # fmt: skip
    return _after_upload(request, principal, state, db, job_id, outcome)


@router.post("/data/upload/{token}/cancel", dependencies=[Csrf])
def data_mapping_cancel(request: Request, principal: PageUser, state: State, token: str) -> Response:
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    try:
        cancel_upload(state, principal, token)
    except UploadError as exc:
        flash(request, str(exc))
        return redirect("/data")
    flash(request, "アップロードを取り消しました（何も取り込んでいません）。")
    return redirect("/data")


@router.get("/data/templates/{filename}")
def data_template(principal: PageUser, filename: str) -> Response:
    """A template to fill in (Excel with instructions and data validation, or CSV)."""
    from chiiki.data.templates import TEMPLATES, template_bytes  # noqa: PLC0415

    if filename not in TEMPLATES:
        raise NotFoundError("そのテンプレートはありません。データのページから選んでください。")
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if filename.endswith(".xlsx")
        else "text/csv"
    )
    return Response(
        template_bytes(filename), media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


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
