"""The regional economy (issue #13 items 1–4): map indicators by region, a firm's 花火図 and 商流圏,
industry and prefecture flows, firm and prefecture trends. The same services as the pages, so the
same scope (firm-level data only for entitled users, SPEC §0) and suppression (SPEC §0.1)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Path, Query

from chiiki.api.schemas import ErrorOut
from chiiki.firms.errors import FirmAnalysisError
from chiiki.http.deps import ApiUser, DatasetId, Db, State
from chiiki.services.access import AccessDeniedError
from chiiki.services.datasets import analytics_for
from chiiki.services.economy import (
    INDICATORS,
    dependence_of,
    entitled,
    firm_network,
    firm_trend_of,
    map_indicator,
    scope_dependence,
    scoped_firm,
    scoped_flows,
    scoped_prefecture_trend,
)

router = APIRouter(
    tags=["地域経済"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)

PrefCode = Annotated[
    str, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$", description="都道府県コード（2桁、例: 07）")
]
Year = Annotated[int | None, Query(ge=1900, le=2100, description="年度（省略時は最新）")]
FirmId = Annotated[str, Path(max_length=100)]


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects (NaN and infinities as null)."""
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


@router.get("/maps/{scope}")
def map_values(
    principal: ApiUser, state: State, db: Db,
    scope: Literal["japan", "block", "prefecture"],
    indicator: Literal[tuple(INDICATORS)] = "n_firms",  # type: ignore[valid-type]
    code: Annotated[str | None, Query(max_length=20, description="block: ブロック（tohoku …）、prefecture: 都道府県コード")] = None,
    jsic: Annotated[str | None, Query(pattern=r"^\d{2}$", description="特化係数の産業（JSIC中分類）")] = None,
    year: Year = None, dataset: DatasetId = None,
) -> dict:  # fmt: skip
    """地図の指標: 都道府県別（japan, block）または市区町村別（prefecture）。企業数が少ない地域は秘匿。"""
    analytics = analytics_for(state, db, principal, dataset)
    fy, rt = map_indicator(
        analytics, principal, db, scope=scope, code=code, indicator=indicator,
        jsic=jsic or ("09" if indicator == "lq" else None), year=year, min_count=state.web.min_cell_firms,
    )  # fmt: skip
    return {
        "indicator": indicator, "label": rt.label, "unit": rt.unit, "help": rt.help,
        "year": fy.year if fy else None, "dataset": analytics.ref.label if analytics.ref else None,
        "regions": records(rt.table), "notes": [rt.note] if rt.note else [],
    }  # fmt: skip


