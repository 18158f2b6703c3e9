"""花火図 and 商流圏 (issue #13 items 2–3): a firm's supply chain on the map with lines weighted by
amount (in-region suppliers, out-of-region customers, up to two tiers), the flows between a
prefecture's industries and between the prefecture and every other one, and a firm's 商流圏 (its
suppliers within N tiers, the share of each one's sales that ends at it and what a Δ does to them).

Firm pages are firm-level data (SPEC §0): only for readers entitled to the firm's prefecture
(:func:`chiiki.services.economy.scoped_firm`). The industry and prefecture views are aggregates: a
reader not entitled to the prefecture's firms sees only flows with at least N suppliers and N
customers behind them. Estimated amounts (SPEC §3.3) are dashed on the map and marked 推計.
"""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.firms.errors import FirmAnalysisError
from chiiki.http.deps import Db, PageUser, State
from chiiki.maps import flow_map, japan_view, municipality_choropleth, prefecture_choropleth, prefecture_view
from chiiki.reference import prefecture_names
from chiiki.services.access import AccessDeniedError
from chiiki.services.datasets import analytics_for
from chiiki.services.economy import (
    dependence_of,
    entitled,
    firm_network,
    scope_dependence,
    scoped_firm,
    scoped_flows,
)
from chiiki.web.charts import stacked_bar_svg
from chiiki.web.downloads import download_response, labelled
from chiiki.web.formatting import jsic_names, municipality_names
from chiiki.web.pages.common import dataset_context, render

router = APIRouter(include_in_schema=False)

