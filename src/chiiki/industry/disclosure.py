"""Small-cell suppression of region × industry aggregates (SPEC §0.1).

A cell (region, industry) of an aggregate built from firm data is *primary* suppressed when it covers
fewer than ``min_count`` firms (but at least one). Published totals would let a reader recover a lone
suppressed cell by subtraction — along its region (the region's total, or the region's other cells
and its LQ) or along its industry (the national total and the other regions' cells) — so
*complementary* cells are suppressed too, by the usual heuristic of statistical offices: until no
region and no industry has exactly one suppressed cell, the smallest remaining non-empty cell of such
a line is added. Cells with no firm are never needed (a known zero protects nothing) and never chosen.
"""

from __future__ import annotations

import polars as pl

KEY = ["region_code", "industry_code"]


def _lone_lines(cells: pl.DataFrame, line: str) -> pl.DataFrame:
    """For every ``line`` (a region or an industry) with exactly one suppressed cell, its smallest
    unsuppressed non-empty cell."""
    lone = cells.group_by(line).agg(pl.col("suppressed").sum().alias("n")).filter(pl.col("n") == 1)
    return (
        cells.join(lone.select(line), on=line, how="semi")
        .filter(~pl.col("suppressed"))
        .sort("count", *KEY)
        .group_by(line, maintain_order=True)
        .first()
        .select(KEY)
    )


def suppressed_cells(counts: pl.DataFrame, *, min_count: int = 3) -> pl.DataFrame:
    """The cells to suppress (``region_code, industry_code, reason``; reason ``primary`` or
    ``complementary``) of ``counts`` (``region_code, industry_code, count``: firms per cell)."""
    cells = counts.select(*KEY, pl.col("count").cast(pl.Int64)).filter(pl.col("count") > 0)
    cells = cells.with_columns(suppressed=pl.col("count") < min_count, primary=pl.col("count") < min_count)
    if not cells["suppressed"].any():
        return pl.DataFrame(schema={"region_code": pl.Utf8, "industry_code": pl.Utf8, "reason": pl.Utf8})
    while True:
        extra = pl.concat([_lone_lines(cells, "region_code"), _lone_lines(cells, "industry_code")]).unique()
        if extra.is_empty():
            break
        cells = cells.with_columns(
            suppressed=pl.col("suppressed")
            | pl.struct(KEY).is_in(extra.select(pl.struct(KEY)).to_series().implode())
        )
    return cells.filter("suppressed").select(
        *KEY, pl.when("primary").then(pl.lit("primary")).otherwise(pl.lit("complementary")).alias("reason")
    )


def firm_counts(matrix: pl.DataFrame, *, fiscal_year: int) -> pl.DataFrame:
    """Firms per (region, industry) in ``fiscal_year`` from the region × industry frame of
    :func:`chiiki.industry.builders.matrix_from_firms` (its ``establishments`` measure)."""
    return matrix.filter(
        (pl.col("measure") == "establishments") & (pl.col("fiscal_year") == fiscal_year)
    ).select(*KEY, pl.col("value").alias("count"))
