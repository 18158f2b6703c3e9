"""The one input type of industry analytics: a long region × industry frame (SPEC §4).

Columns ``region_code, industry_code, measure, value`` and optionally ``fiscal_year``. ``measure`` is
one of :data:`MEASURES`. A row with ``region_code == NATIONAL_CODE`` ("00") carries the national
total of that industry (census tables publish one); without it the nation is the sum of the regions.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MEASURES: dict[str, str] = {
    "employees": "従業者数",
    "establishments": "事業所数",
    "sales": "売上高",
    "value_added": "付加価値額",
}
"""Measures of the long frame and their Japanese labels."""

NATIONAL_CODE = "00"
"""``region_code`` of national-total rows."""

SCHEMA: dict[str, pl.DataType] = {
    "region_code": pl.Utf8(),
    "industry_code": pl.Utf8(),
    "measure": pl.Utf8(),
    "value": pl.Float64(),
}


class IndustryDataError(ValueError):
    """Bad industry input; the message is Japanese and says what, where and what to do."""


def check_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Check the long-frame contract and return it with canonical dtypes (``value`` Float64,
    ``fiscal_year`` Int64 when present)."""
    missing = [c for c in SCHEMA if c not in frame.columns]
    if missing:
        raise IndustryDataError(
            f"地域×産業の表に必要な列がありません: {', '.join(missing)}。"
            "列 region_code, industry_code, measure, value（任意で fiscal_year）を用意してください。"
        )
    bad = sorted(set(frame["measure"].drop_nulls().unique().to_list()) - set(MEASURES))
    if bad:
        raise IndustryDataError(
            f"measure 列に不明な指標があります: {', '.join(map(str, bad))}。"
            f"使えるのは {', '.join(MEASURES)} です。"
        )
    casts = {c: t for c, t in SCHEMA.items()}
    if "fiscal_year" in frame.columns:
        casts["fiscal_year"] = pl.Int64()
    return frame.cast(casts)  # type: ignore[arg-type]


def keys(frame: pl.DataFrame) -> list[str]:
    """Grouping keys above region × industry: ``measure`` and, when present, ``fiscal_year``."""
    return ["measure", "fiscal_year"] if "fiscal_year" in frame.columns else ["measure"]


def select(frame: pl.DataFrame, *, measure: str, fiscal_year: int | None = None) -> pl.DataFrame:
    """Rows of one measure and one year (the latest when ``fiscal_year`` is None)."""
    frame = check_frame(frame)
    out = frame.filter(pl.col("measure") == measure)
    if out.is_empty():
        have = ", ".join(sorted(frame["measure"].unique().to_list()))
        raise IndustryDataError(
            f"指標 {measure}（{MEASURES.get(measure, '?')}）のデータがありません。含まれる指標: {have}"
        )
    if "fiscal_year" in out.columns:
        year = fiscal_year if fiscal_year is not None else out["fiscal_year"].max()
        years = out["fiscal_year"].unique().sort().to_list()
        out = out.filter(pl.col("fiscal_year") == year)
        if out.is_empty():
            raise IndustryDataError(f"{year} 年度の {MEASURES[measure]} がありません。ある年度: {years}")
    return out


def to_matrix(
    frame: pl.DataFrame, *, measure: str, fiscal_year: int | None = None
) -> tuple[np.ndarray, list[str], list[str]]:
    """Dense matrix X (regions × industries) of one measure and year, national rows excluded.

    Returns ``(X, region_codes, industry_codes)`` with codes sorted; absent cells are 0.
    """
    rows = select(frame, measure=measure, fiscal_year=fiscal_year).filter(
        pl.col("region_code") != NATIONAL_CODE
    )
    rows = rows.group_by("region_code", "industry_code").agg(pl.col("value").sum())
    regions = rows["region_code"].unique().sort().to_list()
    industries = rows["industry_code"].unique().sort().to_list()
    r = rows["region_code"].cast(pl.Enum(regions)).to_physical().to_numpy()
    i = rows["industry_code"].cast(pl.Enum(industries)).to_physical().to_numpy()
    X = np.zeros((len(regions), len(industries)))
    np.add.at(X, (r, i), np.nan_to_num(rows["value"].to_numpy()))
    return X, regions, industries


def from_matrix(
    X: np.ndarray, regions: list[str], industries: list[str], **columns: np.ndarray
) -> pl.DataFrame:
    """Long frame ``region_code, industry_code`` plus one column per named matrix (same shape as X)."""
    n, k = X.shape
    data: dict[str, object] = {
        "region_code": np.repeat(np.asarray(regions, dtype=object), k),
        "industry_code": np.tile(np.asarray(industries, dtype=object), n),
    }
    data.update({name: np.asarray(m).ravel() for name, m in columns.items()})
    return pl.DataFrame(data, schema_overrides={"region_code": pl.Utf8, "industry_code": pl.Utf8})
