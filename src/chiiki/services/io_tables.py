"""Which input–output table an analysis reads, and prefectures' own tables as versions (SPEC §5;
issue #11 items 5–6, issue #14 item 1).

A table is named by a *table id*:

- ``national`` — the shipped national 2015 table, 37 sectors (総務省; the default, with its credit
  line :data:`chiiki.io.national.NATIONAL_2015_CREDIT`);
- ``upload-<n>`` — version ``n`` (the store's id) of a prefecture's own table, uploaded in a published
  layout (CSV or one sheet of a workbook) and read by :func:`chiiki.io.read_table_with_report`;
- ``regional:<area>:<method>:<δ>`` — a table estimated for an area from the national one
  (:mod:`chiiki.services.regional`), e.g. ``regional:07:flq:0.05`` or ``regional:07201+07203:slq:0``.

Scope of own tables (mirrors the firm data's, :mod:`chiiki.services.access`): a prefecture's tables
are read by its staff and its municipalities' staff, by the bureau of its block and by national
reviewers; only its prefecture staff upload and retire them. Every upload and retirement is audited.
Before a table is stored the user sees the same recognition report as ``chiiki io read``; a table
with problems (non-positive output, import ratios out of range, a singular model) is refused and
nothing is stored; a table with limits (no imports, no 民間消費支出 …) is stored and its limits are
shown wherever it is chosen (issue #11 item 6).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiiki.io import (
    NATIONAL_2015_CREDIT,
    NATIONAL_2015_NAME,
    IOTable,
    IOTableError,
    ReadReport,
    SheetChoiceError,
    national_table_2015_with_report,
    read_table_with_report,
)
from chiiki.io.published import Balance, Placed
from chiiki.reference import prefecture_block, prefecture_names
from chiiki.services.access import Principal
from chiiki.services.state import AppState
from chiiki.store import audit
from chiiki.store.errors import InvalidInputError, NotFoundError
from chiiki.store.models import IoTableVersion

NATIONAL_TABLE_ID = "national"
SERVER_TABLE_ID = "server"
"""The table file the server's administrator configured (``CHIIKI_IO_TABLE``), when there is one."""
UPLOAD_PREFIX = "upload-"
REGIONAL_PREFIX = "regional:"
IO_TABLES = "io_tables"
"""Where uploaded tables are kept, under the data directory."""
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xlsm")
MAX_TABLE_MB = 50
IMPORTS_ZERO_NOTE = (
    "輸入（移輸入）がない（0）と利用者が明示したため、輸入係数 0 として開放型モデルで計算しました。"
)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def table_prefectures(principal: Principal) -> frozenset[str] | None:
    """Prefectures whose own tables ``principal`` may read (None: all of them)."""
    if principal.role == "reviewer":
        return None
    if principal.role == "bureau" and principal.block_code:
        return frozenset(p for p, b in prefecture_block().items() if b == principal.block_code)
    if principal.role in ("prefecture", "municipal") and principal.home_prefecture:
        return frozenset({principal.home_prefecture})
    return frozenset()


def can_upload_tables(principal: Principal) -> bool:
    """Prefecture staff upload their prefecture's tables."""
    return principal.role == "prefecture" and bool(principal.prefecture_code)


# ---- the recognition report -------------------------------------------------------------------
def report_from_dict(data: dict) -> ReadReport:
    """A stored report (:meth:`ReadReport.as_dict`) back as a :class:`ReadReport`."""
    d = dict(data)
    d["placed"] = tuple(Placed(**p) for p in d.get("placed", ()))
    d["unplaced"] = tuple(Placed(**p) for p in d.get("unplaced", ()))
    d["balances"] = tuple(Balance(**b) for b in d.get("balances", ()))
    for key in ("layout", "sectors", "notes", "limits", "problems"):
        d[key] = tuple(d.get(key, ()))
    return ReadReport(**d)


@dataclass(frozen=True)
class Preview:
    """What reading an uploaded file gave: the report, or the sheets to choose from, or an error."""

    filename: str
    token: str | None = None
    report: ReadReport | None = None
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    error: str | None = None
    error_lines: tuple[str, ...] = ()

    @property
    def storable(self) -> bool:
        return self.report is not None and self.report.usable


def _suffix(filename: str) -> str:
    suffix = Path(filename.lower()).suffix
    if suffix not in ALLOWED_SUFFIXES:
        raise InvalidInputError(
            f"ファイル「{filename or '（名前なし）'}」の形式は使えません。産業連関表は CSV（UTF-8 または Shift_JIS）"
            "か Excel（.xlsx）で、都道府県が公表している形のままアップロードしてください。"
        )
    return suffix


