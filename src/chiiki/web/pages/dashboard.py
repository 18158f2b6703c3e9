"""ダッシュボード: a tile map of Japan by prefecture with plan status and numbers, the user's own
region first (issue #7 §2). Aggregates only, so every role sees the whole map."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from chiiki.http.deps import Db, PageUser, State
from chiiki.industry.disclosure import suppressed_cells
from chiiki.reference import prefecture_names
from chiiki.services.access import may_see_firm_figures
from chiiki.services.datasets import analytics_for
from chiiki.store.models import Plan
from chiiki.web.charts import tile_map_svg
from chiiki.web.downloads import download_response
from chiiki.web.formatting import PLAN_STATE_COLOURS, PLAN_STATE_LABELS
from chiiki.web.pages.common import dataset_context, render

router = APIRouter(include_in_schema=False)

VISIBLE_COUNT = 10**9
"""A prefecture the reader may see in full: never suppressed, chosen as a complement only last."""
STATE_ORDER = ("draft", "returned", "submitted", "under_review", "approved", "monitoring", "closed")


def prefecture_summary(
    firms: pl.DataFrame | None, *, visible: Callable[[str], bool] = lambda _: True, min_count: int = 3
) -> pl.DataFrame:
    """Firms, sales and employees per prefecture (aggregates, SPEC §0). Sums over fewer than
    ``min_count`` firms of a prefecture whose firm data the reader may not see (``visible``) are
    suppressed, with a complement when one alone would follow from the others (SPEC §0.1)."""
    if firms is None:
        return pl.DataFrame(
            schema={
                "prefecture_code": pl.Utf8,
                "n_firms": pl.UInt32,
                "sales": pl.Int64,
                "employees": pl.Int64,
            }
        )
    out = firms.group_by("prefecture_code").agg(
        pl.len().alias("n_firms"), pl.col("sales").sum(), pl.col("employees").sum()
    )
    counts = out.select(
        pl.col("prefecture_code").alias("region_code"), pl.lit("all").alias("industry_code"),
        pl.when(pl.col("prefecture_code").map_elements(visible, return_dtype=pl.Boolean))
        .then(pl.lit(VISIBLE_COUNT)).otherwise(pl.col("n_firms")).alias("count"),
    )  # fmt: skip
    hidden = suppressed_cells(counts, min_count=min_count)["region_code"]
    mask = pl.col("prefecture_code").is_in(hidden.implode())
    return out.with_columns(
        pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in ("sales", "employees")
    ).with_columns(suppressed=mask)


@router.get("/")
def dashboard(
    request: Request, principal: PageUser, state: State, db: Db,
    download: Literal["table", "map"] | None = None, format: Literal["csv", "xlsx", "svg"] | None = None,  # noqa: A002
) -> Response:  # fmt: skip
    names = prefecture_names()
    rows = db.execute(
        select(Plan.prefecture_code, Plan.state, func.count()).group_by(Plan.prefecture_code, Plan.state)
    ).all()
    plans: dict[str, dict[str, int]] = {}
    for pref, st, n in rows:
        if pref:
            plans.setdefault(pref, {})[st] = n
    # colour of a prefecture: the most advanced state among its plans
    fills, labels = {}, {}
    for pref, counts in plans.items():
        top = max(counts, key=STATE_ORDER.index)
        fills[pref] = PLAN_STATE_COLOURS[top]
        labels[pref] = f"計画{sum(counts.values())}"
    analytics = analytics_for(state, db, principal)
    firm_year = None
    if analytics.available:
        try:
            firm_year = analytics.firm_year()
        except LookupError:
            firm_year = None
    dataset = analytics.ref.name if analytics.ref else ""
    summary = prefecture_summary(
        firm_year.firms if firm_year else None,
        visible=lambda pref: may_see_firm_figures(principal, dataset, pref),
        min_count=state.web.min_cell_firms,
    )
    stats = {r["prefecture_code"]: r for r in summary.iter_rows(named=True)}
    home = principal.home_prefecture
    own = principal.firm_prefectures() or (frozenset({home}) if home else frozenset())
    map_svg = tile_map_svg(
        names,
        title="都道府県別の計画状況",
        fills=fills,
        labels=labels,
        links={code: f"/plans?pref={code}" for code in names},
        highlight=set(own) if own else ({home} if home else set()),
        legend=[(PLAN_STATE_LABELS[s], PLAN_STATE_COLOURS[s]) for s in STATE_ORDER[:6]],
    )
    order = sorted(names, key=lambda c: (c != home, c not in own, c))
    table = [
        {
            "code": c,
            "name": names[c],
            "plans": plans.get(c, {}),
            "n_plans": sum(plans.get(c, {}).values()),
            "stats": stats.get(c),
            "own": c in own or c == home,
        }
        for c in order
    ]
    if download:
        frame = pl.DataFrame(
            [{"都道府県": r["name"], "計画数": r["n_plans"],
              "企業数": r["stats"]["n_firms"] if r["stats"] else None,
              "売上高（千円）": r["stats"]["sales"] if r["stats"] else None,
              "従業者数": r["stats"]["employees"] if r["stats"] else None,
              "備考": "秘匿" if r["stats"] and r["stats"]["suppressed"] else ""} for r in table],
            schema={"都道府県": pl.Utf8, "計画数": pl.Int64, "企業数": pl.Int64, "売上高（千円）": pl.Int64,
                    "従業者数": pl.Int64, "備考": pl.Utf8},
        )  # fmt: skip
        return download_response(
            download,
            format,
            tables={"table": ("都道府県別の概況", frame)},
            charts={"map": ("都道府県別の計画状況", map_svg)},
        )
    return render(
        request,
        "dashboard.html",
        principal,
        nav="dashboard",
        map_svg=map_svg,
        table=table,
        home=home,
        year=firm_year.year if firm_year else None,
        dataset=analytics.ref,
        **dataset_context(db, principal, analytics),
        state_labels=PLAN_STATE_LABELS,
    )
