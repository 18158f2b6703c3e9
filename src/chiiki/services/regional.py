"""Estimated regional input–output tables and 地域経済循環 for the web app and the API (SPEC §7.1–§7.2;
issue #14 items 1–2).

A regional table is estimated from the shipped national 2015 table (37 sectors, 総務省) and regional
employment by the location-quotient family (:func:`chiiki.io.regional.regionalize`): for a
prefecture or block from the 経済センサス table when the server has one (``CHIIKI_CENSUS``), else —
and always below prefecture level — from the employees of the firm data the user's analyses read
(:func:`chiiki.services.datasets.analytics_for`). Tables are memoised per data set, region, method
and δ. Every result is an aggregate (employment by sector of a region); sectors covering fewer than
``min_cell_firms`` firms are suppressed on screen for users not entitled to the firm figures
(SPEC §0.1) — the estimate itself uses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from chiiki.io import IOTableError
from chiiki.io.circulation import Circulation, CirculationSettings, circulation
from chiiki.io.national import NATIONAL_2015_CREDIT, NATIONAL_2015_NAME, national_table_2015
from chiiki.io.regional import (
    DEFAULT_DELTA,
    DEFAULT_METHOD,
    METHODS,
    Region,
    RegionalSettings,
    RegionalTable,
    employment_basis,
    region_population_share,
    regionalize,
    resolve_region,
    sector_employment,
)
from chiiki.io.regional.concordance import concordance_for
from chiiki.io.regional.employment import CENSUS_SOURCE
from chiiki.io.regional.lq import METHOD_LABELS
from chiiki.services.access import Principal, may_see_firm_figures
from chiiki.services.datasets import analytics_for
from chiiki.services.jobs import JobContext, create_job, job_kind
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError

FIRM_SOURCE = "企業データの従業者数"
COMPANY_COLUMNS = ["prefecture_code", "municipality_code", "jsic_code", "fiscal_year", "employees"]
_CODE = re.compile(r"^[0-9A-Za-z\u3040-\u30ff\u4e00-\u9fff]{2,20}$")


@dataclass(frozen=True)
class RegionQuery:
    """What the user asked for: a region code (prefecture 07, municipality 07201, block tohoku / 東北)
    or a list of municipalities (with an optional name), the LQ method and FLQ δ."""

    region: str | None = None
    municipalities: tuple[str, ...] = ()
    name: str | None = None
    method: str = DEFAULT_METHOD
    delta: float = DEFAULT_DELTA

    @property
    def key(self) -> str:
        """A stable text key (also the table id of :mod:`chiiki.services.io_tables`)."""
        area = "+".join(self.municipalities) if self.municipalities else (self.region or "")
        return f"{area}:{self.method}:{self.delta:g}" + (f":{self.name}" if self.name else "")


@dataclass(frozen=True)
class Estimated:
    """An estimated table with how it was made, for people: ``basis`` (the employment source and
    year), ``credit`` of the national table, and whether firm data was used (``from_firms``)."""

    regional: RegionalTable
    basis: str
    credit: str
    from_firms: bool
    dataset_name: str | None
    firm_counts: np.ndarray | None
    """Firms per sector of the region (firm basis only), for the small-cell rule."""

    @property
    def region(self) -> Region:
        return self.regional.region

    @property
    def label(self) -> str:
        return f"{self.region.name}の推計表（{self.regional.settings.label}、全国2015年37部門表から）"


def method_choices() -> list[tuple[str, str]]:
    """(value, label) of the four methods."""
    return [(m, METHOD_LABELS[m]) for m in METHODS]


def parse_query(
    region: str | None,
    municipalities: str | list[str] | None,
    method: str | None,
    delta: str | float | None,
    name: str | None = None,
) -> RegionQuery:
    """A :class:`RegionQuery` from form or API values; a Japanese :class:`InvalidInputError` on bad input."""
    if isinstance(municipalities, str):
        members = [m.strip() for m in re.split(r"[,\s、，]+", municipalities) if m.strip()]
    else:
        members = [str(m).strip() for m in (municipalities or []) if str(m).strip()]
    bad = [m for m in members if not (m.isdigit() and len(m) in (5, 6))]
    if bad:
        raise InvalidInputError(
            f"市区町村コード「{'、'.join(bad[:5])}」は5桁（または検査数字付き6桁）の数字ではありません。"
            "例: 07201,07203 のようにカンマ区切りで入力してください。"
        )
    region = (region or "").strip() or None
    if region is not None and not _CODE.match(region):
        raise InvalidInputError(
            f"地域「{region}」を読めません。都道府県コード（07）、市区町村コード（07201）、ブロック名（東北）で指定してください。"
        )
    if region is None and not members:
        raise InvalidInputError(
            "地域を指定してください（都道府県・市区町村・ブロック、または市区町村の一覧）。"
        )
    method = (method or DEFAULT_METHOD).strip().lower()
    if method not in METHODS:
        raise InvalidInputError(
            f"推計方法「{method}」は使えません。SLQ・CILQ・FLQ・AFLQ のいずれかを選んでください。"
        )
    try:
        d = float(delta) if delta not in (None, "") else DEFAULT_DELTA
        if not 0 <= d < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"δ「{delta}」は 0 以上 1 未満の小数で入力してください（例 {DEFAULT_DELTA}）。"
        ) from None
    members = [m[:5] for m in members]
    return RegionQuery(region, tuple(members), (name or "").strip()[:100] or None, method, d)


def resolve(query: RegionQuery) -> Region:
    try:
        if query.municipalities:
            area = resolve_region(query.name, list(query.municipalities))
        else:
            area = resolve_region(query.region)
    except IOTableError as exc:
        raise InvalidInputError(str(exc)) from exc
    return area


@lru_cache(maxsize=2)
def _census(path: str, mtime: float) -> pl.DataFrame:
    from chiiki.industry import matrix_from_census  # noqa: PLC0415 - only when a census is configured

    return matrix_from_census(path)


def census_frame(state: AppState) -> pl.DataFrame | None:
    """The configured 経済センサス table (``CHIIKI_CENSUS``), read once."""
    path = state.web.census
    if path is None or not Path(path).exists():
        return None
    return _census(str(path), Path(path).stat().st_mtime)


def _companies(path: Path) -> pl.DataFrame:
    stored = path / "companies.parquet"
    if stored.exists():
        return pl.read_parquet(stored, columns=COMPANY_COLUMNS)
    from chiiki.data.loading import read_dataset  # noqa: PLC0415

    return read_dataset(path).companies.select(COMPANY_COLUMNS)


def estimate(state: AppState, db: Session, principal: Principal, query: RegionQuery) -> Estimated:
    """The estimated table of ``query``'s region (memoised per data set, region, method and δ)."""
    area = resolve(query)
    census = None if area.is_municipal else census_frame(state)
    analytics = analytics_for(state, db, principal)
    memo = (
        analytics.industry.memo()
        if analytics.available
        else state.analytics.__dict__.setdefault("_regional_memo", {})
    )
    key = ("regional", query.key, census is not None)
    if key in memo:
        return memo[key]
    if census is None and not analytics.available:
        raise InvalidInputError(
            "地域表の推計には地域の従業者数が必要です。企業データ（従業者数のあるもの）を取り込むか、"
            "管理者が経済センサスの表（CHIIKI_CENSUS）を設定してください。"
        )
    companies = None
    if census is None:
        companies = memo.get("companies")
        if companies is None:
            companies = memo["companies"] = _companies(analytics.ref.path)
        if area.is_municipal and not companies["municipality_code"].is_in(list(area.municipalities)).any():
            raise InvalidInputError(
                f"{area.name}の企業がデータにありません。市区町村コードと、分析に使うデータを確かめてください。"
            )
    national = national_table_2015()
    try:
        basis = employment_basis([area], census=census, companies=companies)
        sectors = sector_employment(national, basis, concordance_for(national))
        settings = RegionalSettings(
            method=query.method, delta=query.delta, population_share=region_population_share(area)
        )
        regional = regionalize(
            national, basis, area, settings=settings, national_source=NATIONAL_2015_NAME, sectors=sectors
        )
    except IOTableError as exc:
        raise InvalidInputError(str(exc)) from exc
    counts = None if companies is None else _firm_counts(companies, area, national, basis)
    result = Estimated(
        regional=regional,
        basis=CENSUS_SOURCE if census is not None else f"{FIRM_SOURCE}（{analytics.ref.label}）",
        credit=NATIONAL_2015_CREDIT,
        from_firms=census is None,
        dataset_name=None if census is not None else analytics.ref.name,
        firm_counts=counts,
    )
    memo[key] = result
    return result


