"""Industry analytics (SPEC §4) from the current firm data: 特化係数, 稼ぐ力, focus-field suggestions.
Aggregates: every logged-in user may read them (SPEC §0)."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from fastapi import APIRouter, HTTPException, Query

from chiiki.api.schemas import ErrorOut, Page, RecordsOut
from chiiki.http.deps import ApiUser, AppState, DatasetId, Db, State
from chiiki.industry.frame import IndustryDataError
from chiiki.services.access import Principal
from chiiki.services.analytics import Analytics
from chiiki.services.datasets import analytics_for
from chiiki.services.industry import (
    Suppression,
    earning_power_table,
    field_suggestions,
    industry_suppression,
    lq_table,
    suppress,
)

router = APIRouter(
    prefix="/industry", tags=["産業分析"], responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
)

PrefCode = Annotated[str, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$", description="都道府県コード（2桁）")]
Measure = Literal["employees", "establishments", "sales", "value_added"]


def industry_matrix(
    state: AppState,
    db,
    principal: Principal,
    dataset: int | None,  # noqa: ANN001
) -> tuple[Analytics, pl.DataFrame]:
    analytics = analytics_for(state, db, principal, dataset)
    if not analytics.available:
        raise HTTPException(404, "企業データが登録されていません。データを取り込んでください。")
    return analytics, analytics.industry.matrix()


def _suppression(
    state: AppState,
    principal: Principal,
    analytics: Analytics,
    matrix: pl.DataFrame,
    pref: str,
    year: int | None,
) -> Suppression | None:
    """The small cells to hide from ``principal`` (SPEC §0.1), for ``year`` or the latest year."""
    y = year if year is not None else matrix["fiscal_year"].max()
    return industry_suppression(principal, analytics, pref=pref, year=y, min_count=state.web.min_cell_firms)


@router.get("/lq", response_model=Page[dict])
def lq(
    principal: ApiUser,
    state: State,
    db: Db,
    pref: PrefCode,
    dataset: DatasetId = None,
    measure: Measure = "employees",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[dict]:
    """都道府県の産業（JSIC中分類）別の特化係数 LQ = (x_ri/x_r)/(x_Ni/x_N)。"""
    analytics, matrix = industry_matrix(state, db, principal, dataset)
    try:
        table = lq_table(matrix, pref=pref, measure=measure, year=year)
    except IndustryDataError as exc:
        raise HTTPException(422, str(exc)) from exc
    hidden = _suppression(state, principal, analytics, matrix, pref, year)
    table = suppress(table, hidden, ["value", "share", "lq"])
    rows = table.slice((page - 1) * per_page, per_page)
    notes = [
        "企業データからの集計です（事業所数は企業数で代用）。",
        *([hidden.note] if hidden and hidden.note else []),
    ]
    return Page[dict](items=rows.to_dicts(), total=table.height, page=page, per_page=per_page, notes=notes)


@router.get("/earning-power", response_model=RecordsOut)
def earning_power_view(
    principal: ApiUser, state: State, db: Db, pref: PrefCode, dataset: DatasetId = None
) -> RecordsOut:
    """稼ぐ力の見える化（RESAS 型）: 産業別の雇用比率と log 特化係数。"""
    analytics, matrix = industry_matrix(state, db, principal, dataset)
    try:
        table = earning_power_table(matrix, pref=pref)
    except (IndustryDataError, ValueError) as exc:
        raise HTTPException(404, str(exc)) from exc
    hidden = _suppression(state, principal, analytics, matrix, pref, None)
    table = suppress(table, hidden, ["employees", "employment_share", "lq", "log_lq"])
    return RecordsOut(items=table.to_dicts(), notes=[hidden.note] if hidden and hidden.note else [])


@router.get("/suggestions", response_model=RecordsOut)
def suggestions(
    principal: ApiUser,
    state: State,
    db: Db,
    pref: PrefCode,
    measure: Measure = "employees",
    dataset: DatasetId = None,
) -> RecordsOut:
    """17の戦略分野の重点分野候補（強み・関連密度・規模・成長と理由）。"""
    analytics, matrix = industry_matrix(state, db, principal, dataset)
    try:
        table, notes = field_suggestions(matrix, pref=pref, measure=measure)
    except IndustryDataError as exc:
        raise HTTPException(422, str(exc)) from exc
    hidden = _suppression(state, principal, analytics, matrix, pref, None)
    table = suppress(table, hidden, ["lq", "growth", "score"], key="field_id")
    return RecordsOut(
        items=table.to_dicts(), notes=[*notes, *([hidden.note] if hidden and hidden.note else [])]
    )
