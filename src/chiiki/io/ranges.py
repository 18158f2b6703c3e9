"""Ripples with ranges (low / central / high) and scenarios side by side (issue 14 item 5; SPEC §5).

A ripple's inputs are uncertain: the 消費転換係数 c, the import ratios m and, for an estimated regional
table, the method and δ. :func:`ripple_ranges` runs every combination of

- c ∈ {c_low, c, c_high},
- m ∈ {m·(1 − x), m, m·(1 + x)} (:func:`with_import_ratios`; ``import_change`` = x),
- the central table and any ``variants`` (e.g. the regional table by other methods or δ),

and reports for each scenario, stage and measure the lowest and highest total over the combinations
beside the central one (central table, m, c). Each combination is one matrix product over all
scenarios (:func:`chiiki.io.scenario.stage_groups`), so 1,000 scenarios × 27 combinations take well
under a second (docs/benchmarks.md). 就業誘発数 is counted in whole persons in every combination (each
stage rounded, 総合効果 = their sum) before the range is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from chiiki.io.checks import check_table
from chiiki.io.errors import IOTableError
from chiiki.io.ripple import DEFAULT_C, JOBS_UNIT, MEASURES, STAGES
from chiiki.io.scenario import ScenarioDemand, check_names, stage_groups
from chiiki.io.table import IOTable

MAX_COMPARED = 5


def with_import_ratios(table: IOTable, factor: float) -> IOTable:
    """``table`` with import ratios m' = m·factor, output X unchanged: imports become −m'·d and
    exports take up the difference (X = d + E − M), so the table still balances.

    m' is kept within [max(0, 1 − X/d), 1]: at least 0, at most all of the demand, and never so low that
    local supply (1 − m')·d would exceed the output X (exports ≥ 0).
    """
    if factor < 0 or not np.isfinite(factor):
        raise IOTableError(f"輸入係数の倍率 {factor} は0以上で指定してください。")
    if factor == 1.0:
        return table
    if not table.export_names or not table.import_names:
        raise IOTableError("輸入係数を変えるには、表に輸出（移輸出）と輸入（移輸入）の列が必要です。")
    d = table.Z.sum(axis=1) + table.final_demand.sum(axis=1)
    safe_d = np.where(d > 0, d, 1.0)
    floor = np.where(d > 0, np.clip(1.0 - table.X / safe_d, 0.0, 1.0), 0.0)
    m_new = np.where(d > 0, np.clip(table.m * factor, floor, 1.0), 0.0)
    old = -table.imports.sum(axis=1)
    new = m_new * np.where(d > 0, d, 0.0)
    share = np.divide(
        -table.imports, old[:, np.newaxis], out=np.zeros_like(table.imports), where=old[:, np.newaxis] > 0
    )
    share[old <= 0, 0] = 1.0
    imports = -share * new[:, np.newaxis]
    exports_old = table.exports.sum(axis=1)
    e_share = np.divide(
        table.exports,
        exports_old[:, np.newaxis],
        out=np.zeros_like(table.exports),
        where=exports_old[:, np.newaxis] != 0,
    )
    e_share[exports_old == 0, 0] = 1.0
    exports = e_share * (exports_old + new - old)[:, np.newaxis]
    return check_table(replace(table, imports=imports, exports=exports), balance=False)


@dataclass(frozen=True)
class RangeSettings:
    """The ranges to run: c and its low/high (None = c), ± ``import_change`` on m (0.1 = ±10 %)."""

    c: float = DEFAULT_C
    c_low: float | None = None
    c_high: float | None = None
    import_change: float = 0.0

    def c_values(self) -> list[float]:
        values = [
            self.c,
            self.c if self.c_low is None else self.c_low,
            self.c if self.c_high is None else self.c_high,
        ]
        bad = [v for v in values if not (0.0 <= v <= 1.0)]
        if bad:
            raise IOTableError(f"消費転換係数 {bad} は 0〜1 の範囲で指定してください。")
        return list(dict.fromkeys(values))

    def import_factors(self) -> list[float]:
        x = self.import_change
        if not (0.0 <= x < 1.0):
            raise IOTableError(f"輸入係数の変化幅 {x} は 0 以上 1 未満で指定してください（0.1 = ±10%）。")
        return list(dict.fromkeys([1.0, 1.0 - x, 1.0 + x]))


@dataclass(frozen=True)
class RangeResult:
    """``frame``: ``scenario, stage, measure, unit, low, central, high, low_case, high_case`` (one row
    per scenario × stage × measure; the cases name the combination that gave the bound);
    ``multipliers``: ``scenario, low, central, high`` of 波及倍率; ``cases``: every combination."""

    frame: pl.DataFrame
    multipliers: pl.DataFrame
    cases: list[str]
    unit: str


def _totals(built: list[ScenarioDemand], c: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """Totals per scenario × stage × measure (jobs already in whole persons) and ΣΔF per scenario, for
    scenarios built on one table."""
    has_jobs = all(b.table.e is not None for b in built)
    measures = 4 if has_jobs else 3
    out = np.zeros((len(built), len(STAGES), measures))
    final = np.zeros(len(built))
    for group in stage_groups(built, c=c):
        t = group.table
        per_unit = [np.ones(t.n), t.v, t.w] + ([t.e] if has_jobs else [])
        P = np.vstack(per_unit)  # measures × n
        stages = [group.stages.direct, group.stages.first_indirect, group.stages.second_indirect]
        parts = np.stack([(stage.T @ P.T) for stage in stages], axis=1)  # k × 3 × measures
        if has_jobs:
            parts[..., 3] = np.rint(parts[..., 3])
        out[group.positions, :3] = parts
        out[group.positions, 3] = parts.sum(axis=1)
        final[group.positions] = group.stages.demand.sum(axis=0)
    return out, final, has_jobs


def ripple_ranges(
    table: IOTable,
    scenarios: list,
    *,
    settings: RangeSettings | None = None,
    variants: dict[str, IOTable] | None = None,
    central_label: str = "中央",
) -> RangeResult:
    """Low / central / high of every scenario's ripple over the combinations of the module docstring.

    ``scenarios`` are objects with ``name`` and ``build(table)`` (templates, :class:`DemandScenario`);
    ``variants`` are other versions of ``table`` with the same sectors (e.g. other LQ methods).
    """
    settings = settings or RangeSettings()
    names = check_names(scenarios)
    tables = {central_label: table, **(variants or {})}
    if any(t.sectors != table.sectors for t in tables.values()):
        raise IOTableError("比較する表（推計方法の違いなど）は部門が同じでなければなりません。")
    results, cases = [], []
    for label, t in tables.items():
        for factor in settings.import_factors():
            shifted = with_import_ratios(t, factor)
            built = [s.build(shifted) for s in scenarios]  # once per table, for every c
            for c in settings.c_values():
                totals, final, has_jobs = _totals(built, c)
                results.append(totals)
                cases.append(f"{label}・輸入係数×{factor:g}・c={c:g}")
    stacked = np.stack(results)  # cases × k × stages × measures
    central = stacked[0]
    low_i, high_i = stacked.argmin(axis=0), stacked.argmax(axis=0)
    low = np.take_along_axis(stacked, low_i[np.newaxis], axis=0)[0]
    high = np.take_along_axis(stacked, high_i[np.newaxis], axis=0)[0]
    measures = list(MEASURES[: central.shape[2]])
    k, s, m = central.shape
    units = [JOBS_UNIT if name == MEASURES[3] else table.unit for name in measures]
    case_names = np.asarray(cases, dtype=object)
    frame = pl.DataFrame(
        {
            "scenario": np.repeat(np.asarray(names, dtype=object), s * m),
            "stage": np.tile(np.repeat(np.asarray(STAGES, dtype=object), m), k),
            "measure": np.tile(np.asarray(measures, dtype=object), k * s),
            "unit": np.tile(np.asarray(units, dtype=object), k * s),
            "low": low.reshape(-1),
            "central": central.reshape(-1),
            "high": high.reshape(-1),
            "low_case": case_names[low_i.reshape(-1)],
            "high_case": case_names[high_i.reshape(-1)],
        },
        schema_overrides={
            c: pl.Utf8 for c in ("scenario", "stage", "measure", "unit", "low_case", "high_case")
        },
    )
    production = stacked[:, :, 3, 0]  # cases × k: 総合効果の生産誘発額
    ratio = np.divide(production, final, out=np.full_like(production, np.nan), where=final != 0)
    multipliers = pl.DataFrame(
        {
            "scenario": names,
            "low": np.nanmin(ratio, axis=0) if np.isfinite(ratio).any() else ratio[0],
            "central": ratio[0],
            "high": np.nanmax(ratio, axis=0) if np.isfinite(ratio).any() else ratio[0],
        },
    ).with_columns(pl.col("low", "central", "high").fill_nan(None))
    return RangeResult(frame=frame, multipliers=multipliers, cases=cases, unit=table.unit)


def _value_text(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == JOBS_UNIT else f"{value:,.1f}"


def compare_scenarios(result: RangeResult, names: list[str] | None = None) -> pl.DataFrame:
    """Up to five scenarios side by side, for people: ``段階, 指標, 単位`` and per scenario its central
    value and its range (「下限 〜 上限」); then a row of 波及倍率."""
    available = result.frame["scenario"].unique(maintain_order=True).to_list()
    chosen = available if names is None else names
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise IOTableError(
            f"シナリオ「{'」「'.join(unknown)}」は結果にありません。",
            [f"結果のシナリオ: {', '.join(available)}"],
        )
    if len(chosen) > MAX_COMPARED:
        raise IOTableError(f"並べて比べられるシナリオは {MAX_COMPARED} つまでです（指定 {len(chosen)}）。")
    first = result.frame.filter(pl.col("scenario") == chosen[0])
    out = first.select(段階="stage", 指標="measure", 単位="unit")
    for name in chosen:
        part = result.frame.filter(pl.col("scenario") == name)
        out = out.with_columns(
            pl.Series(name, part["central"]),
            pl.Series(
                f"{name}（範囲）",
                [
                    f"{_value_text(lo, u)} 〜 {_value_text(hi, u)}"
                    for lo, hi, u in part.select("low", "high", "unit").rows()
                ],
            ),
        )
    ratios = result.multipliers.filter(pl.col("scenario").is_in(chosen))
    row = {"段階": "総合効果", "指標": "波及倍率", "単位": "倍"}
    for name in chosen:
        r = ratios.filter(pl.col("scenario") == name).row(0, named=True)
        row[name] = r["central"]
        row[f"{name}（範囲）"] = "—" if r["low"] is None else f"{r['low']:.3f} 〜 {r['high']:.3f}"
    return pl.concat([out, pl.DataFrame([row], schema=out.schema)])
