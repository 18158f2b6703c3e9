"""Priority-company score (地域未来牽引企業-style) and selection, SPEC §3.2.

Six indicators per firm, each turned into a 偏差値 within its prefecture,

    T = 50 + 10 · (x − mean) / sd        (population sd over the prefecture's firms with a value;
                                          T = 50 for all when sd = 0)

and combined with weights into ``score`` = Σ_k w_k T_k / Σ_{k present} w_k (a weighted mean, so the
composite stays on the 偏差値 scale). Indicators: connector degree, hub degree (SPEC §3.1 at
prefecture level in the base year), profit contribution (mean operating profit over the three years
ending in the base year), employment contribution (mean employees, same years), profit growth and
employment growth (geometric mean annual growth (x_end / x_start)^(1/2) − 1 between the first and
last of the three years; undefined where either value is ≤ 0 or missing).

With fewer than three years in the data the growth indicators are missing for every firm and the
remaining weights are rescaled (the notes say so); a firm lacking one indicator gets the same
rescaling for itself, and its ``notes`` column says which indicator is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from chiiki.firms.connector_hub import degree_arrays, degree_notes, rank_within, stable_order
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import ESTIMATED_NOTE, LinkReport, YearNetwork, build_network, firm_positions

INDICATORS = (
    "connector_degree",
    "hub_degree",
    "profit_mean",
    "employees_mean",
    "profit_growth",
    "employment_growth",
)
INDICATOR_LABELS = {
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "profit_mean": "利益貢献（3年平均営業利益）",
    "employees_mean": "雇用貢献（3年平均従業者数）",
    "profit_growth": "利益成長率（年平均）",
    "employment_growth": "雇用成長率（年平均）",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "connector_degree": 0.15,
    "hub_degree": 0.15,
    "profit_mean": 0.15,
    "employees_mean": 0.15,
    "profit_growth": 0.20,
    "employment_growth": 0.20,
}
WINDOW = 3


@dataclass(frozen=True)
class PriorityScores:
    """Per-firm indicators, 偏差値 and composite score, with notes for the user."""

    firms: pl.DataFrame
    year: int
    years: tuple[int, ...]
    weights: dict[str, float]
    growth_available: bool
    report: LinkReport
    notes: list[str] = field(default_factory=list)

    @property
    def uses_estimated(self) -> bool:
        return self.report.uses_estimated


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``connector_degree=0.2,hub_degree=0.2,...`` (unnamed indicators keep their defaults)."""
    weights = dict(DEFAULT_WEIGHTS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in DEFAULT_WEIGHTS:
            raise FirmAnalysisError(
                f"重みの指定が不正です: {part}。指標名=値 の形で、"
                f"指標名は {', '.join(INDICATORS)} から選んでください。"
            )
        try:
            weights[key] = float(value)
        except ValueError as exc:
            raise FirmAnalysisError(f"重み {key} の値が数値ではありません: {value}") from exc
    return weights


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(weights) - set(INDICATORS))
    if unknown:
        raise FirmAnalysisError(
            f"未知の指標の重みです: {', '.join(unknown)}。指標名は {', '.join(INDICATORS)} です。"
        )
    w = {k: float(weights.get(k, 0.0)) for k in INDICATORS}
    if any(v < 0 for v in w.values()):
        raise FirmAnalysisError("重みは0以上にしてください。")
    if sum(w.values()) <= 0:
        raise FirmAnalysisError("重みの合計が0です。少なくとも1つの指標に正の重みを指定してください。")
    return w


def standard_scores(values: dict[str, np.ndarray], group: np.ndarray) -> dict[str, np.ndarray]:
    """偏差値 50 + 10 (x − mean) / sd within each group (SPEC §3.2) for every array of ``values``
    (float64, NaN = missing): population sd, 50 for all where sd = 0, missing stays NaN.

    Mean and sd per group come from one Polars group-by over an integer group column (the same
    kernels as a window over the prefecture), the rest is element-wise NumPy.
    """
    stats = (
        pl.DataFrame({"g": group, **{k: pl.Series(v).fill_nan(None) for k, v in values.items()}})
        .group_by("g")
        .agg(
            *(pl.col(k).mean().alias(f"{k}_mean") for k in values),
            *(pl.col(k).std(ddof=0).alias(f"{k}_sd") for k in values),
        )
    )
    slot = np.zeros(int(group.max(initial=0)) + 1, dtype=np.int64)
    slot[stats.get_column("g").to_numpy()] = np.arange(stats.height)
    at = slot[group]
    out = {}
    for k, x in values.items():
        mean = stats.get_column(f"{k}_mean").fill_null(np.nan).to_numpy()[at]
        sd = stats.get_column(f"{k}_sd").fill_null(np.nan).to_numpy()[at]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(sd > 0, 50 + 10 * (x - mean) / sd, 50.0)
        out[k] = np.where(np.isnan(x), np.nan, t)
    return out


