"""Ripple results as the 波及効果 page shows them (SPEC §5): the summary by stage and measure as a
wide table, and production by sector split into stages for a stacked bar chart. Pure functions over
the record lists of :func:`chiiki.api.routes.io.run_ripple` (the frames of :func:`chiiki.io.ripple`).
"""

from __future__ import annotations

import polars as pl

STAGES = ("直接効果", "第1次間接効果", "第2次間接効果", "総合効果")
MEASURES = ("生産誘発額", "粗付加価値誘発額", "雇用者所得誘発額", "就業誘発数")
PRODUCTION = "生産誘発額"


def summary_wide(summary: list[dict]) -> list[dict]:
    """One row per stage with a column per measure (the 経済波及効果 table of SPEC §5)."""
    if not summary:
        return []
    frame = pl.DataFrame(summary).pivot(on="measure", index=["scenario", "stage"], values="value")
    order = {s: i for i, s in enumerate(STAGES)}
    return sorted(frame.to_dicts(), key=lambda r: (str(r["scenario"]), order.get(r["stage"], 99)))


def production_by_sector(effects: list[dict]) -> tuple[list[str], dict[str, list[float]]]:
    """Sectors (largest total first) and the 生産誘発額 of each stage per sector (totals excluded,
    they are the sum of the three stages)."""
    if not effects:
        return [], {}
    frame = (
        pl.DataFrame(effects)
        .filter((pl.col("measure") == PRODUCTION) & (pl.col("stage") != STAGES[-1]))
        .group_by("sector", "stage")
        .agg(pl.col("value").sum())
        .pivot(on="stage", index="sector", values="value")
        .fill_null(0.0)
    )
    stages = [s for s in STAGES[:-1] if s in frame.columns]
    frame = frame.with_columns(pl.sum_horizontal(stages).alias("_total")).sort("_total", descending=True)
    return frame["sector"].to_list(), {s: frame[s].to_list() for s in stages}


def jobs_wide(jobs: list[dict], label: str = "部門") -> list[dict]:
    """Induced jobs (whole persons) as one row per sector (or 大分類) with a column per stage, the
    largest 総合効果 first (issue #14 §3)."""
    if not jobs:
        return []
    frame = pl.DataFrame(jobs)
    persons = next(c for c in frame.columns if c.startswith("就業誘発数"))
    wide = (
        frame.group_by(label, "段階").agg(pl.col(persons).sum()).pivot(on="段階", index=label, values=persons)
    )
    wide = wide.fill_null(0)
    for stage in STAGES:
        if stage not in wide.columns:
            wide = wide.with_columns(pl.lit(0).alias(stage))
    return wide.sort(STAGES[-1], descending=True).rename({label: "label"}).to_dicts()
