"""Jobs induced by a ripple and the 人材需要 of a plan's projects (SPEC §7.3).

Employment coefficients e_j = employees_j / X_j (persons per unit of the table) come from the table's
employment row (an estimated regional table carries the census or firm-data employment it was built
from; :func:`with_employment` adds one to any table). Jobs of a stage = ê · ΔX of that stage, for the
three stages 直接効果 ΔD, 第1次間接効果 ΔX1 − ΔD and 第2次間接効果 ΔX2; 総合効果 is their sum.
By JSIC 大分類: each sector's jobs are split by the shares of its national employment by 大分類
(through the concordance; :attr:`chiiki.io.regional.RegionalTable.majors`).

Counts shown to people are whole persons, rounded consistently (:func:`round_persons`): within each
scenario and stage the sectors are rounded by the largest-remainder method so that they add up to the
rounded stage total, and 総合効果 is the sum of the rounded stages — every shown number adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.ripple import DEFAULT_C
from chiiki.io.scenario import ScenarioDemand, check_names, stage_groups
from chiiki.io.table import IOTable

JOB_STAGES = ("直接効果", "第1次間接効果", "第2次間接効果")
TOTAL_STAGE = "総合効果"
PERSONS = "就業誘発数（人）"
NO_MAJOR = "—"


def round_persons(values: np.ndarray) -> np.ndarray:
    """Whole persons along the last axis by the largest-remainder (Hamilton) method: each slice's
    rounded values sum to the rounded slice total. Vectorised over all leading axes."""
    values = np.asarray(values, dtype=float)
    floor = np.floor(values)
    remainder = values - floor
    need = (np.rint(values.sum(axis=-1)) - floor.sum(axis=-1)).astype(int)
    order = np.argsort(-remainder, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(values.shape[-1]) * np.ones_like(order), axis=-1)
    return (floor + (rank < need[..., np.newaxis])).astype(np.int64)


def with_employment(table: IOTable, employment: np.ndarray) -> IOTable:
    """``table`` with an employment row (persons by sector), so ripples report 就業誘発数."""
    employment = np.asarray(employment, dtype=float)
    if employment.shape != (table.n,) or not np.isfinite(employment).all() or (employment < 0).any():
        raise IOTableError(f"従業者数は部門数（{table.n}）と同じ長さの0以上の数値にしてください。")
    return replace(table, employment=employment)


def major_names() -> dict[str, str]:
    """JSIC 大分類 letter → name (reference data, SPEC §1)."""
    from chiiki.reference import jsic

    majors = jsic("major")
    return dict(zip(majors["code"], majors["name"], strict=True))


@dataclass(frozen=True)
class Jobs:
    """Induced jobs, whole persons: ``by_sector`` (シナリオ, 段階, 部門, 就業誘発数（人）), ``by_major``
    (シナリオ, 段階, 産業大分類, 就業誘発数（人）) and ``totals`` (シナリオ, 段階, 就業誘発数（人）).
    Every frame has the three stages and 総合効果; ``raw`` keeps the unrounded k × 3 × n array."""

    by_sector: pl.DataFrame
    by_major: pl.DataFrame
    totals: pl.DataFrame
    raw: np.ndarray


def _stage_jobs(built: list[ScenarioDemand], base: IOTable, c: float) -> np.ndarray:
    """Unrounded jobs, scenarios × 3 stages × base-table sectors (an added plant sector is counted in
    the base sector it belongs to)."""
    jobs = np.zeros((len(built), len(JOB_STAGES), base.n))
    for group in stage_groups(built, c=c):
        e = group.table.e
        if e is None:
            raise IOTableError(
                "表に従業者数（employment）の行がないため、就業誘発数を計算できません。"
                "推計した地域表を使うか、従業者数を与えてください（with_employment）。"
            )
        stages = (group.stages.direct, group.stages.first_indirect, group.stages.second_indirect)
        for column, (position, demand) in enumerate(zip(group.positions, group.demands, strict=True)):
            for s, stage in enumerate(stages):
                np.add.at(jobs[position, s], demand.base_sector, e * stage[:, column])
    return jobs


def _frame(names: list[str], labels: list[str], label_column: str, counts: np.ndarray) -> pl.DataFrame:
    """Long frame of rounded counts (k × 3 × m) with 総合効果 added as the stage sum."""
    full = np.concatenate([counts, counts.sum(axis=1, keepdims=True)], axis=1)  # k × 4 × m
    k, s, m = full.shape
    stages = [*JOB_STAGES, TOTAL_STAGE]
    return pl.DataFrame(
        {
            "シナリオ": np.repeat(np.asarray(names, dtype=object), s * m),
            "段階": np.tile(np.repeat(np.asarray(stages, dtype=object), m), k),
            label_column: np.tile(np.asarray(labels, dtype=object), k * s),
            PERSONS: full.reshape(-1),
        },
        schema_overrides={"シナリオ": pl.Utf8, "段階": pl.Utf8, label_column: pl.Utf8},
    )


def induced_jobs(
    base: IOTable,
    scenarios: list,
    *,
    c: float = DEFAULT_C,
    majors: np.ndarray | None = None,
    major_codes: tuple[str, ...] | list[str] = (),
) -> Jobs:
    """Jobs induced by each scenario (objects with ``name`` and ``build(table)``; SPEC §7.3).

    ``majors`` (base sectors × JSIC 大分類, rows summing to 1, columns ``major_codes``) gives the split
    by 大分類; without it ``by_major`` is empty. Jobs of sectors without a 大分類 go to 「—」.
    """
    names = check_names(scenarios)
    built = [s.build(base) for s in scenarios]
    raw = _stage_jobs(built, base, c)
    by_sector = _frame(names, list(base.sectors), "部門", round_persons(raw))
    totals = by_sector.group_by("シナリオ", "段階", maintain_order=True).agg(pl.col(PERSONS).sum())
    if majors is None:
        by_major = pl.DataFrame(
            schema={"シナリオ": pl.Utf8, "段階": pl.Utf8, "産業大分類": pl.Utf8, PERSONS: pl.Int64}
        )
    else:
        majors = np.asarray(majors, dtype=float)
        if majors.shape != (base.n, len(major_codes)):
            raise IOTableError("大分類の配分表の大きさが表の部門数と合いません。")
        unplaced = 1.0 - majors.sum(axis=1)
        shares = np.hstack([majors, np.clip(unplaced, 0.0, None)[:, np.newaxis]])
        names_of = major_names()
        labels = [f"{m} {names_of.get(m, '')}".strip() for m in major_codes] + [NO_MAJOR]
        by_major = _frame(names, labels, "産業大分類", round_persons(raw @ shares))
        if not (raw @ shares)[..., -1].any():
            by_major = by_major.filter(pl.col("産業大分類") != NO_MAJOR)
    return Jobs(by_sector=by_sector, by_major=by_major, totals=totals, raw=raw)


def talent_demand(jobs: Jobs, *, by: str = "major") -> pl.DataFrame:
    """人材需要 of a plan's projects (SPEC §7.3): the jobs of each project (シナリオ = 事業) by industry
    and stage, with a 計 row per industry that sums the projects' rounded counts; zero rows dropped.

    ``by``: ``major`` (JSIC 大分類) or ``sector`` (table sectors).
    """
    frame, column = (jobs.by_major, "産業大分類") if by == "major" else (jobs.by_sector, "部門")
    if by not in ("major", "sector"):
        raise IOTableError("人材需要の集計は major（大分類）か sector（部門）で指定してください。")
    total = (
        frame.group_by("段階", column, maintain_order=True)
        .agg(pl.col(PERSONS).sum())
        .with_columns(シナリオ=pl.lit("計"))
    )
    out = pl.concat([frame, total.select(frame.columns)]).rename({"シナリオ": "事業"})
    return out.filter(pl.col(PERSONS) != 0)
