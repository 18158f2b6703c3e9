"""データ: upload the companies and transactions tables (CSV / Excel / Parquet) with a progress
indicator, the validation report with row-level errors, and the registered data-set versions
(issue #7 §2; SPEC §2). Uploading is for administrators and prefecture staff; everyone sees versions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.services.access import dataset_names, require_role
from chiiki.services.datasets import dataset_label, dataset_versions
from chiiki.services.uploads import UploadError, upload_dataset
from chiiki.web.pages.common import render

router = APIRouter(include_in_schema=False)

SEVERITY_LABELS = {"error": "エラー", "warning": "警告"}


@router.get("/data")
def data_page(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    return render(
        request, "data.html", principal, nav="data", versions=dataset_versions(db, principal), dataset_labels=[dataset_label(n) for n in dataset_names(principal)],
        max_mb=state.web.max_upload_mb, outcome=None,
    )  # fmt: skip


@router.post("/data/upload", dependencies=[Csrf])
async def data_upload(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    form = await request.form()
    companies, transactions = form.get("companies"), form.get("transactions")
    error = None
    outcome = None
    if (
        not isinstance(companies, UploadFile)
        or not isinstance(transactions, UploadFile)
        or not (companies.filename and transactions.filename)
    ):
        error = "企業の表と取引の表の両方のファイルを選んでください。"
    else:
        try:
            outcome = upload_dataset(state, db, principal, companies=companies, transactions=transactions)
        except UploadError as exc:
            error = str(exc)
    status = 200 if outcome is not None and outcome.ok else 422
    return render(
        request, "data.html", principal, nav="data", versions=dataset_versions(db, principal), dataset_labels=[dataset_label(n) for n in dataset_names(principal)], max_mb=state.web.max_upload_mb,
        outcome=outcome, error=error, problems=outcome.problems.to_dicts() if outcome else [],
        severity_labels=SEVERITY_LABELS, status_code=status,
    )  # fmt: skip
