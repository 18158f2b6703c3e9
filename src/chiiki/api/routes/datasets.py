"""Firm data sets (SPEC §2): ``POST /api/v1/datasets`` uploads and imports, ``GET`` lists versions."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chiiki.api.schemas import ErrorOut
from chiiki.data.headers import UNIT_CHOICES, IntakeOptions, check_mapping
from chiiki.http.deps import ApiUser, Db, State
from chiiki.services.access import require_role
from chiiki.services.datasets import dataset_versions
from chiiki.services.uploads import UploadError, upload_dataset

router = APIRouter(
    prefix="/datasets", tags=["データ"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)


class DatasetVersionOut(BaseModel):
    id: int
    name: str
    label: str
    version: str
    is_current: bool
    created_at: str | None = None
    actor: str | None = None
    counts: dict = {}
    years: list[int] = []


class ImportOut(BaseModel):
    ok: bool
    detail: str
    version: str | None
    summary: str
    n_problems: int
    problems: list[dict]


@router.get("", response_model=list[DatasetVersionOut])
def list_datasets(principal: ApiUser, db: Db) -> list[dict]:
    """取り込まれたデータセットの版の一覧（新しい順）。"""
    return dataset_versions(db, principal)


class JobStartedOut(BaseModel):
    job_id: int
    detail: str
    status_url: str


def _options(columns: str | None, unit: str | None, sheet: str | None) -> IntakeOptions:
    """The upload's reading options from its form fields; 422 with a Japanese message when wrong."""
    mapping: dict = {}
    if columns:
        try:
            mapping = json.loads(columns)
        except json.JSONDecodeError as exc:
            raise HTTPException(422, f"columns は JSON で指定してください（{exc.msg}）。") from exc
        if not isinstance(mapping, dict):
            raise HTTPException(422, 'columns は {"見出し": "列名"} の形の JSON にしてください。')
        mapping = {str(k): (None if v is None else str(v)) for k, v in mapping.items()}
        if bad := check_mapping(mapping):
            raise HTTPException(422, " / ".join(bad))
    if unit and unit not in UNIT_CHOICES:
        raise HTTPException(422, f"unit は {'・'.join(UNIT_CHOICES)} のいずれかです。")
    return IntakeOptions(mapping, unit or None, {"*": sheet} if sheet else {})


@router.post(
    "",
    response_model=ImportOut,
    status_code=201,
    responses={
        422: {"model": ImportOut},
        202: {"model": JobStartedOut},
        400: {"model": ErrorOut, "description": "マルチパートの本文が壊れている"},
    },
)
def create_dataset(
    principal: ApiUser,
    state: State,
    db: Db,
    companies: Annotated[UploadFile, File(description="企業の表（CSV / Excel / Parquet）")],
    transactions: Annotated[UploadFile, File(description="取引の表（CSV / Excel / Parquet）")],
    columns: Annotated[
        str | None,
        Form(
            description='見出しと列の対応（JSON: {"見出し": "列名"}、null でその列を使わない）。日本語の見出しの多くは自動で対応します。'
        ),
    ] = None,
    unit: Annotated[
        str | None, Form(description="金額の単位（円・千円・百万円）。千円に換算します。")
    ] = None,
    sheet: Annotated[str | None, Form(description="Excel ブックのシート名（両方の表に）")] = None,
) -> JSONResponse:
    """企業・取引の表をアップロードし、検証してエラーがなければ新しい版として取り込みます（全件か無か）。

    時間のかかる取り込みは 202 と処理 ID を返します。状況は GET /api/v1/jobs/{job_id} で確認できます。"""
    require_role(principal, "admin", "prefecture", action="データの取り込み")
    options = _options(columns, unit, sheet)
    try:
        job_id, outcome = upload_dataset(
            state, db, principal, companies=companies, transactions=transactions, options=options
        )
    except UploadError as exc:
        raise HTTPException(422, str(exc)) from exc
    if outcome is None:
        started = JobStartedOut(
            job_id=job_id, detail="取り込みを続けています。状況は status_url で確認できます。",
            status_url=f"/api/v1/jobs/{job_id}",
        )  # fmt: skip
        return JSONResponse(started.model_dump(), status_code=202)
    detail = (
        f"取り込みました（版 {outcome.version}）。{outcome.summary}"
        if outcome.ok
        else f"エラーがあるため取り込みませんでした（何も書き込んでいません）。{outcome.summary}。problems の行・列を直してください。"
    )
    body = ImportOut(
        ok=outcome.ok,
        detail=detail,
        version=outcome.version,
        summary=outcome.summary,
        n_problems=outcome.n_problems,
        problems=outcome.problems.to_dicts(),
    )
    return JSONResponse(body.model_dump(), status_code=201 if outcome.ok else 422)
