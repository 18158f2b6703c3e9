"""Trends (issue 13 item 4): multi-year series of a firm and of a prefecture with year-over-year change.

Every figure comes from the year's existing builders — :func:`~chiiki.firms.network.build_network`,
:func:`~chiiki.firms.connector_hub.degrees_from_network` (SPEC §3.1) and
:func:`~chiiki.firms.scores.priority_scores` (SPEC §3.2) — run once per year by
:func:`yearly_indicators`; :func:`firm_trend` and :func:`prefecture_trend` only select, aggregate
and difference what those return. Per prefecture and year:

- ``n_firms`` (firms in the data), ``n_trading`` (with at least one used link), ``sales`` and
  ``employees`` totals;
- ``in_region_value`` 域内取引額: the amounts of the in-prefecture links, each counted once
  (= the region's 域内仕入額 total of SPEC §3.1);
- concentration of the connector and hub degrees, which sum to 1 within a prefecture:
  HHI = Σ degree² (1 = one firm carries everything, 1/n = all equal) and the top-10 share
  (the sum of the ten largest degrees).

The score of a year uses the three years ending in it that the data has; ``score_years`` says how
many (with fewer than 3 the growth indicators are missing and the weights rescaled, SPEC §3.2), so a
page can mark scores that are not comparable across years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from chiiki.firms.connector_hub import degrees_from_network
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import ESTIMATED_NOTE, YearNetwork, build_network
from chiiki.firms.scores import priority_scores

FIRM_SERIES = [
    "sales",
    "employees",
    "operating_profit",
    "connector_degree",
    "hub_degree",
    "connector_rank",
    "hub_rank",
    "in_region_value",
    "score",
    "score_rank",
]
PREFECTURE_SERIES = [
    "n_firms",
    "n_trading",
    "sales",
    "employees",
    "in_region_value",
    "connector_hhi",
    "hub_hhi",
    "connector_top10_share",
    "hub_top10_share",
]
YEARLY_COLUMNS = [
    "fiscal_year",
    "company_id",
    "name",
    "prefecture_code",
    *FIRM_SERIES,
    "in_sales",
    "in_purchases",
    "n_links",
    "score_years",
    "uses_estimated",
]
"""The columns of :attr:`YearlyIndicators.firms`."""
CHANGE_PCT = ("sales", "employees", "operating_profit", "in_region_value", "n_firms", "n_trading")
"""Series that also get a relative change (``*_change_pct``); the rest get the difference only."""

TREND_LABELS = {
    "fiscal_year": "年度",
    "sales": "売上高（千円）",
    "employees": "従業者数",
    "operating_profit": "営業利益（千円）",
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "connector_rank": "コネクター度順位",
    "hub_rank": "ハブ度順位",
    "in_region_value": "域内取引額（千円）",
    "score": "総合得点",
    "score_rank": "得点順位",
    "score_years": "得点の対象年数",
    "n_firms": "企業数",
    "n_trading": "取引のある企業数",
    "connector_hhi": "コネクター度の集中度（HHI）",
    "hub_hhi": "ハブ度の集中度（HHI）",
    "connector_top10_share": "コネクター度の上位10社シェア",
    "hub_top10_share": "ハブ度の上位10社シェア",
    "uses_estimated": "推計取引額を含む",
}


@dataclass(frozen=True)
class YearlyIndicators:
    """Per-firm indicators of every year, from the existing builders."""

    firms: pl.DataFrame
    """One row per firm and year: :data:`YEARLY_COLUMNS` (``fiscal_year, company_id, name,
    prefecture_code``, the :data:`FIRM_SERIES`, ``in_sales, in_purchases, n_links, score_years,
    uses_estimated``)."""
    years: tuple[int, ...]
    notes: list[str]


def yearly_indicators(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    years: Sequence[int] | None = None,
    prefectures: str | Sequence[str] | None = None,
    networks: Mapping[int, YearNetwork] | None = None,
) -> YearlyIndicators:
    """Degrees (SPEC §3.1, prefecture level) and score (SPEC §3.2) of every firm in each of ``years``
    (default: all years of ``companies``). ``prefectures``: keep (and score) only these;
    ``networks``: prefecture-level networks already built, by year."""
    all_years = sorted(companies.get_column("fiscal_year").unique().drop_nulls().to_list())
    wanted = all_years if years is None else sorted(set(years))
    absent = [y for y in wanted if y not in all_years]
    if absent or not wanted:
        raise FirmAnalysisError(
            f"企業データにない年度です: {', '.join(map(str, absent)) or 'なし'}。"
            f"データにある年度: {', '.join(map(str, all_years)) or 'なし'}。"
        )
    prefs = [prefectures] if isinstance(prefectures, str) else prefectures
    frames, notes = [], []
    for year in wanted:
        net = (networks or {}).get(year) or build_network(companies, transactions, year=year)
        degrees = degrees_from_network(net).firms
        scores = priority_scores(companies, transactions, prefecture=prefs, year=year, network=net)
        attrs = net.firms.select(
            "company_id", *(c for c in ("sales", "employees", "operating_profit") if c in net.firms.columns)
        )
        frame = (
            degrees.select(
                "fiscal_year",
                "company_id",
                "name",
                pl.col("region_code").alias("prefecture_code"),
                "connector_degree",
                "hub_degree",
                "connector_rank",
                "hub_rank",
                "in_sales",
                "in_purchases",
                (pl.col("in_sales") + pl.col("in_purchases")).alias("in_region_value"),
                (
                    pl.col("n_out_customers")
                    + pl.col("n_in_customers")
                    + pl.col("n_in_suppliers")
                    + pl.col("n_out_suppliers")
                ).alias("n_links"),
                "uses_estimated",
            )
            .join(attrs, on="company_id", how="left")
            .join(scores.firms.select("company_id", "score", "score_rank"), on="company_id", how="left")
            .with_columns(pl.lit(len(scores.years), pl.Int64).alias("score_years"))
        )
        if prefs is not None:
            frame = frame.filter(pl.col("prefecture_code").is_in(list(prefs)))
        frames.append(frame)
        if len(scores.years) < 3:
            notes.append(
                f"{year}年度の総合得点は{len(scores.years)}年分のデータで計算しています"
                "（成長率を除き重みを再配分。3年分の年度と比べられません）。"
            )
        if net.report.uses_estimated and ESTIMATED_NOTE not in notes:
            notes.append(ESTIMATED_NOTE)
    firms = pl.concat(frames, how="diagonal_relaxed")
    firms = firms.with_columns(pl.lit(None).alias(c) for c in YEARLY_COLUMNS if c not in firms.columns)
    return YearlyIndicators(firms=firms.select(YEARLY_COLUMNS), years=tuple(wanted), notes=notes)


def with_changes(frame: pl.DataFrame, series: Sequence[str], *, by: Sequence[str] = ()) -> pl.DataFrame:
    """Add ``<s>_change`` (difference from the previous fiscal year) for each of ``series``, and
    ``<s>_change_pct`` for the amounts and counts of :data:`CHANGE_PCT`; null where the previous
    year is absent (a gap in the series) or, for the relative change, not positive."""
    frame = frame.sort([*by, "fiscal_year"])
    over = list(by) or None

    def prev(col: str) -> pl.Expr:
        lag = pl.col(col).shift(1)
        year_lag = pl.col("fiscal_year").shift(1)
        if over:
            lag, year_lag = lag.over(over), year_lag.over(over)
        return pl.when(year_lag == pl.col("fiscal_year") - 1).then(lag)

    exprs = []
    for col in series:
        exprs.append((pl.col(col) - prev(col)).alias(f"{col}_change"))
        if col in CHANGE_PCT:
            p = prev(col)
            exprs.append(pl.when(p > 0).then(pl.col(col) / p - 1.0).alias(f"{col}_change_pct"))
    return frame.with_columns(exprs)


def firm_trend(yearly: YearlyIndicators, company_id: str) -> pl.DataFrame:
    """The firm's series by fiscal year (:data:`FIRM_SERIES`, ``score_years``, ``uses_estimated``)
    with the year-over-year ``*_change`` columns. Ranks are within the prefecture (1 = largest), so
    a negative ``*_rank_change`` is a rise."""
    rows = yearly.firms.filter(pl.col("company_id") == company_id)
    if rows.height == 0:
        raise FirmAnalysisError(f"企業ID {company_id} はどの年度の企業データにもありません。")
    frame = rows.select(
        "fiscal_year", "company_id", "name", "prefecture_code", *FIRM_SERIES, "score_years", "uses_estimated"
    )
    return with_changes(frame, FIRM_SERIES)


def prefecture_trend(yearly: YearlyIndicators, prefecture_code: str | None = None) -> pl.DataFrame:
    """Each prefecture's series by fiscal year (:data:`PREFECTURE_SERIES`, ``uses_estimated``) with the
    year-over-year ``*_change`` columns; one prefecture when ``prefecture_code`` is given."""
    firms = yearly.firms.filter(pl.col("prefecture_code").is_not_null())
    if prefecture_code is not None:
        firms = firms.filter(pl.col("prefecture_code") == prefecture_code)
        if firms.height == 0:
            raise FirmAnalysisError(
                f"都道府県コード {prefecture_code} の企業がありません。2桁（例: 07）で指定してください。"
            )
    frame = firms.group_by("prefecture_code", "fiscal_year").agg(
        pl.len().alias("n_firms"),
        (pl.col("n_links") > 0).sum().alias("n_trading"),
        pl.col("sales").sum(),
        pl.col("employees").sum(),
        pl.col("in_purchases").sum().alias("in_region_value"),  # each in-region link once
        (pl.col("connector_degree") ** 2).sum().alias("connector_hhi"),
        (pl.col("hub_degree") ** 2).sum().alias("hub_hhi"),
        pl.col("connector_degree").top_k(10).sum().alias("connector_top10_share"),
        pl.col("hub_degree").top_k(10).sum().alias("hub_top10_share"),
        pl.col("uses_estimated").any(),
    )
    # where a prefecture's degree is undefined (total 0: every firm null) its concentration is too
    frame = frame.join(
        firms.group_by("prefecture_code", "fiscal_year").agg(
            pl.col("connector_degree").is_null().all().alias("_c_undefined"),
            pl.col("hub_degree").is_null().all().alias("_h_undefined"),
        ),
        on=["prefecture_code", "fiscal_year"],
    ).with_columns(
        *(
            pl.when(~pl.col("_c_undefined")).then(pl.col(c)).alias(c)
            for c in ("connector_hhi", "connector_top10_share")
        ),
        *(pl.when(~pl.col("_h_undefined")).then(pl.col(c)).alias(c) for c in ("hub_hhi", "hub_top10_share")),
        pl.col("n_firms", "n_trading").cast(pl.Int64),
    )
    frame = frame.select("fiscal_year", "prefecture_code", *PREFECTURE_SERIES, "uses_estimated")
    return with_changes(frame, PREFECTURE_SERIES, by=["prefecture_code"])
