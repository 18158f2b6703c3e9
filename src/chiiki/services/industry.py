"""Industry analytics as the 産業分析 page and ``/api/v1/industry`` show them (SPEC §4).

Thin, pure wrappers over :mod:`chiiki.industry`: they pick the year, order the rows and make sure a
prefecture with sparse data gets an answer with a note instead of an error. No indicator is computed
here; LQ, 稼ぐ力, complexity and the field suggestions all come from the core. For a reader not
entitled to the firm data beneath them, small cells are suppressed (:func:`suppression_for`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.industry import location_quotient
from chiiki.industry.disclosure import firm_counts, suppressed_cells
from chiiki.industry.lq import earning_power
from chiiki.industry.suggest import suggest_fields
from chiiki.reference import field_jsic_mapping
from chiiki.services.access import Principal, may_see_firm_figures
from chiiki.services.analytics import Analytics

SPARSE_NOTE = (
    "この都道府県には、{years}年度に17の戦略分野に対応する産業のデータがありません。"
    "成長率はその年度を除いて計算しています（1年度しか残らない場合は成長率を使いません）。"
)


def lq_table(matrix: pl.DataFrame, *, pref: str, measure: str, year: int | None) -> pl.DataFrame:
    """特化係数 of ``pref`` for one measure and year (latest when None), largest first (SPEC §4)."""
    data = matrix.filter(pl.col("measure") == measure)
    y = year if year is not None else data["fiscal_year"].max()
    out = location_quotient(data.filter(pl.col("fiscal_year") == y)).filter(pl.col("region_code") == pref)
    return out.sort("lq", "industry_code", descending=[True, False], nulls_last=True)


def earning_power_table(matrix: pl.DataFrame, *, pref: str) -> pl.DataFrame:
    """稼ぐ力の見える化 of ``pref`` in the latest year (SPEC §4, RESAS type)."""
    return earning_power(matrix, region=pref, fiscal_year=matrix["fiscal_year"].max())


def field_years(matrix: pl.DataFrame, *, pref: str, measure: str) -> list[int]:
    """Years in which ``pref`` has a positive value of ``measure`` in an industry of some strategic
    field (the years the field growth of SPEC §4 can use)."""
    codes = field_jsic_mapping()["jsic_code"].unique()
    hit = matrix.filter(
        (pl.col("region_code") == pref)
        & (pl.col("measure") == measure)
        & (pl.col("value") > 0)
        & pl.col("industry_code").str.slice(0, 2).is_in(codes.to_list())
    )
    return sorted(hit["fiscal_year"].unique().to_list())


def field_suggestions(matrix: pl.DataFrame, *, pref: str, measure: str) -> tuple[pl.DataFrame, list[str]]:
    """重点分野候補 of ``pref`` (:func:`chiiki.industry.suggest.suggest_fields`) and notes.

    Growth between the first and the last year needs the prefecture's field sums in both years; where
    a year has none (a small prefecture in a small data set), the suggestion uses only the years that
    have them, and says so, rather than failing.
    """
    data = matrix.filter(pl.col("measure") == measure)
    all_years = sorted(data["fiscal_year"].unique().to_list())
    usable = field_years(matrix, pref=pref, measure=measure)
    notes: list[str] = []
    if usable != all_years and all_years:
        missing = [y for y in all_years if y not in usable]
        notes.append(SPARSE_NOTE.format(years="・".join(map(str, missing))))
        keep = usable if len(usable) >= 2 else [all_years[-1]]
        data = data.filter(pl.col("fiscal_year").is_in(keep))
    return suggest_fields(data, prefecture=pref, measure=measure), notes


def complexity_view(matrix: pl.DataFrame, *, pref: str, measure: str) -> tuple[dict | None, pl.DataFrame]:
    """The prefecture's ECI, diversity and rank among the prefectures, and its industries with RCA,
    presence, relatedness density and PCI (latest year; SPEC §4 via
    :func:`chiiki.industry.complexity.complexity`). ``(None, empty)`` when it cannot be computed."""
    from chiiki.industry.complexity import complexity  # noqa: PLC0415 - heavy, only for this view

    data = matrix.filter(pl.col("measure") == measure)
    if data.is_empty():
        return None, pl.DataFrame()
    result = complexity(data, measure=measure, fiscal_year=data["fiscal_year"].max())
    regions = result.regions.with_columns(
        eci_rank=pl.col("eci").rank("min", descending=True).cast(pl.Int64), n_regions=pl.len().cast(pl.Int64)
    )
    row = regions.filter(pl.col("region_code") == pref)
    cells = (
        result.cells.filter(pl.col("region_code") == pref)
        .join(result.industries, on="industry_code", how="left")
        .sort(["presence", "density"], descending=True, nulls_last=True)
    )
    return (row.row(0, named=True) if row.height else None), cells


@dataclass(frozen=True)
class Suppression:
    """What of a prefecture's industry aggregates a reader not entitled to the firm data may not see
    (SPEC §0.1): industries whose cell is suppressed (primary or complementary) and strategic fields
    whose firms number fewer than ``min_count``."""

    industries: frozenset[str]
    fields: frozenset[int]
    min_count: int

    @property
    def note(self) -> str | None:
        if not self.industries and not self.fields:
            return None
        return (
            f"企業数が{self.min_count}社未満の産業と、その値が差し引きで分かってしまう産業の値"
            f"（{len(self.industries)}産業{f'、{len(self.fields)}分野' if self.fields else ''}）は秘匿しています"
            "（企業別データの利用が許諾された方には表示されます）。"
        )


def suppression_for(matrix: pl.DataFrame, *, pref: str, year: int, min_count: int) -> Suppression:
    """The cells of ``pref`` in ``year`` to suppress (:func:`chiiki.industry.disclosure.suppressed_cells`
    over the whole region × industry table, so that no line can be completed by subtraction)."""
    counts = firm_counts(matrix, fiscal_year=year)
    cells = suppressed_cells(counts, min_count=min_count).filter(pl.col("region_code") == pref)
    by_field = (
        counts.filter(pl.col("region_code") == pref)
        .join(field_jsic_mapping().select("field_id", "jsic_code").unique(), left_on="industry_code",
              right_on="jsic_code")
        .group_by("field_id")
        .agg(pl.col("count").sum())
        .filter((pl.col("count") > 0) & (pl.col("count") < min_count))
    )  # fmt: skip
    return Suppression(
        frozenset(cells["industry_code"].to_list()), frozenset(by_field["field_id"].to_list()), min_count
    )


def suppress(
    frame: pl.DataFrame, suppression: Suppression | None, columns: list[str], *, key: str = "industry_code"
) -> pl.DataFrame:
    """``frame`` with ``columns`` emptied on the suppressed rows (``key`` an industry code or a field
    id) and a ``suppressed`` flag; unchanged but for the flag when nothing is suppressed."""
    hidden = (
        []
        if suppression is None
        else list(suppression.industries if key == "industry_code" else suppression.fields)
    )
    mask = (
        pl.col(key).is_in(pl.Series(hidden, dtype=frame.schema[key]).implode()) if hidden else pl.lit(False)
    )
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(
        *[pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in present], mask.alias("suppressed")
    )


def industry_suppression(
    reader: Principal, analytics: Analytics, *, pref: str, year: int, min_count: int
) -> Suppression | None:
    """None when ``reader`` may see the firm data of ``pref`` in the analysed data set (nothing to
    hide), else what to suppress for them (computed once per data set, prefecture and year)."""
    ref = analytics.ref
    if ref is not None and may_see_firm_figures(reader, ref.name, pref):
        return None
    memo, key = analytics.industry.memo(), ("suppression", pref, year, min_count)
    if key not in memo:
        memo[key] = suppression_for(analytics.industry.matrix(), pref=pref, year=year, min_count=min_count)
    return memo[key]
