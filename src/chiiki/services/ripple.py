"""経済波及効果 (SPEC §5) for the 波及効果 page and ``POST /api/v1/io/ripple``: the request's demand
run through the table of the user's region. Aggregates: every logged-in user may run it."""

from __future__ import annotations

import math
from typing import Annotated

import numpy as np
import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from chiiki.io import DEFAULT_C, IOTableError, demand_matrix, ripple
from chiiki.services.access import Principal
from chiiki.services.datasets import analytics_for
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError, NotFoundError


class DemandIn(BaseModel):
    sector: str = Field(
        min_length=1, max_length=200, description="部門名（表の部門名、または番号付きの名前の一部）"
    )
    value: float = Field(
        allow_inf_nan=False, ge=-1e12, le=1e12, description="最終需要の増加額（表の単位、通常は百万円）"
    )
    scenario: str = Field("シナリオ1", min_length=1, max_length=100)


class RippleIn(BaseModel):
    prefecture_code: Annotated[str, Field(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$")] = "07"
    demand: list[DemandIn] = Field(min_length=1, max_length=1000)
    c: float = Field(DEFAULT_C, ge=0, le=1, description="消費転換係数")
    local_output: bool = Field(False, description="需要がすでに域内生産額のとき true（自給率を掛けない）")


class RippleOut(BaseModel):
    unit: str
    c: float
    local_output: bool
    table: str
    summary: list[dict]
    effects: list[dict]
    multipliers: list[dict]
    notes: list[str]


def _clean(records: list[dict]) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in records
    ]


def run_ripple(state: AppState, db: Session, principal: Principal, body: RippleIn) -> RippleOut:
    """The ripple of ``body``'s demand (SPEC §5), shared by the API and the 波及効果 page."""
    analytics = analytics_for(state, db, principal)
    if state.web.io_table is None and not analytics.available:
        raise NotFoundError(
            "産業連関表がありません。企業データを取り込むか、CHIIKI_IO_TABLE を設定してください。"
        )
    try:
        table = analytics.industry.io_table(body.prefecture_code, path=state.web.io_table)
        frame = pl.DataFrame([d.model_dump() for d in body.demand])
        F, names = demand_matrix(table, frame, source="需要の入力")
        result = ripple(table, F, c=body.c, local_output=body.local_output, scenarios=names)
    except IOTableError as exc:
        raise InvalidInputError(str(exc)) from exc
    if not np.isfinite(result.summary["value"].to_numpy()).all():
        raise InvalidInputError("計算結果に数値でない値が出ました。需要の値を確認してください。")
    source = (
        str(state.web.io_table)
        if state.web.io_table
        else f"企業データから作成したデモ表（{body.prefecture_code}）"
    )
    notes = (
        []
        if state.web.io_table
        else [
            "企業データから作成したデモ用の産業連関表です。域内最終需要比率などは仮定値で、統計表ではありません。"
        ]
    )
    return RippleOut(
        unit=result.unit, c=result.c, local_output=result.local_output, table=source,
        summary=_clean(result.summary.with_columns(pl.col(pl.Enum).cast(pl.Utf8)).to_dicts()),
        effects=_clean(result.effects.with_columns(pl.col(pl.Enum).cast(pl.Utf8)).to_dicts()),
        multipliers=_clean(result.multipliers.with_columns(pl.col(pl.Enum).cast(pl.Utf8)).to_dicts()),
        notes=notes,
    )  # fmt: skip