def _pending_dir(state: AppState) -> Path:
    path = Path(state.settings.data_dir) / IO_TABLES / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read(data: bytes, filename: str, sheet: str | None) -> tuple[IOTable, ReadReport]:
    return read_table_with_report(data, sheet=sheet or None, name=filename)


def preview_upload(
    state: AppState, principal: Principal, *, filename: str, data: bytes, sheet: str | None = None
) -> Preview:
    """Read an uploaded file (nothing stored in the store yet): its report, or the sheets to choose
    from. The bytes wait under a random token for :func:`store_upload`."""
    _suffix(filename)
    if len(data) > MAX_TABLE_MB << 20:
        raise InvalidInputError(f"ファイルが大きすぎます（上限 {MAX_TABLE_MB} MB）。")
    if not data:
        raise InvalidInputError(f"ファイル「{filename}」は空です。")
    token = secrets.token_urlsafe(18)
    pending = _pending_dir(state)
    (pending / f"{token}.bin").write_bytes(data)
    (pending / f"{token}.json").write_text(
        json.dumps({"user": principal.username, "filename": filename}), "utf-8"
    )
    return _preview(data, filename, sheet, token)


def _preview(data: bytes, filename: str, sheet: str | None, token: str | None) -> Preview:
    try:
        _, report = _read(data, filename, sheet)
    except SheetChoiceError as exc:
        return Preview(filename, token, sheets=tuple(exc.sheets), error=exc.headline,
                       error_lines=tuple(exc.problems))  # fmt: skip
    except IOTableError as exc:
        return Preview(filename, token, sheet=sheet, error=exc.headline, error_lines=tuple(exc.problems))
    from chiiki.io import workbook_sheets  # noqa: PLC0415

    sheets = tuple(workbook_sheets(data, name=filename))
    return Preview(
        filename, token, report=report, sheets=sheets if len(sheets) > 1 else (), sheet=report.sheet
    )


def _pending(state: AppState, principal: Principal, token: str) -> tuple[bytes, str]:
    pending = _pending_dir(state)
    meta = pending / f"{token}.json"
    if not _TOKEN.match(token or "") or not meta.exists():
        raise InvalidInputError(
            "確認したファイルが見つかりません。もう一度ファイルを選んで確認してください。"
        )
    info = json.loads(meta.read_text("utf-8"))
    if info.get("user") != principal.username:
        raise InvalidInputError(
            "確認したファイルが見つかりません。もう一度ファイルを選んで確認してください。"
        )
    return (pending / f"{token}.bin").read_bytes(), str(info["filename"])


def repreview(state: AppState, principal: Principal, token: str, sheet: str | None) -> Preview:
    """Read a waiting upload again with another sheet."""
    data, filename = _pending(state, principal, token)
    return _preview(data, filename, sheet, token)


def store_upload(
    state: AppState, db: Session, principal: Principal, *, token: str, sheet: str | None, title: str
) -> IoTableVersion:
    """Register a waiting upload as the next version of the prefecture's table (audited). Refused,
    storing nothing, when the table has problems or the user may not upload."""
    if not can_upload_tables(principal):
        from chiiki.services.access import AccessDeniedError  # noqa: PLC0415

        raise AccessDeniedError(
            f"産業連関表の登録は都道府県の担当者だけが行えます（あなたの権限: {principal.role_label}）。"
        )
    data, filename = _pending(state, principal, token)
    try:
        table, report = _read(data, filename, sheet)
    except IOTableError as exc:
        raise InvalidInputError(exc.headline) from exc
    if not report.usable:
        raise InvalidInputError(
            "この表はこのままでは使えないため登録しませんでした: " + " ".join(report.problems)
        )
    pref = principal.prefecture_code
    version = (
        db.scalar(select(func.max(IoTableVersion.version)).where(IoTableVersion.prefecture_code == pref)) or 0
    ) + 1
    folder = Path(state.settings.data_dir) / IO_TABLES / f"pref-{pref}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"v{version:04d}{_suffix(filename)}"
    target.write_bytes(data)
    title = (title or "").strip()[:300] or f"{prefecture_names().get(pref, pref)}の産業連関表（{filename}）"
    row = IoTableVersion(
        prefecture_code=pref, version=version, title=title, filename=filename[:300], sheet=report.sheet,
        path=str(target.resolve()), sha256=hashlib.sha256(data).hexdigest(), n_sectors=table.n,
        unit=table.unit or report.unit or "", report=audit.to_jsonable(report.as_dict()),
        created_by=principal.username,
    )  # fmt: skip
    db.add(row)
    db.flush()
    after = audit.snapshot(row)
    after.pop("report", None)
    audit.record(
        db, actor=principal.username, action="upload", entity="io_table", entity_id=row.id, after=after
    )
    _discard(state, token)
    return row


