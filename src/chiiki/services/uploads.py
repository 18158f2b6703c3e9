"""Uploading a firm data set from the browser or the API (SPEC §2; issue #7 §2 データ).

The two files are written to a private temporary directory under the data directory, validated by
:func:`chiiki.data.validation.validate_directory` and, when there is no error, imported as the next
version and registered in the store by :func:`chiiki.store.datasets.import_and_register` (files and
registry row all-or-nothing; the registration is audited there). The files come as any object with a
``filename`` and a binary ``file`` (a web form's or the API's upload alike).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl
from sqlalchemy.orm import Session

from chiiki.data.locks import ImportBusyError
from chiiki.data.readers import DataReadError
from chiiki.data.validation import validate_directory
from chiiki.services.access import Principal, upload_dataset_name
from chiiki.services.state import AppState
from chiiki.store.datasets import import_and_register

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


def upload_dataset(
    state: AppState, db: Session, principal: Principal, *, companies: IncomingFile, transactions: IncomingFile
) -> UploadOutcome:
    """Validate and, when clean, import the uploaded tables; the report either way."""
    data_dir = Path(state.settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    limit = state.web.max_upload_mb << 20
    tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=data_dir))
    try:
        shown: dict[str, str] = {}
        for upload, table, label in (
            (companies, "companies", "企業（companies）"),
            (transactions, "transactions", "取引（transactions）"),
        ):
            target = tmp / f"{table}{_suffix(upload, label)}"
            _save(upload, target, limit)
            shown[str(target)] = shown[str(tmp / table)] = upload.filename or target.name
        # the user's file names instead of the server's temporary paths (longest first)
        replacements = [*sorted(shown.items(), key=lambda kv: -len(kv[0])), (str(tmp) + "/", "")]
        replacements.append((str(tmp), "アップロード"))
        try:
            report = validate_directory(tmp)
        except DataReadError as exc:
            raise UploadError(_replace_all(str(exc), replacements)) from exc
        problems = report.problems.with_columns(_replace_expr(c, replacements) for c in ("file", "message"))
        if report.has_errors:
            return UploadOutcome(False, report.summary(), problems.head(MAX_PROBLEMS_SHOWN), problems.height)
        name = upload_dataset_name(principal)
        db.commit()  # end the request's transaction first: the import registers in its own
        try:
            row = import_and_register(state.sessions, tmp, data_dir, name=name, actor=principal.username)
        except ImportBusyError as exc:
            raise UploadError(str(exc)) from exc
        state.analytics.expire()  # the next request in this worker reads the new data set
        return UploadOutcome(
            True, report.summary(), problems.head(MAX_PROBLEMS_SHOWN), problems.height, row.version
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace_all(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def _replace_expr(column: str, replacements: list[tuple[str, str]]) -> pl.Expr:
    expr = pl.col(column)
    for old, new in replacements:
        expr = expr.str.replace_all(old, new, literal=True)
    return expr
