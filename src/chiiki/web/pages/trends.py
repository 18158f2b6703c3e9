"""推移: multi-year series of a firm (sales, employees, degrees, score) and of a prefecture (firm
counts, in-region transaction value, concentration of connector/hub degrees), with the change from
the previous fiscal year (issue #13 item 4; :mod:`chiiki.firms.trends` over the built analyses).
Every chart names its data set and fiscal years. A firm's series are firm-level data (SPEC §0); a
prefecture's are aggregates, suppressed for a reader not entitled when fewer than N firms."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.firms.errors import FirmAnalysisError
from chiiki.http.deps import Db, PageUser, State
from chiiki.reference import prefecture_names
from chiiki.services.access import AccessDeniedError
from chiiki.services.datasets import analytics_for
from chiiki.services.economy import firm_trend_of, scoped_firm, scoped_prefecture_trend
from chiiki.web.charts import line_chart_svg
from chiiki.web.downloads import download_response
from chiiki.web.pages.common import dataset_context, render

router = APIRouter(include_in_schema=False)
Fmt = Literal["csv", "xlsx", "svg"] | None

FIRM_CHARTS = {
    "sales": ("売上高", {"売上高": ("sales", 1e-3)}, "百万円"),
    "employees": ("従業者数", {"従業者数": ("employees", 1.0)}, "人"),
    "degrees": ("コネクター度・ハブ度", {"コネクター度": ("connector_degree", 100.0), "ハブ度": ("hub_degree", 100.0)}, "%（県内シェア）"),
    "score": ("総合スコア", {"総合スコア": ("score", 1.0)}, "偏差値の加重平均"),
}  # fmt: skip
FIRM_TABLE = {
    "fiscal_year": "年度", "sales": "売上高（千円）", "sales_change_pct": "売上高の前年度比", "employees": "従業者数",
    "employees_change": "従業者数の前年度差", "connector_degree": "コネクター度", "connector_degree_change": "コネクター度の前年度差",
    "hub_degree": "ハブ度", "hub_degree_change": "ハブ度の前年度差", "score": "総合スコア", "score_change": "総合スコアの前年度差",
    "score_years": "スコアの対象年数", "uses_estimated": "推計取引額を含む",
}  # fmt: skip
PREF_CHARTS = {
    "firms": ("企業数", {"企業数": ("n_firms", 1.0), "取引のある企業数": ("n_trading", 1.0)}, "社"),
    "in_region_value": ("域内取引額", {"域内取引額": ("in_region_value", 1e-3)}, "百万円"),
    "concentration": ("コネクター度・ハブ度の集中度", {"コネクター度のHHI": ("connector_hhi", 1.0), "ハブ度のHHI": ("hub_hhi", 1.0),
                      "コネクター度の上位10社シェア": ("connector_top10_share", 1.0), "ハブ度の上位10社シェア": ("hub_top10_share", 1.0)}, "0〜1"),
}  # fmt: skip
PREF_TABLE = {
    "fiscal_year": "年度", "n_firms": "企業数", "n_firms_change_pct": "企業数の前年度比", "n_trading": "取引のある企業数",
    "sales": "売上高（千円）", "in_region_value": "域内取引額（千円）", "in_region_value_change_pct": "域内取引額の前年度比",
    "connector_hhi": "コネクター度のHHI", "hub_hhi": "ハブ度のHHI", "connector_top10_share": "コネクター度の上位10社シェア",
    "hub_top10_share": "ハブ度の上位10社シェア", "uses_estimated": "推計取引額を含む",
}  # fmt: skip
PREF_FIRM_FIGURES = [c for c in PREF_TABLE if c not in ("fiscal_year", "n_firms", "n_firms_change_pct")]


def charts(frame: pl.DataFrame, spec: dict, *, subject: str, dataset: str) -> dict[str, str]:
    """One line chart per entry of ``spec`` (key → (title, {series: (column, factor)}, unit)); each
    title names the data set and the fiscal years."""
    years = frame["fiscal_year"].to_list()
    span = f"{years[0]}〜{years[-1]}年度" if years else ""
    out = {}
    for key, (title, series, unit) in spec.items():
        values = {
            name: [None if v is None else v * f for v in frame[col].to_list()]
            for name, (col, f) in series.items()
        }
        out[key] = line_chart_svg(
            years, values, title=f"{subject}の{title}（データ: {dataset}、{span}）", unit=unit
        )
    return out


def _table(frame: pl.DataFrame, labels: dict) -> pl.DataFrame:
    cols = [c for c in labels if c in frame.columns]
    return frame.select(cols).rename({c: labels[c] for c in cols})


@router.get("/firms/{company_id}/trends")
def firm_trends_page(
    request: Request, principal: PageUser, state: State, db: Db, company_id: str,
    download: Annotated[str | None, Query(pattern=r"^(table|sales|employees|degrees|score)$")] = None,
    format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """A firm's series over every fiscal year of the data."""
    analytics = analytics_for(state, db, principal)
    fy, firm = scoped_firm(analytics, principal, company_id, None)
    try:
        trend, notes = firm_trend_of(analytics, company_id, firm["prefecture_code"])
    except FirmAnalysisError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    svgs = charts(trend, FIRM_CHARTS, subject=firm["name"], dataset=analytics.ref.label)
    fname = f"推移_{firm['name']}"
    if download:
        return download_response(
            download, format, tables={"table": (fname, _table(trend, FIRM_TABLE))},
            charts={k: (f"{fname}_{FIRM_CHARTS[k][0]}", v) for k, v in svgs.items()},
        )  # fmt: skip
    return render(
        request, "trends.html", principal, nav="firms", firm=firm, year=fy.year, subject=firm["name"], svgs=svgs,
        chart_titles={k: v[0] for k, v in FIRM_CHARTS.items()}, rows=trend.to_dicts(), kind="firm", notes=notes,
        dataset=analytics.ref.label, suppressed=False, **dataset_context(db, principal, analytics),
    )  # fmt: skip


@router.get("/trends/prefectures/{pref}")
def prefecture_trends_page(
    request: Request, principal: PageUser, state: State, db: Db, pref: str,
    download: Annotated[str | None, Query(pattern=r"^(table|firms|in_region_value|concentration)$")] = None,
    format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """A prefecture's series over every fiscal year of the data."""
    names = prefecture_names()
    if pref not in names:
        raise AccessDeniedError(
            f"都道府県コード「{pref}」はありません。2桁（例: 07）で指定してください。", status_code=404
        )
    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        raise AccessDeniedError(
            "企業データが登録されていません。「データ」ページからアップロードしてください。", status_code=404
        )
    try:
        trend, notes, suppressed = scoped_prefecture_trend(
            analytics, principal, pref, min_count=state.web.min_cell_firms
        )
    except FirmAnalysisError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    svgs = charts(trend, PREF_CHARTS, subject=names[pref], dataset=analytics.ref.label)
    fname = f"推移_{names[pref]}"
    if download:
        return download_response(
            download, format, tables={"table": (fname, _table(trend, PREF_TABLE))},
            charts={k: (f"{fname}_{PREF_CHARTS[k][0]}", v) for k, v in svgs.items()},
        )  # fmt: skip
    return render(
        request, "trends.html", principal, nav="maps", pref=pref, subject=names[pref], svgs=svgs,
        chart_titles={k: v[0] for k, v in PREF_CHARTS.items()}, rows=trend.to_dicts(), kind="prefecture",
        notes=notes, dataset=analytics.ref.label, suppressed=suppressed, min_count=state.web.min_cell_firms,
        **dataset_context(db, principal, analytics),
    )  # fmt: skip
