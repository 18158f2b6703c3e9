"""経済波及効果 (SPEC §5) for the 波及効果 page and ``POST /api/v1/io/ripple``: the request's demand
run through the table the user chose (:mod:`chiiki.services.io_tables`: the national 2015 table by
default, an own upload of the prefecture, or an estimated regional table). Aggregates: every
logged-in user may run it; own tables only within their scope.

When the table has an employment row (estimated regional tables), the jobs induced by sector and
stage are given in whole persons (:func:`chiiki.io.jobs.induced_jobs`; issue #14 §3)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from chiiki.io import DEFAULT_C, IOTableError, demand_matrix, ripple
from chiiki.io.jobs import PERSONS, induced_jobs
from chiiki.io.scenario import demand_scenarios
from chiiki.services.access import Principal
from chiiki.services.io_tables import NATIONAL_TABLE_ID, LoadedTable, for_screen, load_table
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError


class DemandIn(BaseModel):
    sector: str = Field(
        min_length=1, max_length=200, description="部門名（表の部門名、または番号付きの名前の一部）"
    )
    value: float = Field(
        allow_inf_nan=False, ge=-1e12, le=1e12, description="最終需要の増加額（表の単位、通常は百万円）"
    )
    scenario: str = Field("シナリオ1", min_length=1, max_length=100)


class RippleIn(BaseModel):
    table: str = Field(
        NATIONAL_TABLE_ID,
        min_length=1,
        max_length=300,
        description="使う産業連関表: national（全国2015年37部門表、既定）、upload-番号（都道府県が登録した表）、"
        "regional:地域:方法:δ（推計表、例 regional:07:flq:0.05）。GET /api/v1/io/tables で一覧できます。",
    )
    demand: list[DemandIn] = Field(min_length=1, max_length=1000)
    c: float = Field(DEFAULT_C, ge=0, le=1, description="消費転換係数")
    local_output: bool = Field(False, description="需要がすでに域内生産額のとき true（自給率を掛けない）")
    imports_zero: bool = Field(
        False, description="輸入の列がない表で、輸入がない（0）とみなして開放型モデルで計算するとき true"
    )


class RippleOut(BaseModel):
    unit: str
    c: float
    local_output: bool
    table: str
    table_id: str
    credit: str | None
    limits: list[str]
    summary: list[dict]
    effects: list[dict]
    multipliers: list[dict]
    jobs: list[dict] = Field(description="部門別・段階別の就業誘発数（人、従業者数のある表のみ）")
    jobs_by_major: list[dict] = Field(description="産業大分類別・段階別の就業誘発数（人、推計表のみ）")
    notes: list[str]
    withheld_sectors: int = Field(0, description="部門別の値を秘匿した部門の数（合計には含む）")


def clean(records: list[dict]) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in records
    ]


def _records(frame: pl.DataFrame) -> list[dict]:
    return clean(frame.with_columns(pl.col(pl.Enum).cast(pl.Utf8)).to_dicts())


def loaded_for(state: AppState, db: Session, principal: Principal, body: RippleIn) -> LoadedTable:
    return load_table(state, db, principal, body.table, imports_zero=body.imports_zero)


def run_ripple(state: AppState, db: Session, principal: Principal, body: RippleIn) -> RippleOut:
    """The ripple of ``body``'s demand (SPEC §5), shared by the API and the 波及効果 page."""
    loaded = loaded_for(state, db, principal, body)
    table = loaded.table
    try:
        frame = pl.DataFrame([d.model_dump() for d in body.demand])
        F, names = demand_matrix(table, frame, source="需要の入力")
        result = ripple(table, F, c=body.c, local_output=body.local_output, scenarios=names)
        jobs = jobs_major = pl.DataFrame()
        if table.e is not None:
            found = induced_jobs(table, demand_scenarios(F, names, local_output=body.local_output), c=body.c,
                                 majors=loaded.majors, major_codes=loaded.major_codes)  # fmt: skip
            jobs = found.by_sector.filter(pl.col(PERSONS) != 0)
            jobs_major = found.by_major.filter(pl.col(PERSONS) != 0)
    except IOTableError as exc:
        raise InvalidInputError(for_screen(str(exc))) from exc
    if not np.isfinite(result.summary["value"].to_numpy()).all():
        raise InvalidInputError("計算結果に数値でない値が出ました。需要の値を確認してください。")
    notes = list(loaded.notes)
    effects = _records(result.effects)
    jobs_rows = clean(jobs.to_dicts())
    if loaded.hidden:  # results by sector leave out the withheld sectors of an estimated table
        hidden = set(loaded.hidden)
        effects = [r for r in effects if r.get("sector") not in hidden]
        jobs_rows = [r for r in jobs_rows if r.get("部門") not in hidden]
        notes.append(f"企業数の少ない {len(hidden)} 部門の部門別の値は秘匿しています（合計には含みます）。")
    if table.e is None:
        notes.append(
            "この表には従業者数の行がないため、就業誘発数は計算していません（推計した地域表にはあります）。"
        )
    return RippleOut(
        unit=result.unit, c=result.c, local_output=result.local_output, table=loaded.label, table_id=loaded.id,
        credit=loaded.credit, limits=[for_screen(x) for x in loaded.limits],
        summary=_records(result.summary), effects=effects,
        multipliers=_records(result.multipliers), jobs=jobs_rows, jobs_by_major=clean(jobs_major.to_dicts()),
        notes=notes, withheld_sectors=len(loaded.hidden),
    )  # fmt: skip