def _firm_counts(companies: pl.DataFrame, area: Region, national, basis) -> np.ndarray:  # noqa: ANN001
    """Firms of the region per sector of ``national`` (a firm counts in every sector its JSIC code
    feeds), latest year of the basis."""
    from chiiki.io.regional.concordance import allocation_matrix  # noqa: PLC0415

    year = int(companies["fiscal_year"].max())
    firms = companies.filter(pl.col("fiscal_year") == year)
    if area.is_municipal:
        firms = firms.filter(pl.col("municipality_code").is_in(list(area.municipalities)))
    else:
        firms = firms.filter(pl.col("prefecture_code").is_in(list(area.prefectures)))
    codes = list(basis.jsic_codes)
    per_code = dict(firms.group_by("jsic_code").len().iter_rows())
    vector = np.array([float(per_code.get(c, 0)) for c in codes])
    W, _ = allocation_matrix(concordance_for(national), national, codes, basis.national)
    return (vector[:, None] * (W > 0)).sum(axis=0)


def suppressed_sectors(est: Estimated, principal: Principal, min_cell_firms: int) -> np.ndarray:
    """Sectors whose figures are withheld from ``principal`` (fewer than ``min_cell_firms`` firms of
    a data set the user is not entitled to; SPEC §0.1)."""
    n = est.regional.table.n
    if not est.from_firms or est.firm_counts is None:
        return np.zeros(n, dtype=bool)
    prefecture = est.region.prefectures[0] if len(est.region.prefectures) == 1 else None
    if est.dataset_name is not None and may_see_firm_figures(principal, est.dataset_name, prefecture):
        return np.zeros(n, dtype=bool)
    return (est.firm_counts > 0) & (est.firm_counts < min_cell_firms)