def _discard(state: AppState, token: str) -> None:
    pending = _pending_dir(state)
    for suffix in (".bin", ".json"):
        (pending / f"{token}{suffix}").unlink(missing_ok=True)


def visible_tables(
    db: Session, principal: Principal, *, include_retired: bool = False
) -> list[IoTableVersion]:
    """The own tables ``principal`` may read, newest first."""
    prefs = table_prefectures(principal)
    query = select(IoTableVersion).order_by(IoTableVersion.prefecture_code, IoTableVersion.id.desc())
    if prefs is not None:
        query = query.where(IoTableVersion.prefecture_code.in_(sorted(prefs)))
    if not include_retired:
        query = query.where(IoTableVersion.retired_at.is_(None))
    return list(db.scalars(query))


def table_row(db: Session, principal: Principal, table_id: int) -> IoTableVersion:
    """Own table ``table_id`` when ``principal`` may read it (retired ones too); a Japanese 404 otherwise."""
    row = db.get(IoTableVersion, table_id)
    prefs = table_prefectures(principal)
    if row is None or (prefs is not None and row.prefecture_code not in prefs):
        raise NotFoundError(
            f"産業連関表（ID {table_id}）はないか、閲覧できない表です。「産業連関表」ページで使える表を確かめてください。"
        )
    return row


def retire_table(db: Session, principal: Principal, table_id: int) -> IoTableVersion:
    """Retire an own table (kept, hidden from choice; audited): its prefecture's staff only."""
    row = db.get(IoTableVersion, table_id)
    if row is None or not can_upload_tables(principal) or row.prefecture_code != principal.prefecture_code:
        raise NotFoundError(f"産業連関表（ID {table_id}）はないか、あなたが使わなくする権限のない表です。")
    if row.retired_at is None:
        before = audit.snapshot(row)
        before.pop("report", None)
        row.retired_at, row.retired_by = datetime.now(UTC), principal.username
        after = audit.snapshot(row)
        after.pop("report", None)
        audit.record(db, actor=principal.username, action="retire", entity="io_table", entity_id=row.id,
                     before=before, after=after)  # fmt: skip
    return row


SCREEN_TEXT = (
    ("（--imports-zero）", "（波及効果の画面で「輸入は0とみなす」を選びます）"),
    ("別の名前の列なら --consumption-column で指定してください", "列の名前を確かめてください"),
    ("別の名前の行なら --income-row で指定してください", "行の名前を確かめてください"),
    ("（--sheet 名前）", ""),
    ("（CLI: --imports-zero、Python: table.with_imports_zero()）", ""),
)


def for_screen(text: str) -> str:
    """A core message without command-line options (the page offers the same choices as controls)."""
    for old, new in SCREEN_TEXT:
        text = text.replace(old, new)
    return text


def upload_label(row: IoTableVersion) -> str:
    return f"{row.title}（第{row.version}版、{row.n_sectors}部門）"


# ---- choice and loading ------------------------------------------------------------------------
@dataclass(frozen=True)
class TableChoice:
    id: str
    label: str
    kind: str  # national / upload / regional


def table_choices(
    state: AppState, db: Session, principal: Principal, *, regional: list[tuple[str, str]] = ()
) -> list[TableChoice]:
    """The tables a ripple may use: the national table first, the server's configured one, the own
    uploads in scope, then ``regional`` (id, label) pairs the page offers."""
    out = [TableChoice(NATIONAL_TABLE_ID, f"{NATIONAL_2015_NAME}（既定）", "national")]
    if state.web.io_table is not None:
        out.append(
            TableChoice(
                SERVER_TABLE_ID, f"サーバーに設定された表（{Path(state.web.io_table).name}）", "server"
            )
        )
    out += [
        TableChoice(f"{UPLOAD_PREFIX}{r.id}", upload_label(r), "upload")
        for r in visible_tables(db, principal)
    ]
    out += [TableChoice(i, label, "regional") for i, label in regional]
    return out


