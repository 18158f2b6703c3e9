"""人材需要 of a plan (SPEC §7.3; issue #14 item 3): the jobs its ripple scenarios induce, by JSIC
大分類 (or by table sector when the table gives no 大分類 split), from the scenarios saved with the
plan on the tables they were computed with (pinned by table id). Scenarios on a table without an
employment row (the national table) are named in a note instead."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from sqlalchemy.orm import Session

from chiiki.io import IOTableError, demand_matrix
from chiiki.io.jobs import PERSONS, induced_jobs, talent_demand
from chiiki.io.scenario import demand_scenarios
from chiiki.io.templates import scenarios_from_spec
from chiiki.services.access import Principal
from chiiki.services.io_tables import load_table
from chiiki.services.state import AppState
from chiiki.store.errors import StoreError


@dataclass(frozen=True)
class PlanTalent:
    """``rows``: industry, per project persons and 計 (総合効果, whole persons), largest first;
    ``projects`` the column names; ``notes`` what was left out and why."""

    projects: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    column: str = "産業大分類"


def _scenarios(stored, table):  # noqa: ANN001, ANN202 - RippleScenario, IOTable
    inputs = stored.inputs or {}
    if "spec" in inputs:
        spec = dict(inputs["spec"], name=stored.name)
        return scenarios_from_spec([spec], source=stored.name)
    demand = pl.DataFrame(inputs.get("demand") or [])
    if demand.is_empty():
        return []
    demand = demand.with_columns(scenario=pl.lit(stored.name))
    F, names = demand_matrix(table, demand, source=stored.name)
    return demand_scenarios(F, names, local_output=bool(inputs.get("local_output")))


def plan_talent(state: AppState, db: Session, principal: Principal, plan) -> PlanTalent | None:  # noqa: ANN001
    """The plan's 人材需要, or None when it has no ripple scenarios."""
    if not plan.ripple_scenarios:
        return None
    frames, notes, column = [], [], "産業大分類"
    for stored in plan.ripple_scenarios:
        table_id = (stored.inputs or {}).get("table_id")
        if not table_id:
            notes.append(f"「{stored.name}」は使った表が記録されていないため含めていません。")
            continue
        try:
            loaded = load_table(
                state, db, principal, table_id, imports_zero=bool(stored.inputs.get("imports_zero"))
            )
            if loaded.table.e is None:
                notes.append(
                    f"「{stored.name}」の表（{loaded.label}）には従業者数がないため含めていません。推計した地域表で計算すると示せます。"
                )
                continue
            scenarios = _scenarios(stored, loaded.table)
            if not scenarios:
                continue
            jobs = induced_jobs(loaded.table, scenarios, c=float(stored.inputs.get("c") or stored.inputs.get("ranges", {}).get("c") or 0.7243),
                                majors=loaded.majors, major_codes=loaded.major_codes)  # fmt: skip
        except (StoreError, IOTableError) as exc:
            notes.append(f"「{stored.name}」は計算できませんでした（{exc}）。")
            continue
        by = "major" if jobs.by_major.height else "sector"
        column = "産業大分類" if by == "major" else "部門"
        frames.append(
            talent_demand(jobs, by=by).filter((pl.col("段階") == "総合効果") & (pl.col("事業") != "計"))
        )
    if not frames:
        return PlanTalent(notes=notes)
    long = pl.concat(
        [f.rename({c: "industry" for c in ("産業大分類", "部門") if c in f.columns}) for f in frames]
    )
    projects = list(dict.fromkeys(long["事業"].to_list()))
    wide = long.pivot(on="事業", index="industry", values=PERSONS, aggregate_function="sum").fill_null(0)
    wide = wide.with_columns(計=pl.sum_horizontal(projects)).sort("計", descending=True)
    return PlanTalent(projects=projects, rows=wide.to_dicts(), notes=notes, column=column)