@router.get("/firms/{company_id}/fireworks")
def fireworks(
    principal: ApiUser, state: State, db: Db, company_id: FirmId, year: Year = None, dataset: DatasetId = None,
    tiers: Annotated[int, Query(ge=1, le=2)] = 2, top: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict:  # fmt: skip
    """企業の花火図: 域内の仕入先と域外の販売先（2次まで）と取引額。amount_estimated は推計額。"""
    analytics = analytics_for(state, db, principal, dataset)
    net = firm_network(analytics, principal, company_id, year=year, tiers=tiers, top=top)
    return {
        "company_id": company_id, "name": net.firm["name"], "year": net.year, "dataset": analytics.ref.label,
        "edges": records(net.edges), "partners": records(net.partners), "uses_estimated": net.uses_estimated,
        "n_anonymised": net.n_anonymised, "notes": net.notes,
    }  # fmt: skip


@router.get("/firms/{company_id}/dependence")
def dependence(
    principal: ApiUser, state: State, db: Db, company_id: FirmId, year: Year = None, dataset: DatasetId = None,
    tiers: Annotated[int, Query(ge=1, le=20)] = 3, delta: Annotated[float | None, Query(ge=-1e12, le=1e12)] = None,
    scope: Literal["in_region", "all"] = "in_region",
    limit: Annotated[int, Query(ge=1, le=100_000, description="返す仕入先の数（割合の大きい順）")] = 1000,
) -> dict:  # fmt: skip
    """商流圏: N次までの仕入先、各社の売上のうち対象企業に至る割合、Δの波及（千円）。"""
    analytics = analytics_for(state, db, principal, dataset)
    fy, _ = scoped_firm(analytics, principal, company_id, year)
    try:
        r = dependence_of(
            analytics, fy.year, company_id, tiers=tiers, delta=delta, in_region_only=scope == "in_region"
        )
    except FirmAnalysisError as exc:
        raise AccessDeniedError(str(exc), status_code=422) from exc
    firms, n_hidden = scope_dependence(r.firms, entitled(principal, analytics))
    return {
        "focus": r.focus, "year": fy.year, "dataset": analytics.ref.label, "tiers": r.tiers, "delta": r.delta,
        "firms": records(firms.head(limit)), "n_firms": firms.height, "by_tier": records(r.by_tier), "uses_estimated": r.uses_estimated,
        "n_anonymised": n_hidden, "notes": r.notes,
    }  # fmt: skip


@router.get("/firms/{company_id}/trend")
def firm_trend(
    principal: ApiUser, state: State, db: Db, company_id: FirmId, dataset: DatasetId = None
) -> dict:
    """企業の推移: 売上高・従業者数・コネクター度・ハブ度・総合スコアと前年度からの変化。"""
    analytics = analytics_for(state, db, principal, dataset)
    _, firm = scoped_firm(analytics, principal, company_id, None)
    trend, notes = firm_trend_of(analytics, company_id, firm["prefecture_code"])
    return {
        "company_id": company_id,
        "dataset": analytics.ref.label,
        "series": records(trend),
        "notes": notes,
    }


@router.get("/network/industry")
def industry_network(
    principal: ApiUser, state: State, db: Db, pref: PrefCode, year: Year = None, dataset: DatasetId = None
) -> dict:
    """産業間の取引（産業別の花火図）: 域内取引・域外からの仕入・域外への販売。少数企業の流れは秘匿。"""
    return _flows_out(state, db, principal, "industry", pref, year, dataset)


@router.get("/network/prefectures")
def prefecture_network(
    principal: ApiUser, state: State, db: Db, pref: PrefCode, year: Year = None, dataset: DatasetId = None
) -> dict:
    """都道府県間の取引（全産業の花火図）。少数企業の流れは秘匿。"""
    return _flows_out(state, db, principal, "prefectures", pref, year, dataset)


def _flows_out(state, db, principal, view: str, pref: str, year: int | None, dataset: int | None) -> dict:  # noqa: ANN001
    analytics = analytics_for(state, db, principal, dataset)
    f = scoped_flows(
        analytics, principal, view=view, pref=pref, year=year, min_count=state.web.min_cell_firms
    )
    return {"prefecture_code": pref, "year": f.year, "dataset": analytics.ref.label, "flows": records(f.edges),
            "n_suppressed": f.n_hidden, "uses_estimated": f.flows.uses_estimated, "notes": f.flows.notes}  # fmt: skip


@router.get("/trends/prefectures/{pref}")
def prefecture_trend(
    principal: ApiUser, state: State, db: Db, pref: Annotated[str, Path(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")],
    dataset: DatasetId = None,
) -> dict:  # fmt: skip
    """都道府県の推移: 企業数・域内取引額・コネクター度/ハブ度の集中度と前年度からの変化。"""
    analytics = analytics_for(state, db, principal, dataset)
    if not analytics.available:
        raise AccessDeniedError("企業データが登録されていません。", status_code=404)
    try:
        trend, notes, _ = scoped_prefecture_trend(
            analytics, principal, pref, min_count=state.web.min_cell_firms
        )
    except FirmAnalysisError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    return {"prefecture_code": pref, "dataset": analytics.ref.label, "series": records(trend), "notes": notes}