@dataclass(frozen=True)
class LoadedTable:
    """A table ready for analysis with what a reader must see beside its results."""

    id: str
    table: IOTable
    label: str
    credit: str | None
    kind: str
    limits: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    report: ReadReport | None = None
    majors: object = None
    major_codes: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    """Sectors of an estimated table whose own figures the reader may not see (few firms, SPEC §0.1):
    results by sector leave them out; totals keep them."""


@lru_cache(maxsize=16)
def _read_stored(path: str, sheet: str | None, sha256: str) -> tuple[IOTable, ReadReport]:
    return read_table_with_report(Path(path), sheet=sheet)


def load_table(
    state: AppState, db: Session, principal: Principal, table_id: str | None, *, imports_zero: bool = False
) -> LoadedTable:
    """The table ``table_id`` names (default: national), checked for the user's scope. A table without
    imports is refused for the open model unless ``imports_zero`` states they are zero (issue #11 §6)."""
    table_id = (table_id or NATIONAL_TABLE_ID).strip()
    if table_id == NATIONAL_TABLE_ID:
        table, report = national_table_2015_with_report()
        loaded = LoadedTable(table_id, table, NATIONAL_2015_NAME, NATIONAL_2015_CREDIT, "national",
                             tuple(report.limits), report=report)  # fmt: skip
    elif table_id == SERVER_TABLE_ID and state.web.io_table is not None:
        path = Path(state.web.io_table)
        try:
            table, report = _read_stored(str(path), None, str(path.stat().st_mtime))
        except (OSError, IOTableError) as exc:
            raise InvalidInputError(f"サーバーに設定された表「{path.name}」を読めません（{exc}）。") from exc
        loaded = LoadedTable(table_id, table, f"サーバーに設定された表（{path.name}）", f"出典: {path.name}",
                             "server", tuple(report.limits), report=report)  # fmt: skip
    elif table_id.startswith(UPLOAD_PREFIX) and table_id[len(UPLOAD_PREFIX) :].isdigit():
        row = table_row(db, principal, int(table_id[len(UPLOAD_PREFIX) :]))
        try:
            table, report = _read_stored(row.path, row.sheet, row.sha256)
        except (OSError, IOTableError) as exc:
            raise InvalidInputError(
                f"登録された表「{row.title}」を読めません（{exc}）。管理者に連絡してください。"
            ) from exc
        notes = ("この版は使わなくなった版です（記録のため残しています）。",) if row.retired_at else ()
        loaded = LoadedTable(table_id, table, upload_label(row), f"出典: {row.title}（{row.filename}、{row.created_by} が登録）",
                             "upload", tuple(report.limits), notes, report)  # fmt: skip
    elif table_id.startswith(REGIONAL_PREFIX):
        from chiiki.services.regional import estimate, parse_query  # noqa: PLC0415

        parts = table_id[len(REGIONAL_PREFIX) :].split(":")
        if len(parts) < 3:
            raise InvalidInputError(_unknown(table_id))
        area, method, delta = parts[0], parts[1], parts[2]
        members = area.split("+") if "+" in area else None
        query = parse_query(
            None if members else area, members, method, delta, parts[3] if len(parts) > 3 else None
        )
        est = estimate(state, db, principal, query)
        from chiiki.services.regional import suppressed_sectors  # noqa: PLC0415

        mask = suppressed_sectors(est, principal, state.web.min_cell_firms)
        hidden = tuple(s for s, m in zip(est.regional.table.sectors, mask, strict=True) if m)
        loaded = LoadedTable(table_id, est.regional.table, est.label, est.credit, "regional", (),
                             (est.regional.method_text, *est.regional.notes), None,
                             est.regional.majors, est.regional.major_codes, hidden)  # fmt: skip
    else:
        raise InvalidInputError(_unknown(table_id))
    if not loaded.table.imports_known:
        if not imports_zero:
            raise InvalidInputError(
                f"表「{loaded.label}」には輸入（移輸入）の列がないため、開放型モデルの経済波及効果は計算できません。"
                "輸入がない（0）とみなしてよい場合は「輸入は0とみなす」を選んでください（API: imports_zero）。"
            )
        from dataclasses import replace  # noqa: PLC0415

        loaded = replace(
            loaded, table=loaded.table.with_imports_zero(), notes=(*loaded.notes, IMPORTS_ZERO_NOTE)
        )
    return loaded


def _unknown(table_id: str) -> str:
    return (
        f"表「{table_id}」はありません。national（全国2015年表）、upload-番号（登録した表）、"
        "regional:地域:方法:δ（推計表、例 regional:07:flq:0.05）のいずれかを指定してください。"
    )