def _growth(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    ok = (start > 0) & (end > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, (end / start) ** (1.0 / steps) - 1.0, np.nan)


def _history(net: YearNetwork, companies: pl.DataFrame, window: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Per firm of ``net``: mean operating profit and employees over the ``window`` years, and both
    in the first and last year (NaN where missing), by ``np.bincount`` over the company-years."""
    hist = companies.filter(pl.col("fiscal_year").is_in(list(window)))
    pos = firm_positions(net, hist)
    known = pos >= 0
    year = hist.get_column("fiscal_year").to_numpy()
    n = net.n_firms
    out: dict[str, np.ndarray] = {}
    for column, name in (("operating_profit", "profit"), ("employees", "employees")):
        values = hist.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy()
        valid = known & ~np.isnan(values)
        count = np.bincount(pos[valid], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{name}_mean"] = np.bincount(pos[valid], values[valid], minlength=n) / count
        for key, y in (("first", window[0]), ("last", window[-1])):
            rows = np.flatnonzero(known & (year == y))
            firm = pos[rows]
            if np.bincount(firm, minlength=n).max(initial=0) > 1:  # keep the first row per firm
                firm, first = np.unique(firm, return_index=True)
                rows = rows[first]
            at = np.full(n, np.nan)
            at[firm] = values[rows]
            out[f"{name}_{key}"] = at
    return out


def _weighted_mean(t_scores: dict[str, np.ndarray], w: Mapping[str, float]) -> np.ndarray:
    """score = Σ w_k T_k / Σ_{k present} w_k per firm (NaN where no weighted indicator is present),
    as one Polars horizontal sum (the summation the composite has always used)."""
    t = pl.DataFrame({k: pl.Series(v).fill_nan(None) for k, v in t_scores.items()})
    present_w = pl.sum_horizontal(
        [pl.when(pl.col(k).is_not_null()).then(w[k]).otherwise(0.0) for k in t_scores]
    )
    weighted = pl.sum_horizontal([pl.col(k).fill_null(0.0) * w[k] for k in t_scores])
    score = t.select(pl.when(present_w > 0).then(weighted / present_w).otherwise(None))
    return score.to_series().fill_null(np.nan).to_numpy()


def _missing_notes(present: dict[str, np.ndarray], w: Mapping[str, float]) -> pl.Series:
    """The Japanese ``notes`` per firm naming the indicators it lacks (weights rescaled)."""
    bits = np.zeros(next(iter(present.values())).size, dtype=np.int64)
    for i, k in enumerate(INDICATORS):
        if w[k] > 0:
            bits |= (~present[k]).astype(np.int64) << i
    labels = {}
    for b in np.unique(bits).tolist():
        missing = "、".join(INDICATOR_LABELS[k] for i, k in enumerate(INDICATORS) if b >> i & 1)
        labels[b] = f"欠損のため重みを再配分: {missing}" if missing else ""
    return pl.Series("notes", bits).replace_strict(labels, return_dtype=pl.Utf8)


def priority_scores(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    prefecture: str | Sequence[str] | None = None,
    year: int | None = None,
    weights: Mapping[str, float] | None = None,
    network: YearNetwork | None = None,
) -> PriorityScores:
    """Six-indicator 偏差値 score of every firm of ``prefecture`` (all when None) in base ``year``
    (default: the latest year in ``companies``), SPEC §3.2. ``network``: the year's prefecture-level
    :func:`~chiiki.firms.network.build_network` of the same frames, when the caller already built it.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> s = priority_scores(ds.companies, ds.transactions, prefecture="07")
    >>> s.firms.select("company_id", pl.col("score").round(2)).head(2).rows()
    [('A', 63.94), ('C', 48.08)]
    """
    w = _check_weights(DEFAULT_WEIGHTS if weights is None else weights)
    all_years = sorted(companies.get_column("fiscal_year").unique().drop_nulls().to_list())
    if not all_years:
        raise FirmAnalysisError("企業データが空です。")
    year = all_years[-1] if year is None else year
    window = tuple(y for y in range(year - WINDOW + 1, year + 1) if y in all_years)
    growth_available = len(window) == WINDOW
    prefs = (
        [prefecture] if isinstance(prefecture, str) else (None if prefecture is None else list(prefecture))
    )

    if network is not None and network.year != year:
        raise FirmAnalysisError(
            f"渡された取引ネットワークは{network.year}年度で、基準年度 {year} と異なります。"
        )
    net = (
        network
        if network is not None
        else build_network(companies, transactions, year=year, level="prefecture")
    )
    degrees = degree_arrays(net)
    if prefs is not None:
        missing = [p for p in prefs if p not in set(net.region_codes)]
        if missing:
            raise FirmAnalysisError(
                f"{year}年度の企業データに都道府県コード {', '.join(missing)} の企業がありません。"
                "都道府県コードは2桁（例: 07）で指定してください。"
            )

    hist = _history(net, companies, window)
    steps = window[-1] - window[0]
    values = {
        "connector_degree": degrees.connector,
        "hub_degree": degrees.hub,
        "profit_mean": hist["profit_mean"],
        "employees_mean": hist["employees_mean"],
    }
    for name, key in (("profit", "profit_growth"), ("employees", "employment_growth")):
        values[key] = (
            _growth(hist[f"{name}_first"], hist[f"{name}_last"], steps)
            if growth_available
            else np.full(net.n_firms, np.nan)
        )
    n_groups = len(net.region_codes) + 1
    group = net.region + 1  # 0: no prefecture, a group of its own as in a window over nulls
    if prefs is not None:
        keep = np.isin(net.region, [net.region_codes.index(p) for p in prefs])
        group = np.where(keep, group, n_groups)  # other prefectures are left out below
    t_scores = standard_scores({k: values[k] for k in INDICATORS}, group)
    present = {k: ~np.isnan(t_scores[k]) for k in INDICATORS}
    score = _weighted_mean(t_scores, w)
    (score_rank,) = rank_within(group, score)

    rank_key = np.where(np.isnan(score_rank), net.n_firms + 1, score_rank).astype(np.int64)
    pref_key = np.where(net.region < 0, n_groups, net.region)  # nulls last
    order = stable_order(net.id_order, rank_key, pref_key)
    if prefs is not None:
        order = order[keep[order]]

    def col(name: str, x: np.ndarray) -> pl.Series:
        return pl.Series(name, x[order]).fill_nan(None)

    uses_est = pl.Series("uses_estimated", degrees.sums["uses_estimated"][order]).set(
        pl.Series(net.region[order] < 0), None
    )
    frame = net.firms.select(
        "company_id", "name", "prefecture_code", "municipality_code", "jsic_code", "fiscal_year"
    )[order].with_columns(
        *(c for k in INDICATORS for c in (col(k, values[k]), col(f"{k}_score", t_scores[k]))),
        col("score", score),
        pl.Series("score_rank", score_rank[order]).fill_nan(None).cast(pl.Int64),
        uses_est,
        _missing_notes(present, w).gather(order),
    )

    notes = [f"基準年度: {year}、対象年度: {', '.join(map(str, window))}。"]
    if not growth_available:
        kept = {k: v for k, v in w.items() if k not in ("profit_growth", "employment_growth")}
        total = sum(kept.values()) or 1.0
        shares = "、".join(f"{INDICATOR_LABELS[k]} {v / total:.1%}" for k, v in kept.items() if v > 0)
        notes.append(
            f"{WINDOW}年分のデータがない（{len(window)}年分）ため、利益成長率・雇用成長率は算出できません。"
            f"残りの指標の重みを再配分しました: {shares}。"
        )
    notes.extend(degree_notes(degrees.regions, net.report))
    if net.report.uses_estimated and ESTIMATED_NOTE not in notes:
        notes.append(ESTIMATED_NOTE)
    return PriorityScores(
        firms=frame,
        year=year,
        years=window,
        weights=w,
        growth_available=growth_available,
        report=net.report,
        notes=notes,
    )
