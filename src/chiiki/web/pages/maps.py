"""地図: choropleths (階級区分図) of any indicator by prefecture, by the municipalities of a prefecture
(drill-down) and by the prefectures of a block, with classes and a legend (issue #13 item 1). Drawn
server-side by :mod:`chiiki.maps`; aggregates only, so every logged-in user sees every map, with sums
over fewer than N firms suppressed for readers not entitled to the firms (SPEC §0.1)."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.http.deps import Db, PageUser, State
from chiiki.maps import block_choropleth, municipality_choropleth, prefecture_choropleth
from chiiki.maps.classify import METHOD_LABELS
from chiiki.reference import blocks, prefecture_names
from chiiki.services.access import AccessDeniedError
from chiiki.services.analytics import Analytics
from chiiki.services.datasets import analytics_for
from chiiki.services.economy import (
    INDICATORS,
    RegionTable,
    map_indicator,
)
from chiiki.web.downloads import download_response
from chiiki.web.formatting import jsic_names
from chiiki.web.pages.common import dataset_context, render

router = APIRouter(include_in_schema=False)

Indicator = Literal[tuple(INDICATORS)]  # type: ignore[valid-type]
Method = Literal["quantile", "equal", "jenks"]
PrefPath = Annotated[str, ...]


def source_text(analytics: Analytics, year: int | None, indicator: str) -> str:
    if indicator in ("plans", "plans_active"):
        return "計画の登録状況（現在）"
    if analytics.ref is None or year is None:
        return "企業データなし"
    return f"データ: {analytics.ref.label}、{year}年度"


def value_table(rt: RegionTable) -> pl.DataFrame:
    """The map's table as downloaded: names, the value in its own unit, firms, suppressed."""
    unit = f"（{rt.unit}）" if rt.unit else ""
    return rt.table.select(
        pl.col("code").alias("地域コード"),
        pl.col("name").alias("地域"),
        pl.col("value").alias(f"{rt.label}{unit}"),
        pl.col("n_firms").alias("企業数"),
        pl.when("suppressed").then(pl.lit("秘匿")).otherwise(pl.lit("")).alias("備考"),
    )


def _map_page(
    request: Request,
    principal,
    state,
    db: Db,
    *,
    scope: str,
    code: str | None,
    indicator: str,
    jsic: str | None,
    year: int | None,
    method: str,
    classes: int,
    download: str | None,
    fmt: str | None,
) -> Response:  # noqa: ANN001
    analytics = analytics_for(state, db, principal)
    jsic = jsic or ("09" if indicator == "lq" else None)
    fy, rt = map_indicator(
        analytics,
        principal,
        db,
        scope=scope,
        code=code,
        indicator=indicator,
        jsic=jsic,
        year=year,
        min_count=state.web.min_cell_firms,
    )
    level = "municipality" if scope == "prefecture" else "prefecture"
    y = fy.year if fy else None
    params = f"indicator={indicator}" + (f"&jsic={jsic}" if jsic else "") + (f"&year={y}" if y else "")
    params += f"&method={method}&classes={classes}"
    common = {"value_column": "value", "code_column": "code", "label": rt.label, "unit": rt.unit,
              "method": method, "classes": classes, "source": source_text(analytics, y, indicator)}  # fmt: skip
    names = prefecture_names()
    if scope == "prefecture":
        svg = municipality_choropleth(rt.table, prefecture=code, **common)
        area = names[code]
    elif scope == "block":
        svg = block_choropleth(rt.table, block=code, href=f"/maps/prefectures/{{code}}?{params}", **common)
        area = dict(blocks().select("block_code", "name").iter_rows())[code]
    else:
        svg = prefecture_choropleth(rt.table, href=f"/maps/prefectures/{{code}}?{params}", **common)
        area = "全国"
    fname = f"{rt.label}_{area}_{y or ''}".rstrip("_")
    if download:
        return download_response(
            download, fmt, tables={"table": (fname, value_table(rt))}, charts={"map": (fname, svg)}
        )
    rows = rt.table.sort("value", descending=True, nulls_last=True).to_dicts()
    return render(
        request, "maps.html", principal, nav="maps", svg=svg, rt=rt, rows=rows, scope=scope, code=code, area=area,
        level=level, indicator=indicator, indicators=INDICATORS, jsic=jsic or "", jsic_options=jsic_names(),
        year=y, years=analytics.years() if fy else [], method=method, methods=METHOD_LABELS, classes=classes,
        params=params, block_list=blocks().select("block_code", "name").rows(), empty=fy is None,
        **dataset_context(db, principal, analytics),
    )  # fmt: skip


Jsic = Annotated[str | None, Query(pattern=r"^(\d{2})?$")]
Year = Annotated[int | None, Query(ge=1900, le=2100)]
Classes = Annotated[int, Query(ge=2, le=8)]
Fmt = Literal["csv", "xlsx", "svg"] | None


@router.get("/maps")
def national_map(
    request: Request, principal: PageUser, state: State, db: Db, indicator: Indicator = "n_firms",
    jsic: Jsic = None, year: Year = None, method: Method = "quantile", classes: Classes = 5,
    download: Literal["table", "map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """The 47 prefectures; each links to its municipalities."""
    return _map_page(request, principal, state, db, scope="japan", code=None, indicator=indicator, jsic=jsic or None,
                     year=year, method=method, classes=classes, download=download, fmt=format)  # fmt: skip


@router.get("/maps/prefectures/{pref}")
def prefecture_map(
    request: Request, principal: PageUser, state: State, db: Db, pref: str, indicator: Indicator = "n_firms",
    jsic: Jsic = None, year: Year = None, method: Method = "quantile", classes: Classes = 5,
    download: Literal["table", "map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """A prefecture's municipalities (政令市 by ward)."""
    if pref not in prefecture_names():
        raise AccessDeniedError(
            f"都道府県コード「{pref}」はありません。2桁（例: 07）で指定してください。", status_code=404
        )
    return _map_page(request, principal, state, db, scope="prefecture", code=pref, indicator=indicator,
                     jsic=jsic or None, year=year, method=method, classes=classes, download=download, fmt=format)  # fmt: skip


@router.get("/maps/blocks/{block}")
def block_map(
    request: Request, principal: PageUser, state: State, db: Db, block: str, indicator: Indicator = "n_firms",
    jsic: Jsic = None, year: Year = None, method: Method = "quantile", classes: Classes = 5,
    download: Literal["table", "map"] | None = None, format: Fmt = None,  # noqa: A002
) -> Response:  # fmt: skip
    """The prefectures of one METI block (東北 …), compared."""
    return _map_page(request, principal, state, db, scope="block", code=block, indicator=indicator,
                     jsic=jsic or None, year=year, method=method, classes=classes, download=download, fmt=format)  # fmt: skip