SUPPRESSED = "秘匿"


def sector_rows(est: Estimated, principal: Principal, min_cell_firms: int) -> tuple[list[dict], int]:
    """The sector table for the page (figures of suppressed sectors withheld) and how many were."""
    frame = est.regional.sector_frame()
    hidden = suppressed_sectors(est, principal, min_cell_firms)
    rows = frame.to_dicts()
    for row, hide in zip(rows, hidden, strict=True):
        if hide:
            for k in row:
                if k != "部門":
                    row[k] = SUPPRESSED
    return rows, int(hidden.sum())


def download_frames(est: Estimated, principal: Principal, min_cell_firms: int) -> dict[str, pl.DataFrame]:
    """The sheets of a download: the long table (a file ``chiiki io ripple`` reads), by sector, and
    how it was made. Withheld sectors make the download refused instead (it would rebuild them)."""
    if suppressed_sectors(est, principal, min_cell_firms).any():
        raise InvalidInputError(
            f"この地域の表には企業数が {min_cell_firms} 社未満の部門があるため、あなたの権限では表全体を"
            "ダウンロードできません（集計の秘匿）。画面で秘匿した部門以外の値を確認してください。"
        )
    provenance = est.regional.provenance()
    extra = pl.DataFrame(
        {
            "項目": ["地域の従業者数", "全国表"],
            "状態": ["—", "—"],
            "推計方法": [est.basis, NATIONAL_2015_NAME],
            "出典": [est.basis, est.credit],
        }  # fmt: skip
    )
    return {
        "産業連関表": est.regional.long_frame(),
        "部門別": est.regional.sector_frame(),
        "推計方法": pl.concat([provenance, extra.select(provenance.columns)]),
    }


