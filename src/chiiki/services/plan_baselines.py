"""Newer data behind a plan's KPI baselines (issue #11 §3): a plan keeps reading the data-set version
its evidence was taken from; when a newer version of the same data set exists the plan page says so,
shows the old and new baselines side by side, and only on the editor's confirmation re-bases the KPIs
on the new version (yearly targets and reported actuals are kept; the change is audited)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.plans import workflow
from chiiki.plans.kpi import plan_baseline
from chiiki.services.access import Principal, dataset_names
from chiiki.services.datasets import dataset_label, version_ref
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError, PermissionDeniedError
from chiiki.store.models import DatasetVersion, Plan
from chiiki.store.parts import set_kpi


@dataclass(frozen=True)
class NewerData:
    """A newer version of the data set a plan's baselines were taken from."""

    pinned_id: int
    pinned_label: str
    newer_id: int
    newer_label: str


def _label(row) -> str:  # noqa: ANN001 - a DatasetVersion row
    return f"{dataset_label(row.name)} {row.version}"


def newer_data(db: Session, principal: Principal, plan: Plan) -> NewerData | None:
    """The newest usable version of the data set behind the plan's KPI baselines when it is newer
    than the one they are pinned to, and ``principal`` may both read it and edit the plan."""
    pinned = sorted({k.dataset_id for k in plan.kpis if k.dataset_id is not None})
    if not pinned or not workflow.can_edit(principal, plan):
        return None
    rows = db.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version).where(
            DatasetVersion.id.in_(pinned)
        )
    ).all()
    if not rows:
        return None
    base = max(rows, key=lambda r: r.id)
    if base.name not in dataset_names(principal):
        return None
    newest = db.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version)
        .where(DatasetVersion.name == base.name, DatasetVersion.retired_at.is_(None))
        .order_by(DatasetVersion.id.desc())
        .limit(1)
    ).first()
    if newest is None or newest.id <= base.id:
        return None
    return NewerData(base.id, _label(base), newest.id, _label(newest))


@dataclass(frozen=True)
class BaselineComparison:
    """Old and new baselines of a plan's KPIs, before anything changes."""

    newer: NewerData
    fiscal_year: int
    rows: pl.DataFrame
    """``code, label, unit, old_year, old_baseline, new_year, new_baseline, change, new_source``."""


def compare_baselines(
    state: AppState, db: Session, principal: Principal, plan: Plan, dataset_id: int
) -> BaselineComparison:
    """The plan's KPI baselines recomputed on version ``dataset_id`` (its latest fiscal year, the
    plan's priority firms; SPEC §6.3) beside the current ones. Nothing is written."""
    newer = newer_data(db, principal, plan)
    if newer is None or newer.newer_id != dataset_id:
        raise InvalidInputError(
            "この計画の基準値を更新できる新しいデータはありません（最新の版で計算済みか、閲覧できないデータです）。"
        )
    ref = version_ref(db, principal, dataset_id)
    firms = [f.company_id for f in plan.priority_firms]
    if not firms:
        raise InvalidInputError("重点支援企業が登録されていないため、基準値を計算できません。")
    analytics = state.analytics.for_ref(ref)
    year = max(analytics.years())
    data = analytics.dataset([year])
    new = plan_baseline(data.companies, data.transactions, company_ids=firms, fiscal_year=year)
    old = pl.DataFrame(
        [
            {"code": k.code, "label": k.label, "unit": k.unit, "old_year": k.baseline_year, "old_baseline": k.baseline}
            for k in plan.kpis
            if k.dataset_id is not None
        ],
        schema={"code": pl.String, "label": pl.String, "unit": pl.String, "old_year": pl.Int64,
                "old_baseline": pl.Float64},
    )  # fmt: skip
    rows = old.join(
        new.select("code", pl.col("baseline_year").cast(pl.Int64).alias("new_year"),
                   pl.col("baseline").cast(pl.Float64).alias("new_baseline"), pl.col("source").alias("new_source")),
        on="code", how="inner",
    ).with_columns(change=pl.col("new_baseline") - pl.col("old_baseline"))  # fmt: skip
    return BaselineComparison(newer, year, rows)


def refresh_baselines(
    state: AppState, db: Session, principal: Principal, plan: Plan, dataset_id: int
) -> BaselineComparison:
    """Re-base the plan's data-derived KPIs on version ``dataset_id`` as :func:`compare_baselines`
    showed them: baseline, its year, source and pinned version change; targets and actuals stay."""
    if not workflow.can_edit(principal, plan):
        raise PermissionDeniedError("この計画を編集する権限がありません。")
    comparison = compare_baselines(state, db, principal, plan, dataset_id)
    kpis = {k.code: k for k in plan.kpis}
    for row in comparison.rows.iter_rows(named=True):
        kpi = kpis[row["code"]]
        targets = {v.fiscal_year: v.value for v in kpi.values if v.kind == "target"}
        set_kpi(
            db, plan.id, actor=principal, code=kpi.code, baseline=row["new_baseline"],
            baseline_year=row["new_year"], baseline_source=row["new_source"], targets=targets,
            target_rule=kpi.target_rule, dataset_id=dataset_id,
        )  # fmt: skip
    return comparison
