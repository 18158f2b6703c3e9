"""Analyses built once per data-set version and kept beside it (issue #15 §1).

A registered version is immutable, so its analyses are too: the firm indicators of SPEC §3.1–3.2 per
fiscal year, the year's links sorted both ways (for a firm's page) and the region × industry frame of
SPEC §4 are computed once — at import, or by the first process that needs them — and written as
uncompressed Arrow IPC files under ``<version>/analyses/``. Every web worker and API call then
memory-maps them: no worker recomputes, a fresh worker answers at once, and the operating system's
page cache holds one copy for all workers on a machine.

Layout::

    <version>/analyses/analyses.json                 years, region slices, notes, build time
    <version>/analyses/firms-<year>.arrow            one row per firm, sorted by region then id
    <version>/analyses/links-supplier-<year>.arrow   the year's links sorted by supplier
    <version>/analyses/links-customer-<year>.arrow   … and by customer
    <version>/analyses/industry.arrow                region × JSIC 中分類 × year × measure

The build reads one fiscal year at a time (:func:`load_year`): a data set of ten years at national
scale is never in memory at once, only the year being built.

The directory appears complete or not at all (written under a temporary name, then renamed), under
a lock file so that two processes never build the same version at once.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from chiiki.data import Dataset
from chiiki.data.locks import import_lock
from chiiki.data.years import load_dataset, stored_years
from chiiki.firms.connector_hub import degrees_from_network
from chiiki.firms.network import YearNetwork, build_network
from chiiki.firms.scores import INDICATORS, WINDOW, priority_scores

ANALYSES = "analyses"
FORMAT = 1
MANIFEST = "analyses.json"
Progress = Callable[[float, str], None]
INDUSTRY_COLUMNS = [
    "company_id", "prefecture_code", "municipality_code", "jsic_code", "fiscal_year",
    "sales", "operating_profit", "employees", "payroll",
]  # fmt: skip
"""The company columns the region × industry frame reads (:func:`chiiki.industry.matrix_from_firms`)."""


def compute_firm_year(ds: Dataset, year: int) -> tuple[pl.DataFrame, tuple[str, ...], bool]:
    """One year's firm indicators (SPEC §3.1–3.2) joined to the attributes pages filter on, sorted by
    region and company id; with the notes and whether estimated amounts were used. Only the core
    computes: the degrees and the score from one network."""
    net = build_network(ds.companies, ds.transactions, year=year, level="prefecture")
    res = degrees_from_network(net, level="prefecture")
    attrs = ds.companies.filter(pl.col("fiscal_year") == year).select(
        "company_id", "corporate_number", "prefecture_code", "municipality_code", "jsic_code",
        "sales", "operating_profit", "employees", "payroll",
    )  # fmt: skip
    firms = _with_score(ds, res.firms.join(attrs, on="company_id", how="left"), net)
    firms = firms.sort("region_code", "company_id", nulls_last=True).rechunk()
    return firms, tuple(res.notes), bool(res.uses_estimated)


def load_year(version_dir: Path, year: int) -> Dataset:
    """What one year's analyses read (issue #15 §5): that year's links, and the companies of the
    years its score looks back on (SPEC §3.2's growth window) — never the whole data set."""
    window = list(range(year - WINDOW + 1, year + 1))
    return load_dataset(version_dir, company_years=window, link_years=[year])


def _with_score(ds: Dataset, firms: pl.DataFrame, net: YearNetwork) -> pl.DataFrame:
    """Every indicator's raw value and 偏差値 besides the degrees already there, the composite
    ``score`` and its rank (SPEC §3.2), for the firm page's breakdown."""
    result = priority_scores(ds.companies, ds.transactions, year=net.year, network=net)
    extra = [c for k in INDICATORS for c in (k, f"{k}_score") if c not in firms.columns]
    return firms.join(
        result.firms.select("company_id", *extra, "score", "score_rank"), on="company_id", how="left"
    )


def region_slices(firms: pl.DataFrame) -> dict[str, list[int]]:
    """``region_code → [offset, length]`` of a frame sorted by region."""
    runs = (
        firms.with_row_index("_i")
        .filter(pl.col("region_code").is_not_null())
        .group_by("region_code")
        .agg(pl.col("_i").min().alias("start"), pl.len().alias("n"))
    )
    return {r: [int(s), int(n)] for r, s, n in runs.iter_rows()}


def analyses_dir(version_dir: Path) -> Path:
    return Path(version_dir) / ANALYSES


def read_manifest(version_dir: Path) -> dict | None:
    path = analyses_dir(version_dir) / MANIFEST
    if not path.exists():
        return None
    manifest = json.loads(path.read_text("utf-8"))
    return manifest if manifest.get("format") == FORMAT else None


def _write(frame: pl.DataFrame, path: Path) -> None:
    frame.write_ipc(path, compression="uncompressed")  # uncompressed: memory-mappable


def build_analyses(version_dir: Path, *, progress: Progress | None = None) -> dict:
    """Build the analyses of the data-set version in ``version_dir`` unless they exist (see the
    module docstring); returns their manifest."""
    version_dir = Path(version_dir)
    with import_lock(version_dir, wait_s=3600):
        existing = read_manifest(version_dir)
        if existing is not None:
            return existing
        report = progress or (lambda _f, _m: None)
        t0 = time.perf_counter()
        report(0.0, "企業データを読み込んでいます…")
        years = stored_years(version_dir)
        staging = version_dir / f".{ANALYSES}-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            manifest: dict = {"format": FORMAT, "years": {}}
            for i, year in enumerate(years):
                report(i / (len(years) + 1), f"{year}年度のコネクター度・ハブ度とスコアを計算しています…")
                ds = load_year(version_dir, year)
                firms, notes, estimated = compute_firm_year(ds, year)
                _write(firms, staging / f"firms-{year}.arrow")
                links = ds.transactions
                _write(links.sort("supplier_id"), staging / f"links-supplier-{year}.arrow")
                _write(links.sort("customer_id"), staging / f"links-customer-{year}.arrow")
                manifest["years"][str(year)] = {
                    "regions": region_slices(firms), "notes": list(notes), "uses_estimated": estimated,
                    "firms": firms.height,
                }  # fmt: skip
                del ds, firms, links
            report(len(years) / (len(years) + 1), "産業別の集計を作っています…")
            from chiiki.industry import matrix_from_firms  # noqa: PLC0415 - heavy, only here

            companies_only = load_dataset(version_dir, link_years=[], company_columns=INDUSTRY_COLUMNS)
            _write(matrix_from_firms(companies_only, region="prefecture"), staging / "industry.arrow")
            manifest |= {
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - t0, 2),
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
            staging.rename(analyses_dir(version_dir))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        report(1.0, "分析を作りました。")
        return manifest


def map_ipc(path: Path) -> pl.DataFrame:
    """An Arrow IPC file as a frame over a memory map of the file: nothing is copied, pages are read
    when touched and shared by every process mapping the same file. (Polars' own reader copies the
    file into memory, so the mapping is pyarrow's, whose buffers Polars takes as they are.)"""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.ipc as ipc  # noqa: PLC0415

    return pl.from_arrow(ipc.open_file(pa.memory_map(str(path), "r")).read_all(), rechunk=False)


def load_firms(version_dir: Path, year: int) -> pl.DataFrame:
    return map_ipc(analyses_dir(version_dir) / f"firms-{year}.arrow")


def load_links(version_dir: Path, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    d = analyses_dir(version_dir)
    return map_ipc(d / f"links-supplier-{year}.arrow"), map_ipc(d / f"links-customer-{year}.arrow")


def load_industry(version_dir: Path) -> pl.DataFrame:
    return map_ipc(analyses_dir(version_dir) / "industry.arrow")
