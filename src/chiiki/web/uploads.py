"""Uploading a firm data set from the browser or the API (SPEC §2; issue #7 §2 データ).

The two files are written to a private temporary directory under the data directory, validated by
:func:`chiiki.data.validation.validate_directory` and, when there is no error, imported as the next
version by :func:`chiiki.data.datasets.import_dataset` (all-or-nothing). The import is audited.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from fastapi import UploadFile
from sqlalchemy.orm import Session

from chiiki.data.datasets import import_dataset, list_versions
from chiiki.data.readers import DataReadError
from chiiki.data.validation import validate_directory
from chiiki.store import audit
from chiiki.web.access import Principal
from chiiki.web.deps import AppState

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")
MAX_PROBLEMS_SHOWN = 500


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


def _suffix(upload: UploadFile, table: str) -> str:
    name = (upload.filename or "").lower()
    suffix = Path(name).suffix
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(
            f"{table} のファイル「{upload.filename or '（名前なし）'}」の形式は使えません。"
            "CSV（UTF-8 または Shift_JIS）、Excel（.xlsx）、Parquet のいずれかにしてください。"
        )
    return suffix


def _save(upload: UploadFile, target: Path, limit: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise UploadError(
                    f"ファイルが大きすぎます（上限 {limit // (1 << 20)} MB）。分割するか Parquet 形式にしてください。"
                )
            out.write(chunk)


def upload_dataset(
    state: AppState, db: Session, principal: Principal, *, companies: UploadFile, transactions: UploadFile
) -> UploadOutcome:
    """Validate and, when clean, import the uploaded tables; the report either way."""
    data_dir = Path(state.settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    limit = state.web.max_upload_mb << 20
    tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=data_dir))
    try:
        _save(companies, tmp / f"companies{_suffix(companies, '企業（companies）')}", limit)
        _save(transactions, tmp / f"transactions{_suffix(transactions, '取引（transactions）')}", limit)
        try:
            report = validate_directory(tmp)
        except DataReadError as exc:
            raise UploadError(str(exc).replace(str(tmp) + "/", "").replace(str(tmp), "アップロード")) from exc
        problems = report.problems.with_columns(
            pl.col("message").str.replace_all(str(tmp) + "/", "", literal=True)
        )
        if report.has_errors:
            return UploadOutcome(False, report.summary(), problems.head(MAX_PROBLEMS_SHOWN), problems.height)
        result = import_dataset(tmp, data_dir, actor=principal.username)
        audit.record(
            db, actor=principal.username, action="import", entity="dataset", entity_id=result.version,
            after={"version": result.version, "counts": report.counts, "files": [companies.filename, transactions.filename]},
        )  # fmt: skip
        return UploadOutcome(
            True, report.summary(), problems.head(MAX_PROBLEMS_SHOWN), problems.height, result.version
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def dataset_versions(state: AppState) -> list[dict]:
    """Stored versions of the default data set, newest first, with their manifests' counts."""
    import json  # noqa: PLC0415

    from chiiki.data.datasets import current_version, dataset_root  # noqa: PLC0415

    data_dir = Path(state.settings.data_dir)
    current = current_version(data_dir)
    out = []
    for v in reversed(list_versions(data_dir)):
        manifest_path = dataset_root(data_dir, "default") / v / "chiiki-manifest.json"
        manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
        out.append({
            "version": v, "is_current": v == current, "created_at": manifest.get("created_at"),
            "actor": manifest.get("actor"), "counts": manifest.get("counts", {}), "years": manifest.get("years", []),
        })  # fmt: skip
    return out