def circulation_of(table, settings: CirculationSettings | None = None) -> Circulation:  # noqa: ANN001
    """地域経済循環 of a table (Japanese :class:`InvalidInputError` when it cannot be computed)."""
    try:
        return circulation(table, settings)
    except IOTableError as exc:
        raise InvalidInputError(str(exc)) from exc


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_bytes(
    est: Estimated, principal: Principal, min_cell_firms: int, fmt: str
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of an estimated table's download: ``xlsx`` (three sheets)
    or ``csv`` (the long table, BOM UTF-8, formula-safe; :mod:`chiiki.data.writers`)."""
    import io  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from chiiki.data.writers import write_csv, write_xlsx  # noqa: PLC0415

    frames = download_frames(est, principal, min_cell_firms)
    stem = f"regional_io_{est.region.code}_{est.regional.settings.method}"
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(frames, buf)
        return buf.getvalue(), XLSX, f"{stem}.xlsx"
    if fmt != "csv":
        raise InvalidInputError(f"ダウンロードの形式「{fmt}」は使えません。csv か xlsx を選んでください。")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(frames["産業連関表"], Path(tmp) / "table.csv")
        return path.read_bytes(), "text/csv; charset=utf-8", f"{stem}.csv"


# ---- every municipality's table, as a background job ---------------------------------------------
REGIONAL_ALL_JOB = "regional_all"


def start_all_municipalities(
    state: AppState, db: Session, principal: Principal, *, prefecture: str | None, method: str, delta: float
) -> int:
    """Queue the tables of every municipality with firms (of ``prefecture``, or of Japan) as a job;
    returns its id. The result is a workbook of every municipality's sector figures, for users
    entitled to the firm data of that scope (the figures rest on individual firms' employees)."""
    from chiiki.services.access import AccessDeniedError  # noqa: PLC0415

    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        raise InvalidInputError("企業データがないため、市区町村の表を推計できません。")
    name = analytics.ref.name
    allowed = (
        may_see_firm_figures(principal, name, prefecture)
        if prefecture
        else (principal.firm_prefectures() is None and name == "default")
    )
    if not allowed:
        raise AccessDeniedError(
            "すべての市区町村の表は、もとの企業データを閲覧できる方だけが作れます（担当の都道府県を指定してください）。"
        )
    parse_query(prefecture or "07", None, method, delta)  # validates method and δ in Japanese
    job = create_job(
        db, kind=REGIONAL_ALL_JOB, actor=principal.username,
        params={"path": str(analytics.ref.path), "label": analytics.ref.label, "prefecture": prefecture,
                "method": method, "delta": delta, "data_dir": str(state.settings.data_dir)},
    )  # fmt: skip
    db.commit()
    state.runner.enqueue(job.id)
    return job.id


def all_municipal_tables(
    companies: pl.DataFrame, *, prefecture: str | None = None, method: str = DEFAULT_METHOD,
    delta: float = DEFAULT_DELTA, progress=None,  # noqa: ANN001
) -> pl.DataFrame:  # fmt: skip
    """Sector figures of every municipality with firms (of ``prefecture`` or Japan) in one frame:
    市区町村コード, 市区町村, then :meth:`RegionalTable.sector_frame`'s columns."""
    latest = companies.filter(pl.col("fiscal_year") == companies["fiscal_year"].max())
    codes = latest.filter(pl.col("employees").fill_null(0) > 0)["municipality_code"].unique().sort().to_list()
    if prefecture:
        codes = [c for c in codes if c.startswith(prefecture)]
    regions = []
    for code in codes:
        try:
            regions.append(resolve_region(code))
        except IOTableError:
            continue  # a code the reference does not know (a merged town): left out
    if not regions:
        raise InvalidInputError("推計できる市区町村がありません。")
    national = national_table_2015()
    basis = employment_basis(regions, companies=companies)
    sectors = sector_employment(national, basis, concordance_for(national))
    frames = []
    for i, area in enumerate(regions):
        try:
            est = regionalize(national, basis, area, settings=RegionalSettings(method=method, delta=delta),
                              national_source=NATIONAL_2015_NAME, sectors=sectors)  # fmt: skip
        except IOTableError:
            continue
        frames.append(
            est.sector_frame().with_columns(市区町村コード=pl.lit(area.code), 市区町村=pl.lit(area.name))
        )
        if progress is not None and i % 50 == 0:
            progress((i + 1) / len(regions), f"{i + 1:,} / {len(regions):,} 市区町村を推計しました…")
    out = pl.concat(frames)
    return out.select(
        "市区町村コード", "市区町村", *[c for c in out.columns if c not in ("市区町村コード", "市区町村")]
    )


@job_kind(REGIONAL_ALL_JOB)
def run_all_municipalities(ctx: JobContext) -> dict:
    """The job: every municipality's table into one workbook (downloaded from the job's page)."""
    p = ctx.params
    ctx.progress(0.02, "企業データを読んでいます…")
    companies = _companies(Path(p["path"]))
    frame = all_municipal_tables(companies, prefecture=p.get("prefecture"), method=p["method"],
                                 delta=float(p["delta"]), progress=lambda f, m: ctx.progress(0.05 + 0.85 * f, m))  # fmt: skip
    ctx.progress(0.92, f"{frame['市区町村コード'].n_unique():,} 市区町村の表を Excel に書き出しています…")
    from chiiki.data.writers import write_xlsx  # noqa: PLC0415

    out = Path(p["data_dir"]) / "exports"
    out.mkdir(parents=True, exist_ok=True)
    notes = pl.DataFrame({"項目": ["全国表", "地域の従業者数", "推計方法"],
                          "内容": [NATIONAL_2015_CREDIT, f"{FIRM_SOURCE}（{p['label']}）", f"{p['method'].upper()}（δ = {p['delta']:g}）"]})  # fmt: skip
    path = write_xlsx({"市区町村別": frame, "出典": notes}, out / f"job-{ctx.job_id}.xlsx")
    scope = p.get("prefecture") or "all"
    return {"path": str(path), "filename": f"municipal_io_{scope}_{p['method']}.xlsx", "media_type": XLSX,
            "rows": frame.height, **({"pref": p["prefecture"]} if p.get("prefecture") else {})}  # fmt: skip
