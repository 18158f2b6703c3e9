"""ダッシュボード: a tile map of Japan by prefecture with plan status and numbers, the user's own
region first (issue #7 §2). Aggregates only, so every role sees the whole map."""

from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from chiiki.http.deps import Db, PageUser, State
from chiiki.reference import prefecture_names
from chiiki.services.datasets import analytics_for
from chiiki.store.models import Plan
from chiiki.web.charts import tile_map_svg
from chiiki.web.formatting import PLAN_STATE_COLOURS, PLAN_STATE_LABELS
from chiiki.web.pages.common import render

router = APIRouter(include_in_schema=False)

STATE_ORDER = ("draft", "returned", "submitted", "under_review", "approved", "monitoring", "closed")


def prefecture_summary(firms: pl.DataFrame | None) -> pl.DataFrame:
    """Firms, sales and employees per prefecture (aggregates, SPEC §0)."""
    if firms is None:
        return pl.DataFrame(
            schema={
                "prefecture_code": pl.Utf8,
                "n_firms": pl.UInt32,
                "sales": pl.Int64,
                "employees": pl.Int64,
            }
        )
    return firms.group_by("prefecture_code").agg(
        pl.len().alias("n_firms"), pl.col("sales").sum(), pl.col("employees").sum()
    )


@router.get("/")
def dashboard(request: Request, principal: PageUser, state: State, db: Db) -> Response:
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
    summary = prefecture_summary(firm_year.firms if firm_year else None)
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
        state_labels=PLAN_STATE_LABELS,
    )
