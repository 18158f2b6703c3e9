"""産業連関表: the tables a ripple may use, and prefectures' own tables uploaded in the layouts they
publish (issue #11 items 5–6; SPEC §5). Everyone sees the national 2015 table (with its credit line)
and the own tables within their scope (:func:`chiiki.services.io_tables.table_prefectures`);
prefecture staff upload a CSV or a workbook's sheet, read its recognition report (the same as
``chiiki io read``) before registering it as the next version, and may retire a version. Writes are
audited; a table with problems is refused and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.io import national_table_2015_with_report
from chiiki.io.national import NATIONAL_2015_CREDIT, NATIONAL_2015_NAME
from chiiki.io.published.labels import ROLE_LABELS
from chiiki.services.access import AccessDeniedError
from chiiki.services.io_tables import (
    can_upload_tables,
    preview_upload,
    report_from_dict,
    repreview,
    retire_table,
    store_upload,
    table_row,
    upload_label,
    visible_tables,
)
from chiiki.store.errors import StoreError
from chiiki.web.pages.common import flash, redirect, render

router = APIRouter(include_in_schema=False)

JST = ZoneInfo("Asia/Tokyo")
ROLE_ORDER = ("value_added", "employment", "final_demand", "export", "import", "total", "reference")
AXIS = {"row": "行", "column": "列"}


def jst(value: datetime | None) -> str:
    """A stored UTC time in Japan time, the zone named."""
    if value is None:
        return "—"
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M（日本時間）")


def report_view(report) -> dict:  # noqa: ANN001 - ReadReport
    """The report as the template lists it: recognised groups (区分, 件数, names), balances …"""
    groups = [
        {"role": ROLE_LABELS["sector"], "count": len(report.sectors), "names": "、".join(report.sectors)}
    ]
    for role in ROLE_ORDER:
        for axis in ("row", "column"):
            items = [p for p in report.of(role) if p.axis == axis]
            if items:
                names = "、".join(f"{p.label}（{p.where}）" if p.where else p.label for p in items)
                groups.append(
                    {"role": f"{ROLE_LABELS[role]}（{AXIS[axis]}）", "count": len(items), "names": names}
                )
    unplaced = [
        f"{p.where}「{p.label}」: {p.detail}" if p.label else f"{p.where}: {p.detail}"
        for p in report.unplaced
    ]
    return {"r": report, "groups": groups, "unplaced": unplaced}


def _list_page(request: Request, principal, state, db, *, status_code: int = 200, **extra):  # noqa: ANN001, ANN202
    rows = visible_tables(db, principal, include_retired=True)
    return render(
        request, "io_tables.html", principal, nav="ripple", rows=rows, jst=jst, label=upload_label,
        can_upload=can_upload_tables(principal), national_name=NATIONAL_2015_NAME,
        national_credit=NATIONAL_2015_CREDIT, status_code=status_code, **extra,
    )  # fmt: skip


@router.get("/io-tables")
def io_tables_page(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    return _list_page(request, principal, state, db)


@router.post("/io-tables/preview", dependencies=[Csrf])
async def io_table_preview(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    """Read an uploaded file (or a waiting one with another sheet) and show what was recognised."""
    if not can_upload_tables(principal):
        raise AccessDeniedError(
            f"産業連関表の登録は都道府県の担当者だけが行えます（あなたの権限: {principal.role_label}）。"
        )
    form = await request.form()
    sheet = str(form.get("sheet") or "").strip() or None
    token = str(form.get("token") or "")
    title = str(form.get("title") or "").strip()[:300]
    upload = form.get("file")
    try:
        if token and not getattr(upload, "filename", None):
            preview = repreview(state, principal, token, sheet)
        else:
            if upload is None or not getattr(upload, "filename", None):
                return _list_page(request, principal, state, db, status_code=422,
                                  error="ファイルを選んでください（CSV または Excel）。")  # fmt: skip
            preview = preview_upload(
                state, principal, filename=upload.filename, data=await upload.read(), sheet=sheet
            )
    except StoreError as exc:
        return _list_page(request, principal, state, db, status_code=422, error=str(exc))
    view = report_view(preview.report) if preview.report else None
    return _list_page(request, principal, state, db, preview=preview, view=view, title=title,
                      status_code=200 if preview.report else 422)  # fmt: skip


@router.post("/io-tables/register", dependencies=[Csrf])
async def io_table_register(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    form = await request.form()
    try:
        row = store_upload(
            state, db, principal, token=str(form.get("token") or ""), sheet=str(form.get("sheet") or "") or None,
            title=str(form.get("title") or ""),
        )  # fmt: skip
    except StoreError as exc:
        return _list_page(request, principal, state, db, status_code=422, error=str(exc))
    flash(
        request, f"産業連関表「{row.title}」を第{row.version}版として登録しました。波及効果の画面で選べます。"
    )
    return redirect(f"/io-tables/{row.id}")


@router.get("/io-tables/national")
def national_table_page(request: Request, principal: PageUser) -> Response:
    _, report = national_table_2015_with_report()
    return render(request, "io_table.html", principal, nav="ripple", title=NATIONAL_2015_NAME, row=None,
                  credit=NATIONAL_2015_CREDIT, view=report_view(report), table_id="national", jst=jst)  # fmt: skip


@router.get("/io-tables/{table_id}")
def io_table_page(request: Request, principal: PageUser, db: Db, table_id: int) -> Response:
    row = table_row(db, principal, table_id)
    return render(
        request, "io_table.html", principal, nav="ripple", title=upload_label(row), row=row,
        credit=f"出典: {row.title}（{row.filename}）", view=report_view(report_from_dict(row.report)),
        table_id=f"upload-{row.id}", jst=jst,
        can_retire=can_upload_tables(principal) and row.prefecture_code == principal.prefecture_code,
    )  # fmt: skip


@router.post("/io-tables/{table_id}/retire", dependencies=[Csrf])
def io_table_retire(request: Request, principal: PageUser, db: Db, table_id: int) -> Response:
    row = retire_table(db, principal, table_id)
    flash(
        request, f"「{upload_label(row)}」を使わない版にしました（記録と保存済みのシナリオのため残ります）。"
    )
    return redirect("/io-tables")
