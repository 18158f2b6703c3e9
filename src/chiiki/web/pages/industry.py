"""産業分析: 特化係数 (LQ) and 稼ぐ力 charts, economic complexity and the 17-field suggestions of a
prefecture (issue #7 §2; SPEC §4). Aggregates only, so every logged-in user may choose any
prefecture (SPEC §0)."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chiiki.http.deps import Db, PageUser, State
from chiiki.industry.frame import IndustryDataError
from chiiki.reference import prefecture_names
from chiiki.services.datasets import analytics_for
from chiiki.services.industry import (
    Suppression,
    complexity_view,
    earning_power_table,
    field_suggestions,
    industry_suppression,
    lq_table,
    suppress,
)
from chiiki.web.charts import bar_chart_svg, scatter_svg
from chiiki.web.downloads import download_response, labelled
from chiiki.web.formatting import jsic_names
from chiiki.web.pages.common import dataset_context, render

router = APIRouter(include_in_schema=False)

MEASURE_LABELS = {
    "employees": "従業者数",
    "sales": "売上高",
    "value_added": "付加価値額",
    "establishments": "事業所数（企業数で代用）",
}
LQ_BARS = 20


def industry_charts(
    matrix: pl.DataFrame, *, pref: str, measure: str, year: int | None, suppression: Suppression | None = None
) -> dict:
    """Everything the page shows for one prefecture and measure (pure; tables as records), with the
    cells of ``suppression`` hidden (SPEC §0.1)."""
    names = jsic_names()

    def label(code: str) -> str:
        return f"{code} {names.get(code, '')}".strip()

    lq = lq_table(matrix, pref=pref, measure=measure, year=year)
    lq = suppress(lq, suppression, ["value", "share", "lq"]).filter(
        (pl.col("value") > 0) | pl.col("suppressed")
    )
    top = lq.filter(~pl.col("suppressed")).head(LQ_BARS)
    lq_svg = bar_chart_svg(
        [label(c) for c in top["industry_code"]], top["lq"].to_numpy(),
        title=f"特化係数（{MEASURE_LABELS[measure]}、上位{LQ_BARS}産業）", reference=1.0, reference_label="全国平均 = 1",
    )  # fmt: skip
    out: dict = {"lq_svg": lq_svg, "lq_rows": lq.head(100).to_dicts(), "notes": []}
    if suppression is not None and suppression.note:
        out["notes"].append(suppression.note)
    try:
        ep = earning_power_table(matrix, pref=pref)
        ep = suppress(ep, suppression, ["employees", "employment_share", "lq", "log_lq"]).filter(
            ~pl.col("suppressed")
        )
        out["ep_svg"] = scatter_svg(
            ep["employment_share"].to_numpy(), ep["log_lq"].to_numpy(),
            title="稼ぐ力の見える化（雇用比率 × 特化係数の対数）", x_label="従業者の比率（都道府県内）",
            y_label="特化係数の対数 log(LQ)", names=[label(c) for c in ep["industry_code"]], y_reference=0.0,
        )  # fmt: skip
        out["ep_rows"] = ep.head(30).to_dicts()
    except (IndustryDataError, ValueError) as exc:
        out["ep_svg"], out["ep_rows"] = None, []
        out["notes"].append(f"稼ぐ力: {exc}")
    try:
        region, cells = complexity_view(matrix, pref=pref, measure=measure)
        out["eci"], out["cx_rows"] = (
            region,
            suppress(cells, suppression, ["rca", "presence"]).head(40).to_dicts(),
        )
    except (IndustryDataError, ValueError) as exc:
        out["eci"], out["cx_rows"] = None, []
        out["notes"].append(f"経済複雑性: {exc}")
    try:
        suggestions, notes = field_suggestions(matrix, pref=pref, measure=measure)
        out["suggestions"] = suppress(
            suggestions, suppression, ["lq", "growth", "score"], key="field_id"
        ).to_dicts()
        out["notes"].extend(notes)
    except (IndustryDataError, ValueError) as exc:
        out["suggestions"] = []
        out["notes"].append(f"重点分野の候補: {exc}")
    return out


DOWNLOAD_LABELS = {
    "industry_code": "産業コード", "industry_name": "産業", "value": "値", "share": "構成比", "lq": "特化係数",
    "employees": "従業者数", "employment_share": "従業者の比率", "log_lq": "特化係数の対数",
    "rank": "順位", "field_id": "分野番号", "field_name": "分野", "category": "区分", "density": "関連密度",
    "growth": "成長率", "score": "スコア", "reason": "理由", "rca": "RCA（顕示比較優位）", "presence": "比較優位",
    "pci": "PCI（製品複雑性）", "suppressed": "秘匿",
}  # fmt: skip


def industry_download(
    view: dict, key: str, fmt: str | None, *, pref: str, measure: str, year: int
) -> Response:
    """A table or chart of the page as shown (suppressed cells empty, SPEC §0.1)."""
    names = jsic_names()
    base = f"{prefecture_names()[pref]}_{MEASURE_LABELS[measure]}_{year}"

    def table(rows: list[dict]) -> pl.DataFrame:
        frame = (
            pl.DataFrame(rows)
            if rows
            else pl.DataFrame({"industry_code": []}, schema={"industry_code": pl.Utf8})
        )
        if "industry_code" in frame.columns:
            frame = frame.with_columns(
                pl.col("industry_code")
                .replace_strict(names, default="", return_dtype=pl.Utf8)
                .alias("industry_name")
            )
        if "suppressed" in frame.columns:
            frame = frame.with_columns(
                pl.when("suppressed").then(pl.lit("秘匿")).otherwise(pl.lit("")).alias("suppressed")
            )
        return labelled(frame, DOWNLOAD_LABELS)

    return download_response(
        key, fmt,
        tables={"lq": (f"特化係数_{base}", table(view["lq_rows"])), "ep": (f"稼ぐ力_{base}", table(view["ep_rows"])),
                "suggestions": (f"重点分野の候補_{base}", table(view["suggestions"])),
                "complexity": (f"経済複雑性_{base}", table(view["cx_rows"]))},
        charts={"lq_chart": (f"特化係数_{base}", view["lq_svg"]),
                **({"ep_chart": (f"稼ぐ力_{base}", view["ep_svg"])} if view.get("ep_svg") else {})},
    )  # fmt: skip


@router.get("/industry")
def industry_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    pref: Annotated[str | None, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")] = None,
    measure: Literal["employees", "sales", "value_added", "establishments"] = "employees",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    download: Literal["lq", "ep", "suggestions", "complexity", "lq_chart", "ep_chart"] | None = None,
    format: Literal["csv", "xlsx", "svg"] | None = None,  # noqa: A002
) -> Response:
    pref = pref or principal.home_prefecture or "07"
    analytics = analytics_for(state, db, principal)
    ctx = {"pref": pref, "measure": measure, "measures": MEASURE_LABELS, "year": year}
    if not analytics.available:
        return render(
            request, "industry.html", principal, nav="industry", empty=True, **ctx,
            **dataset_context(db, principal, analytics),
        )  # fmt: skip
    matrix = analytics.industry.matrix()
    years = sorted(matrix["fiscal_year"].unique().to_list())
    if year not in years:
        ctx["year"] = years[-1]
    suppression = industry_suppression(
        principal, analytics, pref=pref, year=ctx["year"], min_count=state.web.min_cell_firms
    )
    key = ("industry", pref, measure, ctx["year"], suppression is None)
    memo = analytics.industry.memo()
    if key not in memo:
        memo[key] = industry_charts(
            matrix, pref=pref, measure=measure, year=ctx["year"], suppression=suppression
        )
    if download:
        return industry_download(memo[key], download, format, pref=pref, measure=measure, year=ctx["year"])
    return render(
        request,
        "industry.html",
        principal,
        nav="industry",
        empty=False,
        years=years,
        **ctx,
        **memo[key],
        **dataset_context(db, principal, analytics),
    )
