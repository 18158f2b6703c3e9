"""Candidates for a plan's 重点支援企業 (issue #12 §3; SPEC §3.2, §6.1 B): every firm of the plan's
prefecture, filtered by the plan's focus fields (17 fields → JSIC 中分類,
:func:`chiiki.reference.field_jsic_mapping`), searchable by name (tolerant of 株式会社 / (株) and
full-width / half-width, :func:`chiiki.firms.names.name_key`), sortable by any indicator, one page at a
time; and the selection rule's own reasons for the firms a planner ticks. Polars only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from chiiki.firms.names import name_key
from chiiki.firms.scores import INDICATOR_LABELS
from chiiki.reference import field_jsic_mapping, fields

PICK_SORTS = {
    "score": "総合スコア",
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "profit_mean": INDICATOR_LABELS["profit_mean"],
    "employees_mean": INDICATOR_LABELS["employees_mean"],
    "profit_growth": INDICATOR_LABELS["profit_growth"],
    "employment_growth": INDICATOR_LABELS["employment_growth"],
    "sales": "売上高",
    "employees": "従業者数",
    "out_sales": "域外販売額",
    "in_purchases": "域内仕入額",
    "name": "企業名",
}
"""Columns the candidate table sorts on, with their Japanese names."""
PER_PAGE = 50


def field_filter(focus_fields: Sequence[int]) -> pl.DataFrame:
    """``jsic_code, field_names`` of the JSIC 中分類 of ``focus_fields`` (names joined by 「・」)."""
    names = dict(zip(fields()["field_id"].to_list(), fields()["name"].to_list(), strict=True))
    mapping = field_jsic_mapping().filter(pl.col("field_id").is_in(list(focus_fields)))
    return (
        mapping.with_columns(
            field_name=pl.col("field_id").replace_strict(names, default="", return_dtype=pl.Utf8)
        )
        .sort("field_id")
        .group_by("jsic_code", maintain_order=True)
        .agg(field_names=pl.col("field_name").str.join("・"))
    )


@dataclass(frozen=True)
class CandidatePage:
    rows: pl.DataFrame
    total: int
    """Firms matching the filters (all pages)."""
    region_total: int
    """Firms of the prefecture."""
    page: int
    pages: int


def candidates(
    region: pl.DataFrame,
    *,
    focus_fields: Sequence[int],
    only_fields: bool = True,
    query: str = "",
    sort: str = "score",
    descending: bool = True,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CandidatePage:
    """One page of the prefecture's firms (``region``: one row per firm, as
    :meth:`chiiki.services.analytics.FirmYear.region`) for picking: with ``only_fields`` only those of
    the focus fields' industries; ``query`` matches names on :func:`name_key` (or a company id)."""
    if sort not in PICK_SORTS or sort not in region.columns:
        raise ValueError(f"並べ替えの列「{sort}」はありません。")
    frame = region.join(field_filter(focus_fields), on="jsic_code", how="left")
    if only_fields and focus_fields:
        frame = frame.filter(pl.col("field_names").is_not_null())
    key = name_key(query)
    if key:
        keys = (
            frame.select("name")
            .unique()
            .with_columns(k=pl.col("name").fill_null("").map_elements(name_key, return_dtype=pl.Utf8))
        )
        frame = frame.join(keys, on="name", how="left").filter(
            pl.col("k").str.contains(key, literal=True) | (pl.col("company_id") == query.strip())
        )
    total = frame.height
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ordered = frame.sort([sort, "company_id"], descending=[descending, False], nulls_last=True)
    return CandidatePage(ordered.slice((page - 1) * per_page, per_page), total, region.height, page, pages)


def rule_reasons(
    region: pl.DataFrame, company_ids: Sequence[str], *, focus_fields: Sequence[int]
) -> pl.DataFrame:
    """The selection rule's own reasons (Japanese) for the picked firms, from the whole prefecture:
    rank of the 総合スコア, connector / hub degree top shares within the prefecture and the focus field
    of the firm's industry. Returns ``company_id, reasons`` (list)."""
    n = pl.len()
    ranked = region.with_columns(
        _rank=pl.col("score").rank("min", descending=True),
        _c=pl.col("connector_degree").rank("min", descending=True) / n * 100,
        _h=pl.col("hub_degree").rank("min", descending=True) / n * 100,
    ).join(field_filter(focus_fields), on="jsic_code", how="left")
    chosen = ranked.filter(pl.col("company_id").is_in(list(company_ids)))
    reasons = pl.concat_list(
        pl.when(pl.col("score").is_not_null()).then(
            pl.format(
                "県内の総合スコア {}位（{}社中、{}点）",
                pl.col("_rank").cast(pl.Int64),
                pl.lit(region.height),
                pl.col("score").round(1),
            )
        ),
        pl.when(pl.col("connector_degree") > 0).then(
            pl.format("コネクター度 県内上位{}%", pl.col("_c").round(1))
        ),
        pl.when(pl.col("hub_degree") > 0).then(pl.format("ハブ度 県内上位{}%", pl.col("_h").round(1))),
        pl.when(pl.col("field_names").is_not_null()).then(
            pl.format("重点分野（{}）の産業", pl.col("field_names"))
        ),
    ).list.drop_nulls()
    return chosen.select("company_id", reasons=reasons)
