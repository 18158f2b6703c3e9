"""企業分析: connector vs hub scatter on log axes with the top-p % lines, a sortable, filterable,
paginated ranking, and a firm's page with its in-region suppliers, out-of-region customers and a map
(issue #7 §2; SPEC §3.1–3.2). Firm-level data only within scope (SPEC §0)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.http.deps import DatasetId, Db, PageUser, State
from chiiki.reference import municipalities
from chiiki.services.access import AccessDeniedError, require_firm_scope
from chiiki.services.analytics import (
    RANKING_SORTS,
    FirmYear,
    firm_detail,
    score_breakdown,
    top_share_cuts,
)
from chiiki.services.datasets import analytics_for
from chiiki.services.exports import INLINE_ROWS, XLSX, ranking_table, ranking_xlsx, start_ranking_export
from chiiki.web.charts import point_map_svg, scatter_log_svg
from chiiki.web.downloads import download_response, labelled, table_response
from chiiki.web.pages.common import dataset_context, redirect, render

router = APIRouter(include_in_schema=False)

MAX_POINTS = 3000
"""Points drawn on the scatter: every top-p % firm first, then the largest by connector + hub degree."""


def scatter_for(region: pl.DataFrame, cx: float | None, cy: float | None, top: float, year: int) -> tuple:
    """The scatter SVG of one prefecture and the number of top-p % firms."""
    is_top = (
        (pl.col("connector_degree") >= cx) & (pl.col("hub_degree") >= cy) & (pl.col("connector_degree") > 0)
        if cx is not None and cy is not None
        else pl.lit(False)
    )
    plot = region.select(
        "connector_degree", "hub_degree", "company_id", "name", is_top.fill_null(False).alias("top")
    )
    n_top = int(plot["top"].sum())
    omitted = max(plot.height - MAX_POINTS, 0)
    if omitted:
        order = ["top", pl.col("connector_degree").fill_null(0) + pl.col("hub_degree").fill_null(0)]
        plot = plot.sort(order, descending=True).head(MAX_POINTS)
    svg = scatter_log_svg(
        plot["connector_degree"].to_numpy(), plot["hub_degree"].to_numpy(),
        title="コネクター度とハブ度（対数軸）", x_label="コネクター度（域外販売額の県内シェア）",
        y_label="ハブ度（域内仕入額の県内シェア）", x_cut=cx, y_cut=cy,
        cut_label=f"上位{top:g}%の線" + (f"（度合いの小さい{omitted:,}社は省略）" if omitted else ""),
        highlight=plot["top"].to_numpy(), names=plot["name"].to_list(),
        links=[f"/firms/{c}?year={year}" for c in plot["company_id"]],
    )  # fmt: skip
    return svg, n_top


def scatter_memo(fy: FirmYear, pref: str, top: float) -> tuple:
    """The scatter of one prefecture and year at top-p %, drawn once per process (it depends on
    nothing else)."""
    key = ("scatter", pref, top)
    if key not in fy.memo:
        region = fy.region(pref)
        cx, cy = top_share_cuts(region, top_percent=top)
        fy.memo[key] = scatter_for(region, cx, cy, top, fy.year)
    return fy.memo[key]


@router.get("/firms/scatter.svg")
def ranking_scatter(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    pref: Annotated[str, Query(pattern=r"^\d{2}$")],
    year: int | None = None,
    top: Annotated[float, Query(gt=0, le=100)] = 10.0,
) -> Response:
    """The コネクター度 × ハブ度 scatter as its own SVG document. The ranking page loads it once and
    the browser keeps it (private cache, ETag) while the user pages and sorts the table."""
    require_firm_scope(principal, pref)
    analytics = analytics_for(state, db, principal)
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    etag = f'"{analytics.ref.id if analytics.ref else 0}-{fy.year}-{pref}-{top:g}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=600", "X-Frame-Options": "SAMEORIGIN"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    svg, _ = scatter_memo(fy, pref, top)
    return Response(str(svg), media_type="image/svg+xml", headers=headers)


@router.get("/firms")
def ranking(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    pref: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    year: int | None = None,
    jsic: Annotated[str | None, Query(pattern=r"^\d{2}$|^$")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    top: Annotated[float, Query(gt=0, le=100)] = 10.0,
    only_top: bool = False,
    sort: str = "connector_degree",
    order: str = "desc",
    page: Annotated[int, Query(ge=1)] = 1,
    export: str | None = None,
) -> Response:
    pref = pref or principal.home_prefecture or "07"
    require_firm_scope(principal, pref)
    if sort not in RANKING_SORTS:
        sort = "connector_degree"
    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        return render(
            request, "firms.html", principal, nav="firms", pref=pref, empty=True,
            **dataset_context(db, principal, analytics),
        )  # fmt: skip
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    region = fy.region(pref)
    filters = {"jsic_code": jsic or None, "query": q or None,
               "connector_hub_top_percent": top if only_top else None}  # fmt: skip
    if export == "csv":  # the CSV is small enough at any size: streamed by Polars' writer
        table = ranking_table(region, filters=filters, sort=sort, descending=order == "desc")
        return table_response(table, fmt="csv", filename=f"connector_hub_{pref}_{fy.year}")
    if export == "xlsx":
        filename = f"connector_hub_{pref}_{fy.year}.xlsx"
        if region.height > INLINE_ROWS:  # a large export runs as a job; its page offers the download
            job_id = start_ranking_export(
                state, db, principal, version_path=analytics.ref.path, year=fy.year, pref=pref, filters=filters,
                sort=sort, descending=order == "desc", filename=filename,
            )  # fmt: skip
            return redirect(f"/jobs/{job_id}")
        table = ranking_table(region, filters=filters, sort=sort, descending=order == "desc")
        return Response(
            ranking_xlsx(table), media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )  # fmt: skip
    per_page = state.web.page_size
    rows, total = fy.ranking_page(
        pref, sort=sort, descending=order == "desc", page=page, per_page=per_page, **filters
    )
    _, n_top = scatter_memo(fy, pref, top)
    scatter_url = "/firms/scatter.svg?" + urlencode({"pref": pref, "year": fy.year, "top": top})
    return render(
        request, "firms.html", principal, nav="firms", pref=pref, year=fy.year, years=analytics.years(), rows=rows.to_dicts(),
        total=total, page=page, per_page=per_page, pages=max((total + per_page - 1) // per_page, 1), sort=sort, order=order,
        jsic=jsic or "", q=q or "", top=top, only_top=only_top, scatter_url=scatter_url, notes=fy.notes, sorts=RANKING_SORTS,
        n_top=n_top, allowed=principal.firm_prefectures(), empty=False, **dataset_context(db, principal, analytics),
    )  # fmt: skip


@router.get("/firms/{company_id}")
def firm_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    company_id: str,
    year: int | None = None,
    dataset: DatasetId = None,
    download: Literal["suppliers", "customers", "breakdown", "map"] | None = None,
    format: Literal["csv", "xlsx", "svg"] | None = None,  # noqa: A002
) -> Response:
    """A firm's page, from the chosen data or from ``dataset`` (a plan links to the version its
    priority firm was picked from)."""
    analytics = analytics_for(state, db, principal, dataset)
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    detail = firm_detail(fy, analytics.links(fy.year), company_id)
    not_found = AccessDeniedError(
        f"企業ID {company_id} は{fy.year}年度のデータにないか、閲覧する権限がありません。", status_code=404
    )
    if detail is None:
        raise not_found
    try:
        require_firm_scope(principal, detail.firm["prefecture_code"])
    except AccessDeniedError as exc:
        raise not_found from exc
    munis = municipalities().filter(pl.col("kind") != "ward")
    coords = {r[0]: (r[1], r[2]) for r in munis.select("municipality_code", "lat", "lng").iter_rows()}

    def pts(frame: pl.DataFrame, cls: str) -> list:
        return [(*coords.get(m, (None, None)), cls, f"{n}（{a:,.0f}千円）") for m, n, a in
                frame.select("municipality_code", "name", pl.col("amount").fill_null(0)).iter_rows()]  # fmt: skip

    f = detail.firm
    points = pts(detail.in_region_suppliers, "supplier") + pts(detail.out_of_region_customers, "customer")
    points.append((*coords.get(f["municipality_code"], (None, None)), "firm", f["name"]))
    map_svg = point_map_svg(
        munis["lat"].to_numpy(), munis["lng"].to_numpy(), points, title=f"{f['name']}の取引先の所在地"
    )
    if download:
        partner_labels = {"company_id": "企業ID", "name": "企業名", "prefecture_code": "都道府県コード",
                          "municipality_code": "市区町村コード", "amount": "取引額（千円）", "amount_estimated": "推計"}  # fmt: skip
        breakdown = pl.DataFrame(score_breakdown(f)).select(
            pl.col("label").alias("指標"), pl.col("value").alias("値"), pl.col("score").alias("偏差値"),
            pl.col("weight").alias("重み"),
        )  # fmt: skip
        name = f"{f['name']}_{fy.year}"
        return download_response(
            download, format,
            tables={"suppliers": (f"域内の仕入先_{name}", labelled(detail.in_region_suppliers, partner_labels)),
                    "customers": (f"域外の販売先_{name}", labelled(detail.out_of_region_customers, partner_labels)),
                    "breakdown": (f"総合スコアの内訳_{name}", breakdown)},
            charts={"map": (f"取引先の所在地_{name}", map_svg)},
        )  # fmt: skip
    return render(
        request, "firm.html", principal, nav="firms", firm=f, year=fy.year, map_svg=map_svg, notes=fy.notes,
        breakdown=score_breakdown(f),
        suppliers=detail.in_region_suppliers.head(200).to_dicts(), customers=detail.out_of_region_customers.head(200).to_dicts(),
        n_suppliers=detail.in_region_suppliers.height, n_customers=detail.out_of_region_customers.height,
    )  # fmt: skip