Year = Annotated[int | None, Query(ge=1900, le=2100)]
Fmt = Literal["csv", "xlsx", "svg"] | None
Pref = Annotated[str | None, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")]
ESTIMATE_TEXT = "破線の線は推計した取引額を含みます（取引額が分からない取引を推計で補ったもの）。"

PARTNER_LABELS = {
    "kind": "区分", "company_id": "企業ID", "name": "企業名", "prefecture": "都道府県", "municipality": "市区町村",
    "industry": "産業（中分類）", "amount": "取引額（千円）", "estimated": "推計を含む",
}  # fmt: skip


def _names(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefecture, municipality and industry names for the code columns a frame has."""
    prefs, munis, inds = prefecture_names(), municipality_names(), jsic_names()
    out = []
    if "prefecture_code" in frame.columns:
        out.append(
            pl.col("prefecture_code")
            .replace_strict(prefs, default=None, return_dtype=pl.Utf8)
            .alias("prefecture")
        )
    if "municipality_code" in frame.columns:
        out.append(
            pl.col("municipality_code").str.slice(0, 5).replace_strict(munis, default=None, return_dtype=pl.Utf8)
            .alias("municipality")
        )  # fmt: skip
    if "jsic_code" in frame.columns:
        out.append(
            pl.concat_str(
                pl.col("jsic_code"), pl.lit(" "),
                pl.col("jsic_code").replace_strict(inds, default="", return_dtype=pl.Utf8),
            ).alias("industry")
        )  # fmt: skip
    return frame.with_columns(out)


def fireworks_svgs(net, source: str) -> tuple[str, str]:  # noqa: ANN001 - FirmNetwork
    """The supplier side on the firm's prefecture and the customer side on Japan."""
    firm = net.firm
    edges = net.edges.with_columns(pl.col("supplier_municipality", "customer_municipality").str.slice(0, 5))
    common = {"source_column": "supplier_municipality", "target_column": "customer_municipality",
              "estimated_column": "amount_estimated", "kind_column": "kind", "label": "取引額",
              "focus": (firm["municipality_code"] or "")[:5] or None, "source": source}  # fmt: skip
    suppliers = flow_map(
        prefecture_view(firm["prefecture_code"]), edges.filter(pl.col("side") == "supplier"),
        title=f"{firm['name']}の域内の仕入先（{prefecture_names()[firm['prefecture_code']]}）", **common,
    )  # fmt: skip
    customers = flow_map(
        japan_view("prefecture"), edges.filter(pl.col("side") == "customer"),
        title=f"{firm['name']}の域外の販売先（全国）", **common,
    )  # fmt: skip
    return suppliers, customers


@router.get("/firms/{company_id}/fireworks")
def firm_fireworks_page(
    request: Request, principal: PageUser, state: State, db: Db, company_id: str, year: Year = None,
    tiers: Annotated[int, Query(ge=1, le=2)] = 2, top: Annotated[int, Query(ge=1, le=500)] = 100,
    download: Literal["partners", "suppliers_map", "customers_map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """A firm's 花火図: its in-region suppliers and out-of-region customers, up to two tiers."""
    analytics = analytics_for(state, db, principal)
    net = firm_network(analytics, principal, company_id, year=year, tiers=tiers, top=top)
    source = f"データ: {analytics.ref.label}、{net.year}年度"
    sup_svg, cus_svg = fireworks_svgs(net, source)
    partners = _names(net.partners).with_columns(
        pl.when("amount_estimated").then(pl.lit("推計")).otherwise(pl.lit("")).alias("estimated")
    )
    fname = f"花火図_{net.firm['name']}_{net.year}"
    if download:
        return download_response(
            download, format, tables={"partners": (fname, labelled(partners, PARTNER_LABELS))},
            charts={"suppliers_map": (f"{fname}_仕入先", sup_svg), "customers_map": (f"{fname}_販売先", cus_svg)},
        )  # fmt: skip
    return render(
        request, "fireworks.html", principal, nav="firms", firm=net.firm, year=net.year, years=analytics.years(),
        tiers=tiers, top=top, sup_svg=sup_svg, cus_svg=cus_svg, partners=partners.to_dicts(), notes=net.notes,
        uses_estimated=net.uses_estimated, estimate_text=ESTIMATE_TEXT, n_anonymised=net.n_anonymised,
        source=source, **dataset_context(db, principal, analytics),
    )  # fmt: skip


DEPENDENCE_LABELS = {
    "tier": "階層（何次の仕入先か）", "company_id": "企業ID", "name": "企業名", "prefecture": "都道府県",
    "municipality": "市区町村", "industry": "産業（中分類）", "sales": "売上高（千円）",
    "direct_amount": "対象企業への販売額（千円）", "direct_share": "売上に占める対象企業への直接販売の割合",
    "share": "売上のうち対象企業に至る割合", "delta_output": "生産の増加額（千円）",
    "delta_share": "売上に対する増加の割合", "uses_estimated": "推計取引額を含む",
}  # fmt: skip


@router.get("/firms/{company_id}/dependence")
def dependence_page(
    request: Request, principal: PageUser, state: State, db: Db, company_id: str, year: Year = None,
    tiers: Annotated[int, Query(ge=1, le=6)] = 3, delta: Annotated[float | None, Query(ge=-1e12, le=1e12)] = None,
    scope: Literal["in_region", "all"] = "in_region",
    download: Literal["firms", "tiers", "map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """商流圏: the firm's suppliers within ``tiers`` tiers, their dependence and a Δ's effect."""
    analytics = analytics_for(state, db, principal)
    fy, firm = scoped_firm(analytics, principal, company_id, year)
    try:
        result = dependence_of(
            analytics, fy.year, company_id, tiers=tiers, delta=delta, in_region_only=scope == "in_region"
        )
    except FirmAnalysisError as exc:
        raise AccessDeniedError(str(exc), status_code=422) from exc
    firms, n_hidden = scope_dependence(result.firms, entitled(principal, analytics))
    firms = _names(firms)
    source = f"データ: {analytics.ref.label}、{fy.year}年度"
    pref = firm["prefecture_code"]
    if scope == "in_region":
        per = firms.filter(pl.col("municipality_code").is_not_null()).group_by(
            pl.col("municipality_code").str.slice(0, 5).alias("code")
        ).agg(pl.len().alias("n"), pl.col("delta_output").sum())  # fmt: skip
        value = "delta_output" if delta is not None else "n"
        map_svg = municipality_choropleth(
            per, prefecture=pref, code_column="code", value_column=value,
            label="生産の増加額" if delta is not None else "商流圏の企業数", unit="千円" if delta is not None else "社",
            title=f"{firm['name']}の商流圏（{tiers}次まで、市区町村別）", source=source,
        )  # fmt: skip
    else:
        per = firms.group_by(pl.col("prefecture_code").alias("code")).agg(pl.len().alias("n"))
        map_svg = prefecture_choropleth(
            per, code_column="code", value_column="n", label="商流圏の企業数", unit="社",
            title=f"{firm['name']}の商流圏（{tiers}次まで、都道府県別）", source=source,
        )  # fmt: skip
    fname = f"商流圏_{firm['name']}_{fy.year}"
    tiers_table = result.by_tier.rename(
        {"tier": "階層", "n_firms": "企業数", "n_in_region": "うち域内", "direct_amount": "対象企業への販売額（千円）",
         "delta_output": "生産の増加額（千円）"}, strict=False,
    )  # fmt: skip
    if download:
        return download_response(
            download, format, tables={"firms": (fname, labelled(firms, DEPENDENCE_LABELS)),
                                      "tiers": (f"{fname}_階層別", tiers_table)},
            charts={"map": (fname, map_svg)},
        )  # fmt: skip
    return render(
        request, "dependence.html", principal, nav="firms", firm=firm, year=fy.year, years=analytics.years(),
        tiers=tiers, delta=delta, scope=scope, result=result, rows=firms.head(300).to_dicts(), n_rows=firms.height,
        by_tier=result.by_tier.to_dicts(), map_svg=map_svg, n_hidden=n_hidden, notes=result.notes, source=source,
        **dataset_context(db, principal, analytics),
    )  # fmt: skip


INDUSTRY_FLOW_LABELS = {
    "supplier_industry": "販売側の産業", "customer_industry": "購入側の産業", "flow_label": "流れ",
    "amount": "取引額（千円）", "estimated_amount": "うち推計額（千円）", "n_links": "取引数",
    "n_suppliers": "販売企業数", "n_customers": "購入企業数",
}  # fmt: skip


def _industry_names(edges: pl.DataFrame) -> pl.DataFrame:
    inds = jsic_names()

    def name(col: str) -> pl.Expr:
        return pl.concat_str(
            pl.col(col), pl.lit(" "), pl.col(col).replace_strict(inds, default="", return_dtype=pl.Utf8)
        )

    return edges.with_columns(
        name("supplier_jsic").fill_null("産業不明").alias("supplier_industry"),
        name("customer_jsic").fill_null("産業不明").alias("customer_industry"),
    )


@router.get("/network/industry")
def industry_network_page(
    request: Request, principal: PageUser, state: State, db: Db, pref: Pref = None, year: Year = None,
    download: Literal["flows", "chart"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """The industry 花火図 of a prefecture: flows between its industries, into and out of it."""
    pref = pref or principal.home_prefecture or "07"
    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        return render(request, "network_industry.html", principal, nav="maps", pref=pref, empty=True,
                      **dataset_context(db, principal, analytics))  # fmt: skip
    f = scoped_flows(
        analytics, principal, view="industry", pref=pref, year=year, min_count=state.web.min_cell_firms
    )
    fw, edges, n_hidden = f.flows, f.edges, f.n_hidden
    edges = _industry_names(edges)
    totals = (
        pl.concat([
            edges.filter(pl.col("flow") == "within").select(pl.col("supplier_industry").alias("industry"), "amount", pl.lit("域内取引（販売）").alias("s")),
            edges.filter(pl.col("flow") == "inflow").select(pl.col("customer_industry").alias("industry"), "amount", pl.lit("域外からの仕入").alias("s")),
            edges.filter(pl.col("flow") == "outflow").select(pl.col("supplier_industry").alias("industry"), "amount", pl.lit("域外への販売").alias("s")),
        ])
        .pivot(on="s", index="industry", values="amount", aggregate_function="sum")
        .fill_null(0)
    )  # fmt: skip
    series_names = ["域内取引（販売）", "域外からの仕入", "域外への販売"]
    for s in series_names:
        if s not in totals.columns:
            totals = totals.with_columns(pl.lit(0).alias(s))
    totals = (
        totals.with_columns(pl.sum_horizontal(series_names).alias("_t")).sort("_t", descending=True).head(20)
    )
    source = f"データ: {analytics.ref.label}、{f.year}年度"
    chart = stacked_bar_svg(
        totals["industry"].to_list(), {s: (totals[s] / 1000).to_numpy() for s in series_names},
        title=f"{prefecture_names()[pref]}の産業別の取引（上位20産業、{source}）", unit="単位: 百万円",
    )  # fmt: skip
    fname = f"産業間取引_{prefecture_names()[pref]}_{f.year}"
    if download:
        return download_response(
            download, format, tables={"flows": (fname, labelled(edges, INDUSTRY_FLOW_LABELS))},
            charts={"chart": (fname, chart)},
        )  # fmt: skip
    return render(
        request, "network_industry.html", principal, nav="maps", pref=pref, year=f.year, years=analytics.years(),
        chart=chart, rows=edges.head(200).to_dicts(), n_rows=edges.height, n_hidden=n_hidden, empty=False,
        min_count=state.web.min_cell_firms, notes=fw.notes, source=source, **dataset_context(db, principal, analytics),
    )  # fmt: skip


PREF_FLOW_LABELS = {
    "from_name": "販売側の都道府県", "to_name": "購入側の都道府県", "amount": "取引額（千円）",
    "estimated_amount": "うち推計額（千円）", "n_links": "取引数", "n_suppliers": "販売企業数", "n_customers": "購入企業数",
}  # fmt: skip


@router.get("/network/prefectures")
def prefecture_network_page(
    request: Request, principal: PageUser, state: State, db: Db, pref: Pref = None, year: Year = None,
    download: Literal["flows", "map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """The all-industry 花火図: the prefecture's trade with each other prefecture."""
    pref = pref or principal.home_prefecture or "07"
    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        return render(request, "network_prefectures.html", principal, nav="maps", pref=pref, empty=True,
                      **dataset_context(db, principal, analytics))  # fmt: skip
    f = scoped_flows(
        analytics, principal, view="prefectures", pref=pref, year=year, min_count=state.web.min_cell_firms
    )
    fw, edges, n_hidden = f.flows, f.edges, f.n_hidden
    names = prefecture_names()
    edges = edges.with_columns(
        pl.col("from_prefecture").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("from_name"),
        pl.col("to_prefecture").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("to_name"),
        (pl.col("estimated_amount") > 0).alias("estimated"),
        pl.when(pl.col("from_prefecture") == pref).then(pl.lit("販売（移出）")).otherwise(pl.lit("仕入（移入）")).alias("kind"),
    )  # fmt: skip
    source = f"データ: {analytics.ref.label}、{f.year}年度"
    map_svg = flow_map(
        japan_view("prefecture"), edges, label="取引額", source_column="from_prefecture", target_column="to_prefecture",
        estimated_column="estimated", kind_column="kind", focus=pref, source=source,
        title=f"{names[pref]}と他の都道府県との取引（全産業）", href=f"/network/prefectures?pref={{code}}&year={f.year}",
    )  # fmt: skip
    fname = f"都道府県間取引_{names[pref]}_{f.year}"
    if download:
        return download_response(
            download, format, tables={"flows": (fname, labelled(edges, PREF_FLOW_LABELS))}, charts={"map": (fname, map_svg)}
        )  # fmt: skip
    own = edges.filter((pl.col("from_prefecture") == pref) & (pl.col("to_prefecture") == pref))
    return render(
        request, "network_prefectures.html", principal, nav="maps", pref=pref, year=f.year, years=analytics.years(),
        map_svg=map_svg, rows=edges.to_dicts(), n_hidden=n_hidden, empty=False, min_count=state.web.min_cell_firms,
        own=own.row(0, named=True) if own.height else None, notes=fw.notes, source=source,
        uses_estimated=fw.uses_estimated, estimate_text=ESTIMATE_TEXT, **dataset_context(db, principal, analytics),
    )  # fmt: skip
