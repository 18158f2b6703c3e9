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

import polars as pl

from chiiki.firms.connector_hub import degrees_from_network
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import ESTIMATED_NOTE, LinkReport, build_network

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


def standard_score(x: pl.Expr, *, over: str) -> pl.Expr:
    """偏差値 50 + 10 (x − mean) / sd within ``over`` (population sd; 50 where sd = 0; null stays null)."""
    mean = x.mean().over(over)
    sd = x.std(ddof=0).over(over)
    return pl.when(x.is_null()).then(None).when(sd > 0).then(50 + 10 * (x - mean) / sd).otherwise(50.0)


def _growth(start: pl.Expr, end: pl.Expr, steps: int) -> pl.Expr:
    ok = (start > 0) & (end > 0)
    return pl.when(ok).then((end.cast(pl.Float64) / start) ** (1.0 / steps) - 1.0).otherwise(None)


def priority_scores(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    prefecture: str | Sequence[str] | None = None,
    year: int | None = None,
    weights: Mapping[str, float] | None = None,
) -> PriorityScores:
    """Six-indicator 偏差値 score of every firm of ``prefecture`` (all when None) in base ``year``
    (default: the latest year in ``companies``), SPEC §3.2.

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

    net = build_network(companies, transactions, year=year, level="prefecture")
    degrees = degrees_from_network(net, level="prefecture")
    base = net.firms.select(
        "company_id", "name", "prefecture_code", "municipality_code", "jsic_code", "fiscal_year"
    )
    if prefs is not None:
        known = set(base.get_column("prefecture_code").unique().to_list())
        missing = [p for p in prefs if p not in known]
        if missing:
            raise FirmAnalysisError(
                f"{year}年度の企業データに都道府県コード {', '.join(missing)} の企業がありません。"
                "都道府県コードは2桁（例: 07）で指定してください。"
            )
        base = base.filter(pl.col("prefecture_code").is_in(prefs))

    hist = companies.filter(pl.col("fiscal_year").is_in(list(window))).select(
        "company_id", "fiscal_year", "operating_profit", "employees"
    )
    first, last = window[0], window[-1]
    steps = last - first
    stats = hist.group_by("company_id").agg(
        pl.col("operating_profit").cast(pl.Float64).mean().alias("profit_mean"),
        pl.col("employees").cast(pl.Float64).mean().alias("employees_mean"),
        pl.col("operating_profit").filter(pl.col("fiscal_year") == first).first().alias("_p0"),
        pl.col("operating_profit").filter(pl.col("fiscal_year") == last).first().alias("_p1"),
        pl.col("employees").filter(pl.col("fiscal_year") == first).first().alias("_e0"),
        pl.col("employees").filter(pl.col("fiscal_year") == last).first().alias("_e1"),
    )
    if growth_available:
        growth = [
            _growth(pl.col("_p0"), pl.col("_p1"), steps).alias("profit_growth"),
            _growth(pl.col("_e0"), pl.col("_e1"), steps).alias("employment_growth"),
        ]
    else:
        growth = [
            pl.lit(None, pl.Float64).alias("profit_growth"),
            pl.lit(None, pl.Float64).alias("employment_growth"),
        ]
    stats = stats.with_columns(*growth).drop("_p0", "_p1", "_e0", "_e1")

    frame = (
        base.join(
            degrees.firms.select("company_id", "connector_degree", "hub_degree", "uses_estimated"),
            on="company_id",
            how="left",
        )
        .join(stats, on="company_id", how="left")
        .with_columns(
            standard_score(pl.col(k), over="prefecture_code").alias(f"{k}_score") for k in INDICATORS
        )
    )
    present_w = pl.sum_horizontal(
        [pl.when(pl.col(f"{k}_score").is_not_null()).then(w[k]).otherwise(0.0) for k in INDICATORS]
    )
    weighted = pl.sum_horizontal([pl.col(f"{k}_score").fill_null(0.0) * w[k] for k in INDICATORS])
    missing_notes = [
        pl.when(pl.col(k).is_null() & (w[k] > 0)).then(pl.lit(INDICATOR_LABELS[k])) for k in INDICATORS
    ]
    frame = frame.with_columns(
        pl.when(present_w > 0).then(weighted / present_w).otherwise(None).alias("score"),
        pl.concat_str(missing_notes, separator="、", ignore_nulls=True).alias("_missing"),
    ).with_columns(
        pl.col("score")
        .rank("min", descending=True)
        .over("prefecture_code")
        .cast(pl.Int64)
        .alias("score_rank"),
        pl.when(pl.col("_missing") != "")
        .then(pl.lit("欠損のため重みを再配分: ") + pl.col("_missing"))
        .otherwise(pl.lit(""))
        .alias("notes"),
    )
    columns = [
        "company_id",
        "name",
        "prefecture_code",
        "municipality_code",
        "jsic_code",
        "fiscal_year",
        *[c for k in INDICATORS for c in (k, f"{k}_score")],
        "score",
        "score_rank",
        "uses_estimated",
        "notes",
    ]
    frame = frame.select(columns).sort(["prefecture_code", "score_rank", "company_id"], nulls_last=True)

    notes = [f"基準年度: {year}、対象年度: {', '.join(map(str, window))}。"]
    if not growth_available:
        kept = {k: v for k, v in w.items() if k not in ("profit_growth", "employment_growth")}
        total = sum(kept.values()) or 1.0
        shares = "、".join(f"{INDICATOR_LABELS[k]} {v / total:.1%}" for k, v in kept.items() if v > 0)
        notes.append(
            f"{WINDOW}年分のデータがない（{len(window)}年分）ため、利益成長率・雇用成長率は算出できません。"
            f"残りの指標の重みを再配分しました: {shares}。"
        )
    notes.extend(degrees.notes[1:])
    if degrees.uses_estimated and ESTIMATED_NOTE not in notes:
        notes.append(ESTIMATED_NOTE)
    return PriorityScores(
        firms=frame,
        year=year,
        years=window,
        weights=w,
        growth_available=growth_available,
        report=degrees.report,
        notes=notes,
    )
