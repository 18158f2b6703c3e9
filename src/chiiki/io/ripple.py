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


def _spending(table: IOTable) -> tuple[np.ndarray, np.ndarray]:
    """Where income is spent (SPEC §5 step 3): ``S`` (n × R) sums each industry's income into the
    region that spends it, ``H`` (R × n) holds each region's consumption pattern h as a row.

    One region: ``S`` is a column of ones and ``H`` is hᵀ, so ΔC = c·(ΣΔW1)·h exactly as in step 3.
    """
    h = table.h
    if h.ndim == 1:
        return np.ones((table.n, 1)), h[np.newaxis, :]
    regions = np.asarray(table.regions)
    spenders = np.asarray(table.consumption_regions)
    G = (spenders[:, np.newaxis] == regions[np.newaxis, :]).astype(float)  # R × n: income by region
    return G.T, h.T


def ripple_stages(
    table: IOTable, demand: np.ndarray, *, c: float = DEFAULT_C, local_output: bool = False
) -> RippleStages:
    """The production stages of SPEC §5 for ΔF ``demand`` (``n`` or ``n × k``) as ``n × k`` arrays.

    Computed scenario-major (k × n, so ΔX1ᵀ = ΔDᵀ·Bᵀ) and returned as transposed views, which keeps
    the long frame of :func:`ripple` a plain memory layout. One n × n product per call: the second
    round goes through the R consumption patterns (R = 1, or the number of regions).
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
    S, H = _spending(table)
    Ft = np.ascontiguousarray(F.T)
    Dt = Ft if local_output else Ft * keep  # step 1
    X1t = Dt @ Bt  # step 2
    W1t = X1t @ (table.w[:, np.newaxis] * S)  # step 3: ΔW1 = w·ΔX1, by spending region (k × R)
    Ct = c * (W1t @ H)  # ΔC = c·ΔW1·h
    # step 4: ΔX2 = B·(I − M̂)·ΔC. ΔC is c·ΔW1 times the R rows of H, so B·(I − M̂) is applied to
    # those R rows once (R × n) instead of to every scenario (a k × n × n product saved).
    X2t = (c * W1t) @ ((H * keep) @ Bt)
    return RippleStages(
        demand=Ft.T,
        direct=Dt.T,
        first_round=X1t.T,
        first_indirect=(X1t - Dt).T,
        consumption=Ct.T,
        second_indirect=X2t.T,
        total=(X1t + X2t).T,  # step 5
    )


def _enum_series(name: str, values: list[str]) -> pl.Series:
    """``values`` as an Enum column whose categories are the distinct values in first-seen order."""
    return pl.Series(name, values, dtype=pl.Enum(list(dict.fromkeys(values))))


def _codes(codes: np.ndarray) -> pl.Series:
    """Row positions as a Polars index column (zero-copy from NumPy ``uint32``)."""
    return pl.Series(codes.astype(np.uint32, copy=False))


def _key_block(measures: list[str], labels: pl.DataFrame | None = None) -> pl.DataFrame:
    """The key columns of one scenario, stage-major: ``stage, measure`` and, with ``labels`` (the
    table's ``[region,] sector`` frame, ``n`` rows), one row per industry within each measure, so
    ``len(STAGES) × len(measures) × n`` rows. Every column is an Enum."""
    s, m = len(STAGES), len(measures)
    n = 1 if labels is None else labels.height
    columns = [
        _enum_series("stage", list(STAGES)).gather(_codes(np.repeat(np.arange(s, dtype=np.uint32), m * n))),
        _enum_series("measure", measures).gather(
            _codes(np.tile(np.repeat(np.arange(m, dtype=np.uint32), n), s))
        ),
    ]
    if labels is not None:
        industry = _codes(np.tile(np.arange(n, dtype=np.uint32), s * m))
        columns += [_enum_series(name, labels[name].to_list()).gather(industry) for name in labels.columns]
    return pl.DataFrame(columns)


def _scenario_major(scenario: pl.Series, block: pl.DataFrame, values: np.ndarray) -> pl.DataFrame:
    """``scenario`` × ``block`` rows, scenario-major, beside ``values`` (one per row, same order).

    No join and no per-row work in Python: the block's key columns are stacked once per scenario (one
    contiguous copy), each scenario name becomes a constant run of ``block.height`` rows (a fill of its
    Enum code, ``Series.new_from_index``), and the value column is the reshaped NumPy array itself
    (zero-copy).
    """
    k, rows = scenario.len(), block.height
    if k == 0:
        keys, repeated = block.clear(), scenario.clear()
    else:
        keys = pl.concat([block] * k, rechunk=True)
        repeated = pl.concat([scenario.new_from_index(j, rows) for j in range(k)], rechunk=True)
    return pl.DataFrame([repeated, *keys.get_columns(), pl.Series("value", values.reshape(-1))])


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
    with a few matrix products; the long frame is laid out from integer codes and one reshaped value
    array, without joins or Python loops over rows.
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
    per_unit = np.vstack(coefficients)  # measure × industry
    production = [stages.direct, stages.first_indirect, stages.second_indirect, stages.total]
    values = np.empty((k, len(STAGES), len(measures), table.n))  # scenario, stage, measure, industry
    for si, stage in enumerate(production):  # one broadcast product per stage, not a loop over data
        np.multiply(stage.T[:, np.newaxis, :], per_unit, out=values[:, si])

    scenario = _enum_series("scenario", names)
    effects = _scenario_major(scenario, _key_block(measures, table.label_frame()), values)
    totals = np.stack([stage.T @ per_unit.T for stage in production], axis=1)  # Σ over industries
    summary = _scenario_major(scenario, _key_block(measures), totals)
    final = stages.demand.sum(axis=0)
    total = stages.total.sum(axis=0)
    ratio = np.divide(total, final, out=np.full(k, np.nan), where=final != 0)
    multipliers = scenario.to_frame().with_columns(
        final_demand=pl.Series(final),
        total_production=pl.Series(total),
        ripple_multiplier=pl.Series(ratio, nan_to_null=True),
    )
    return RippleResult(effects, summary, multipliers, unit=table.unit, c=c, local_output=local_output)
