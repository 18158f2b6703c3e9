"""Exports of firm tables (issue #15 §4): small ones answered at once, large ones as a background
job whose file the user downloads from the job's page. Written by the streaming, formula-safe writer
(:mod:`chiiki.data.writers`): 700,000 rows in seconds, in bounded memory."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from chiiki.data.writers import write_xlsx
from chiiki.services.access import Principal, require_firm_scope
from chiiki.services.analysis_files import load_firms, read_manifest
from chiiki.services.analytics import filter_firms
from chiiki.services.jobs import JobContext, create_job, job_kind
from chiiki.services.state import AppState

EXPORT_JOB = "export"
INLINE_ROWS = 20_000
"""Larger exports become a job instead of holding the request."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "コネクター度・ハブ度"
EXPORT_COLUMNS = {
    "company_id": "企業ID", "name": "企業名", "municipality_code": "市区町村コード", "jsic_code": "産業分類（中分類）",
    "sales": "売上高（千円）", "employees": "従業者数", "out_sales": "域外販売額（千円）", "in_purchases": "域内仕入額（千円）",
    "connector_degree": "コネクター度", "hub_degree": "ハブ度", "connector_rank": "コネクター度順位", "hub_rank": "ハブ度順位",
    "score": "総合スコア",
}  # fmt: skip


def ranking_table(region: pl.DataFrame, *, filters: dict, sort: str, descending: bool) -> pl.DataFrame:
    """A prefecture's ranking as exported: filtered, sorted, Japanese headers."""
    ordered = filter_firms(region, **filters).sort(sort, descending=descending, nulls_last=True)
    return ordered.select([c for c in EXPORT_COLUMNS if c in ordered.columns]).rename(
        EXPORT_COLUMNS, strict=False
    )


def ranking_xlsx(table: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    write_xlsx({SHEET: table}, buf)
    return buf.getvalue()


def start_ranking_export(
    state: AppState, db: Session, principal: Principal, *, version_path: Path, year: int, pref: str,
    filters: dict, sort: str, descending: bool, filename: str,
) -> int:  # fmt: skip
    """Queue the export of a prefecture's ranking (its scope already checked); returns the job id."""
    job = create_job(
        db, kind=EXPORT_JOB, actor=principal.username,
        params={"version_path": str(version_path), "year": year, "pref": pref, "filters": filters, "sort": sort,
                "descending": descending, "filename": filename, "data_dir": str(state.settings.data_dir)},
    )  # fmt: skip
    db.commit()
    state.runner.enqueue(job.id)
    return job.id


@job_kind(EXPORT_JOB)
def run_export(ctx: JobContext) -> dict:
    p = ctx.params
    ctx.progress(0.1, "表を用意しています…")
    version = Path(p["version_path"])
    start, n = read_manifest(version)["years"][str(p["year"])]["regions"].get(p["pref"], [0, 0])
    region = load_firms(version, p["year"]).slice(start, n)
    table = ranking_table(region, filters=p["filters"], sort=p["sort"], descending=p["descending"])
    ctx.progress(0.4, f"{table.height:,} 行を Excel に書き出しています…")
    out = Path(p["data_dir"]) / "exports"
    out.mkdir(parents=True, exist_ok=True)
    path = write_xlsx({SHEET: table}, out / f"job-{ctx.job_id}.xlsx")
    return {"path": str(path), "filename": p["filename"], "media_type": XLSX, "rows": table.height,
            "pref": p["pref"]}  # fmt: skip


def check_download(principal: Principal, result: dict) -> None:
    """A firm export is downloaded only while its owner may still see the prefecture's firms."""
    if "pref" in result:
        require_firm_scope(principal, result["pref"])
