"""Ripple effects (経済波及効果) of final-demand changes, many scenarios at once (SPEC §5, steps 1–5).

For ΔF (``n × k``, one column per scenario), with B the open inverse, m the import ratios, w, v, e the
income, value-added and employment coefficients, h the consumption pattern and c the 消費転換係数:

1. direct ΔD = (I − M̂)ΔF, or ΔD = ΔF when ΔF is already local output (``local_output=True``)
2. first round ΔX1 = B·ΔD; first indirect = ΔX1 − ΔD
3. ΔW1 = w·ΔX1; ΔC = c·ΔW1·h
4. second indirect ΔX2 = B·(I − M̂)·ΔC
5. total ΔX = ΔX1 + ΔX2; value added v̂ΔX, employee income ŵΔX, jobs êΔX; 波及倍率 = ΣΔX / ΣΔF

Each stage (直接効果 ΔD, 第1次間接効果, 第2次間接効果, 総合効果) is reported for each measure
(生産誘発額, 粗付加価値誘発額, 雇用者所得誘発額, 就業誘発数 when the table has an employment row).
In an interregional table, income earned in a region is spent along that region's own 民間消費支出
column; with one region this is exactly step 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.table import IOTable

DEFAULT_C = 0.7243
"""消費転換係数 used when none is given (a published prefectural value; SPEC §5 step 3)."""

STAGES = ("直接効果", "第1次間接効果", "第2次間接効果", "総合効果")
MEASURES = ("生産誘発額", "粗付加価値誘発額", "雇用者所得誘発額", "就業誘発数")
JOBS_UNIT = "人"


@dataclass(frozen=True)
class RippleStages:
    """Production by stage, each ``n × k``: ΔD, ΔX1 − ΔD, ΔX2, ΔX (and ΔF, ΔX1, ΔC for reference)."""

    demand: np.ndarray
    direct: np.ndarray
    first_round: np.ndarray
    first_indirect: np.ndarray
    consumption: np.ndarray
    second_indirect: np.ndarray
    total: np.ndarray


@dataclass(frozen=True)
class RippleResult:
    """Ripple effects of ``k`` scenarios.

    ``effects``: long frame ``scenario, stage, measure, [region,] sector, value`` (one row per
    industry; no total rows). ``summary``: ``scenario, stage, measure, value`` summed over industries.
    ``multipliers``: ``scenario, final_demand`` (ΣΔF), ``total_production`` (ΣΔX) and
    ``ripple_multiplier`` (波及倍率 = ΣΔX / ΣΔF; null when ΣΔF = 0). Money is in ``unit``; 就業誘発数 in 人.
    """

    effects: pl.DataFrame
    summary: pl.DataFrame
    multipliers: pl.DataFrame
    unit: str
    c: float
    local_output: bool


def _income_to_consumption(table: IOTable, income: np.ndarray, c: float) -> np.ndarray:
    """ΔC (k × n, scenario-major) from the income each industry earns (k × n): c·h·ΣΔW, spent per
    region when the table is interregional."""
    h = table.h
    if h.ndim == 1:
        return c * np.outer(income.sum(axis=1), h)
    regions = np.asarray(table.regions)
    spenders = np.asarray(table.consumption_regions)
    G = (spenders[:, np.newaxis] == regions[np.newaxis, :]).astype(float)  # R × n: income by region
    return c * ((income @ G.T) @ h.T)


def ripple_stages(
    table: IOTable, demand: np.ndarray, *, c: float = DEFAULT_C, local_output: bool = False
) -> RippleStages:
    """The production stages of SPEC §5 for ΔF ``demand`` (``n`` or ``n × k``) as ``n × k`` arrays.

    Computed scenario-major (k × n, so ΔX1ᵀ = ΔDᵀ·Bᵀ) and returned as transposed views, which keeps
    the long frame of :func:`ripple` a plain memory layout.
    """
    F = np.asarray(demand, dtype=float)
    if F.ndim == 1:
        F = F[:, np.newaxis]
    if F.ndim != 2 or F.shape[0] != table.n:
        raise IOTableError(f"需要の行列の行数 {F.shape[0]} が表の部門数 {table.n} と合いません。")
    if not np.isfinite(F).all():
        raise IOTableError("需要に数値でない値（NaN・無限大）があります。")
    if not (0 <= c <= 1):
        raise IOTableError(f"消費転換係数 c = {c} は 0〜1 の範囲で指定してください（例: 0.7243）。")
    keep = 1.0 - table.m
    Bt = table.B.T
    Ft = np.ascontiguousarray(F.T)
    Dt = Ft if local_output else Ft * keep  # step 1
    X1t = Dt @ Bt  # step 2
    Ct = _income_to_consumption(table, X1t * table.w, c)  # step 3
    X2t = (Ct * keep) @ Bt  # step 4
    return RippleStages(
        demand=Ft.T,
        direct=Dt.T,
        first_round=X1t.T,
        first_indirect=(X1t - Dt).T,
        consumption=Ct.T,
        second_indirect=X2t.T,
        total=(X1t + X2t).T,  # step 5
    )


def _enum_frame(name: str, values: list[str]) -> pl.DataFrame:
    return pl.DataFrame({name: pl.Series(values, dtype=pl.Enum(list(dict.fromkeys(values))))})


def ripple(
    table: IOTable,
    demand: np.ndarray,
    *,
    c: float = DEFAULT_C,
    local_output: bool = False,
    scenarios: list[str] | None = None,
) -> RippleResult:
    """Ripple effects (経済波及効果, SPEC §5) of every column of ``demand`` (ΔF, ``n × k`` or ``n``).

    ``scenarios`` names the columns (default シナリオ1, シナリオ2, …). All scenarios are computed
    with a few matrix products; the long frame is laid out without Python loops.
    """
    stages = ripple_stages(table, demand, c=c, local_output=local_output)
    k = stages.demand.shape[1]
    names = [f"シナリオ{j + 1}" for j in range(k)] if scenarios is None else [str(s) for s in scenarios]
    if len(names) != k or len(set(names)) != k:
        raise IOTableError(f"シナリオ名は需要の列数（{k}）と同じ数だけ、重複なく指定してください。")
    coefficients = [np.ones(table.n), table.v, table.w]
    measures = list(MEASURES[:3])
    if table.e is not None:
        coefficients.append(table.e)
        measures.append(MEASURES[3])
    production = [stages.direct, stages.first_indirect, stages.second_indirect, stages.total]
    values = np.empty((k, len(STAGES), len(measures), table.n))  # scenario, stage, measure, industry
    for si, stage in enumerate(production):  # 4 × 4 array products, not a loop over data
        for mi, coefficient in enumerate(coefficients):
            np.multiply(stage.T, coefficient, out=values[:, si, mi, :])

    scenario_f = _enum_frame("scenario", names)
    stage_f = _enum_frame("stage", list(STAGES))
    measure_f = _enum_frame("measure", measures)
    labels = table.label_frame().with_columns(
        pl.col(c).cast(pl.Enum(list(dict.fromkeys(table.label_frame()[c].to_list()))))
        for c in table.label_frame().columns
    )
    inner = stage_f.join(measure_f, how="cross", maintain_order="left_right")
    keys = scenario_f.join(
        inner.join(labels, how="cross", maintain_order="left_right"), how="cross", maintain_order="left_right"
    )
    effects = keys.with_columns(value=pl.Series(values.reshape(-1)))
    summary = scenario_f.join(inner, how="cross", maintain_order="left_right").with_columns(
        value=pl.Series(values.sum(axis=3).reshape(-1))
    )
    final = stages.demand.sum(axis=0)
    total = stages.total.sum(axis=0)
    ratio = np.divide(total, final, out=np.full(k, np.nan), where=final != 0)
    multipliers = scenario_f.with_columns(
        final_demand=pl.Series(final),
        total_production=pl.Series(total),
        ripple_multiplier=pl.Series(ratio, nan_to_null=True),
    )
    return RippleResult(effects, summary, multipliers, unit=table.unit, c=c, local_output=local_output)
