"""Uploading a firm data set from the browser or the API (SPEC §2; issue #7 §2 データ, issue #15 §2).

The two files are written to a private folder under the data directory and handed to a background
job (:mod:`chiiki.services.jobs`) that validates them by
:func:`chiiki.data.validation.validate_directory` and, when there is no error, imports them as the
next version, registers it in the store (:func:`chiiki.store.datasets.import_and_register`: files and
registry row all-or-nothing, audited there) and builds its analyses. The request waits for the job
a few seconds; a longer import shows its progress on the job's page. The files come as any object with a
``filename`` and a binary ``file`` (a web form's or the API's upload alike).

The web upload has a mapping step (issue #11 §1): :func:`begin_upload` previews the files (first
rows, how the headers were placed by :mod:`chiiki.data.headers` and the user's remembered mapping,
the workbook sheets, the prefectures of the firms) and, when a header cannot be placed, a sheet must
be chosen or the file holds firms of prefectures other than the user's, keeps the files waiting
(``pending.json`` beside them) instead of importing. :func:`confirm_upload` takes the user's choices
(a column per header, the unit, the sheets), remembers the mapping for the user's next upload
(``users.upload_columns``, audited) and queues the same all-or-nothing import job.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl
from sqlalchemy.orm import Session

from chiiki import reference
from chiiki.data.contract import CONTRACTS
from chiiki.data.headers import UNIT_CHOICES, HeaderMatch, IntakeOptions, allowed_columns, match_headers
from chiiki.data.locks import ImportBusyError
from chiiki.data.readers import DataReadError, find_table_file, read_preview, read_raw_table
from chiiki.data.validation import CODE_WIDTH, PROBLEM_SCHEMA, validate_directory
from chiiki.services.access import Principal, upload_dataset_name
from chiiki.services.analysis_files import build_analyses
from chiiki.services.jobs import JobContext, create_job, job_kind, wait_for
from chiiki.services.state import AppState
from chiiki.store import audit
from chiiki.store.audit import to_jsonable as audit_json
from chiiki.store.datasets import import_and_register
from chiiki.store.models import Job, User

UPLOAD_JOB = "upload"
IMPORT_WAIT_S = 3600
ALLOWED_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet")
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
    _remove_stale_pending(root)
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
    state: AppState,
    db: Session,
    principal: Principal,
    *,
    companies: IncomingFile,
    transactions: IncomingFile,
    options: IntakeOptions | None = None,
) -> int:
    """Receive the files and queue their import as a job (validation, import, analyses); returns
    the job's id. The request's transaction is committed here, so the job row exists for the runner."""
    folder, shown = receive_upload(state, companies=companies, transactions=transactions)
    return _queue(state, db, principal, folder, shown, options or IntakeOptions())


def _queue(
    state: AppState, db: Session, principal: Principal, folder: Path, shown: dict, options: IntakeOptions
) -> int:
    (folder / PENDING).unlink(missing_ok=True)
    job = create_job(
        db, kind=UPLOAD_JOB, actor=principal.username,
        params={"folder": str(folder), "data_dir": str(state.settings.data_dir), "shown": shown,
                "name": upload_dataset_name(principal), "actor": principal.username,
                "options": options.to_json()},
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
    replacements = _replacements(folder, p["shown"])
    options = IntakeOptions.from_json(p.get("options"))
    try:
        ctx.progress(0.05, "ファイルを検証しています…")
        try:
            report = validate_directory(folder, options)
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
                                      wait_s=IMPORT_WAIT_S, options=options)  # fmt: skip
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
    state: AppState,
    db: Session,
    principal: Principal,
    *,
    companies: IncomingFile,
    transactions: IncomingFile,
    options: IntakeOptions | None = None,
) -> tuple[int, UploadOutcome | None]:
    """Start the upload's job and wait for it up to ``upload_wait_s``: the job's id and, when it
    finished in that time, its outcome (else the page follows the job's progress). ``options``: the
    header mapping, unit and sheets (the API's parameters); no mapping step."""
    job_id = start_upload(
        state, db, principal, companies=companies, transactions=transactions, options=options
    )
    return _wait(state, job_id)


def _wait(state: AppState, job_id: int) -> tuple[int, UploadOutcome | None]:
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


def _replacements(folder: Path, shown: dict) -> list[tuple[str, str]]:
    """Server paths → the user's file names, for every message a user reads."""
    return [
        *sorted(shown.items(), key=lambda kv: -len(kv[0])),
        (str(folder) + "/", ""),
        (str(folder), "アップロード"),
    ]


# --- the mapping step (issue #11 §1) ---------------------------------------------------------

PENDING = "pending.json"
"""Beside files that wait for the user's mapping: who uploaded them and their file names."""
PENDING_MAX_AGE_S = 24 * 3600
"""Files left waiting longer than this are removed by the next upload."""
PREVIEW_ROWS = 5
TABLE_LABELS = {"companies": "企業の表", "transactions": "取引の表"}
IGNORE_CHOICE = "-"
"""The select value that leaves a column out."""
_TOKEN = re.compile(r"^upload-[A-Za-z0-9_]{4,64}$")


def _remove_stale_pending(root: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE_S
    for marker in root.glob(f"upload-*/{PENDING}"):
        with contextlib.suppress(OSError):
            if marker.stat().st_mtime < cutoff:
                shutil.rmtree(marker.parent, ignore_errors=True)


@dataclass(frozen=True)
class ColumnChoice:
    """One header of an uploaded file in the mapping step."""

    index: int
    header: str
    column: str | None
    """The contract column it is placed on now (None: not placed; IGNORE_CHOICE: left out)."""
    examples: list[str]


@dataclass(frozen=True)
class TablePreview:
    """One uploaded table as the mapping step shows it."""

    table: str
    label: str
    filename: str
    headers: list[str]
    rows: list[list[str]]
    match: HeaderMatch | None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    error: str | None = None
    """A reading problem (e.g. several sheets and none chosen), in Japanese."""

    @property
    def complete(self) -> bool:
        return self.error is None and self.match is not None and self.match.complete

    @property
    def fixable(self) -> bool:
        """Incomplete in a way the step can fix: a header to place, a column missing, a sheet to choose
        (a file that cannot be read at all goes to the import job, whose report says why)."""
        if self.error is not None:
            return len(self.sheets) > 1
        return self.match is not None and not self.match.complete

    @property
    def choices(self) -> list[ColumnChoice]:
        placed = self.match.placed if self.match else {}
        ignored = set(self.match.ignored) if self.match else set()
        return [
            ColumnChoice(i, h, IGNORE_CHOICE if h in ignored else placed.get(h), [r[i] for r in self.rows])
            for i, h in enumerate(self.headers)
        ]

    @property
    def options(self) -> list[tuple[str, str]]:
        """(contract column, Japanese label) a header can be placed on."""
        contract = CONTRACTS[self.table]
        return [
            (c, contract.column(c).label if c in contract.names else "取引額が推計値か（真偽）")
            for c in allowed_columns(self.table)
        ]

    @property
    def missing_labels(self) -> list[str]:
        contract = CONTRACTS[self.table]
        return [contract.column(c).label for c in (self.match.missing if self.match else ())]


@dataclass(frozen=True)
class UploadPreview:
    """What the mapping step shows before anything is imported."""

    token: str
    tables: list[TablePreview]
    prefectures: list[dict]
    """``code, name, companies, own`` per prefecture of the firms in the companies file."""
    other_prefecture_firms: int
    """Companies rows of prefectures other than the uploader's (0 for users without one)."""
    options: IntakeOptions
    units: tuple[str, ...] = UNIT_CHOICES

    @property
    def needs_choice(self) -> bool:
        return any(t.fixable for t in self.tables)

    @property
    def needs_step(self) -> bool:
        return self.needs_choice or self.other_prefecture_firms > 0


def remembered_columns(db: Session, principal: Principal) -> dict[str, str | None]:
    """The user's header mapping from their earlier uploads (empty when none)."""
    user = db.get(User, principal.user_id) if principal.user_id is not None else None
    return dict(user.upload_columns or {}) if user is not None else {}


def _remember(db: Session, principal: Principal, mapping: Mapping[str, str | None]) -> None:
    user = db.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None or not mapping:
        return
    before = dict(user.upload_columns or {})
    after = {**before, **mapping}
    if after != before:
        user.upload_columns = after
        audit.record(db, actor=principal.username, action="remember_columns", entity="user", entity_id=user.id,
                     before={"upload_columns": before}, after={"upload_columns": after})  # fmt: skip


def _preview_table(folder: Path, table: str, shown: dict, options: IntakeOptions) -> TablePreview:
    replacements = _replacements(folder, shown)
    path = find_table_file(folder, table)
    filename = shown.get(str(path), path.name)
    try:
        raw = read_preview(path, table=table, sheet=options.sheet_for(table), n_rows=PREVIEW_ROWS)
    except DataReadError as exc:
        sheets: list[str] = []
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from chiiki.data.readers import workbook_sheets  # noqa: PLC0415

            with contextlib.suppress(DataReadError):
                sheets = workbook_sheets(path)
        return TablePreview(table, TABLE_LABELS[table], filename, [], [], None, sheets,
                            error=_replace_all(str(exc), replacements))  # fmt: skip
    headers = [str(h) for h in raw.frame.columns]
    rows = [["" if v is None else str(v) for v in row] for row in raw.frame.rows()]
    match = match_headers(headers, table, options.columns)
    return TablePreview(
        table, TABLE_LABELS[table], filename, headers, rows, match, list(raw.sheets), raw.sheet
    )


def _prefectures(
    folder: Path, preview: TablePreview, principal: Principal, options: IntakeOptions
) -> tuple[list[dict], int]:
    """Companies per prefecture in the uploaded companies file (read whole; one column used)."""
    if preview.match is None:
        return [], 0
    header = next((h for h, c in preview.match.placed.items() if c == "prefecture_code"), None)
    if header is None:
        return [], 0
    try:
        raw = read_raw_table(
            find_table_file(folder, "companies"), table="companies", sheet=options.sheet_for("companies")
        )
    except DataReadError:
        return [], 0
    code = pl.col(header).cast(pl.Utf8).str.strip_chars()
    code = (
        pl.when(code.str.contains(r"^\d+$"))
        .then(code.str.zfill(CODE_WIDTH["prefecture_code"]))
        .otherwise(code)
    )
    counts = raw.frame.select(code.alias("code")).group_by("code").len().sort("code", nulls_last=True)
    names = dict(reference.prefectures().select("prefecture_code", "name").iter_rows())
    own = principal.prefecture_code
    rows = [
        {"code": c, "name": names.get(c, f"不明（{c}）" if c else "空欄"), "companies": n, "own": c == own}
        for c, n in counts.iter_rows()
    ]
    rows.sort(key=lambda r: not r["own"])  # the user's own prefecture first, then by code (stable)
    others = sum(r["companies"] for r in rows if not r["own"]) if own else 0
    return rows, others


def inspect_upload(folder: Path, shown: dict, principal: Principal, options: IntakeOptions) -> UploadPreview:
    """The mapping step's view of the files in ``folder`` (nothing is imported)."""
    tables = [_preview_table(folder, t, shown, options) for t in ("companies", "transactions")]
    prefectures, others = _prefectures(folder, tables[0], principal, options)
    return UploadPreview(folder.name, tables, prefectures, others, options)


def begin_upload(
    state: AppState,
    db: Session,
    principal: Principal,
    *,
    companies: IncomingFile,
    transactions: IncomingFile,
    unit: str | None = None,
) -> tuple[int | None, UploadOutcome | None, UploadPreview | None]:
    """The web upload: receive the files and preview them with the user's remembered mapping. When
    the step is needed the files wait and ``(None, None, preview)`` comes back; otherwise the import
    job starts as before: ``(job_id, outcome or None, None)``."""
    options = IntakeOptions(remembered_columns(db, principal), unit or None)
    folder, shown = receive_upload(state, companies=companies, transactions=transactions)
    try:
        preview = inspect_upload(folder, shown, principal, options)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if preview.needs_step:
        (folder / PENDING).write_text(
            json.dumps({"user": principal.username, "shown": shown}, ensure_ascii=False), "utf-8"
        )
        return None, None, preview
    job_id, outcome = _wait(state, _queue(state, db, principal, folder, shown, options))
    return job_id, outcome, None


def _pending(state: AppState, principal: Principal, token: str) -> tuple[Path, dict]:
    folder = Path(state.settings.data_dir) / UPLOADS / token
    marker = folder / PENDING
    meta = json.loads(marker.read_text("utf-8")) if _TOKEN.match(token) and marker.exists() else None
    if meta is None or meta.get("user") != principal.username:
        raise UploadError(
            "このアップロードは見つかりません（時間が経って削除されたか、別の利用者のものです）。もう一度ファイルを選んでください。"
        )
    return folder, meta


def choices_from_form(preview: UploadPreview, form: Mapping[str, str]) -> IntakeOptions:
    """The user's choices in the mapping step's form: ``col-<table>-<i>`` per header (a contract
    column, ``-`` to leave it out, empty: as the table places it), ``unit``, ``sheet-<table>``."""
    columns: dict[str, str | None] = {}
    for t in preview.tables:
        allowed = set(allowed_columns(t.table))
        auto = match_headers(t.headers, t.table).placed  # only choices other than the synonyms' count
        for i, header in enumerate(t.headers):
            value = str(form.get(f"col-{t.table}-{i}") or "").strip()
            if value == IGNORE_CHOICE:
                columns[header] = None
            elif value in allowed and (auto.get(header) != value or header in preview.options.columns):
                columns[header] = value
    sheets = {t.table: str(form[f"sheet-{t.table}"]) for t in preview.tables if form.get(f"sheet-{t.table}")}
    unit = str(form.get("unit") or "") or None
    if unit is not None and unit not in UNIT_CHOICES:
        raise UploadError(f"単位は {'・'.join(UNIT_CHOICES)} から選んでください。")
    return IntakeOptions({**preview.options.columns, **columns}, unit, {**preview.options.sheets, **sheets})


def review_upload(state: AppState, db: Session, principal: Principal, token: str) -> UploadPreview:
    """The mapping step of waiting files again (e.g. after the page is reloaded)."""
    folder, meta = _pending(state, principal, token)
    return inspect_upload(folder, meta["shown"], principal, IntakeOptions(remembered_columns(db, principal)))


def confirm_upload(
    state: AppState, db: Session, principal: Principal, token: str, form: Mapping[str, str]
) -> tuple[int | None, UploadOutcome | None, UploadPreview | None]:
    """Apply the user's choices to waiting files. Still incomplete: ``(None, None, preview)`` again.
    Complete: the mapping is remembered for the user's next upload and the import job starts."""
    folder, meta = _pending(state, principal, token)
    first = inspect_upload(folder, meta["shown"], principal, IntakeOptions(remembered_columns(db, principal)))
    options = choices_from_form(first, form)
    preview = inspect_upload(folder, meta["shown"], principal, options)
    if preview.needs_choice:
        return None, None, preview
    chosen = {h: c for t in preview.tables if t.match for h, c in t.match.as_mapping().items()
              if h in options.columns}  # fmt: skip
    _remember(db, principal, chosen)
    job_id, outcome = _wait(state, _queue(state, db, principal, folder, meta["shown"], options))
    return job_id, outcome, None


def cancel_upload(state: AppState, principal: Principal, token: str) -> None:
    """Discard waiting files (nothing was imported)."""
    folder, _ = _pending(state, principal, token)
    shutil.rmtree(folder, ignore_errors=True)
