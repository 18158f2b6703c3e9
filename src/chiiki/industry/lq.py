"""特化係数 (location quotient) and the 稼ぐ力 view (SPEC §4).

LQ_ri = (x_ri / x_r) / (x_Ni / x_N): the share of industry i in region r over its share in the nation.
"""

from __future__ import annotations

import polars as pl

from chiiki.industry.frame import NATIONAL_CODE, check_frame, keys, select


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, null where den is 0 or null."""
    return pl.when(den > 0).then(num / den).otherwise(None)


def national_totals(frame: pl.DataFrame) -> pl.DataFrame:
    """x_Ni by measure (and year) and industry: the national rows (``region_code == "00"``) where the
    frame has them for that measure and year, else the sum over regions (SPEC §4)."""
    frame = check_frame(frame)
    k = keys(frame)
    is_nat = pl.col("region_code") == NATIONAL_CODE
    published = frame.filter(is_nat).group_by(*k, "industry_code").agg(pl.col("value").sum())
    summed = (
        frame.filter(~is_nat)
        .group_by(*k, "industry_code")
        .agg(pl.col("value").sum())
        .join(published.select(k).unique(), on=k, how="anti")
    )
    return pl.concat([published, summed]).rename({"value": "national_value"})


def location_quotient(frame: pl.DataFrame, *, measures: list[str] | None = None) -> pl.DataFrame:
    """特化係数 for every region, industry, measure (and year): SPEC §4.

    LQ = (x_ri / x_r) / (x_Ni / x_N), with x_N = Σ_i x_Ni. The grid is completed (a region without
    a row for an industry has value 0 and LQ 0); LQ is null where a denominator is 0.

    Returns ``region_code, industry_code, measure, [fiscal_year,] value, share, lq`` with
    ``share`` = x_ri / x_r.

    >>> f = pl.DataFrame({"region_code": ["01", "01", "02", "02"], "industry_code": ["09", "29"] * 2,
    ...                   "measure": "employees", "value": [30.0, 10.0, 10.0, 50.0]})
    >>> location_quotient(f)["lq"].round(3).to_list()
    [1.875, 0.417, 0.417, 1.389]
    """
    frame = check_frame(frame)
    if measures is not None:
        frame = frame.filter(pl.col("measure").is_in(measures))
    k = keys(frame)
    national = national_totals(frame)
    regional = frame.filter(pl.col("region_code") != NATIONAL_CODE)
    grid = (
        regional.select(*k, "region_code")
        .unique()
        .join(
            pl.concat([regional.select(*k, "industry_code"), national.select(*k, "industry_code")]).unique(),
            on=k,
        )
    )
    values = regional.group_by(*k, "region_code", "industry_code").agg(pl.col("value").sum())
    out = (
        grid.join(values, on=[*k, "region_code", "industry_code"], how="left")
        .join(national, on=[*k, "industry_code"], how="left")
        .with_columns(pl.col("value", "national_value").fill_null(0.0))
        .with_columns(
            region_total=pl.col("value").sum().over(*k, "region_code"),
            national_share=_ratio(
                pl.col("national_value"), pl.col("national_value").sum().over(*k, "region_code")
            ),
        )
        .with_columns(share=_ratio(pl.col("value"), pl.col("region_total")))
        .with_columns(lq=_ratio(pl.col("share"), pl.col("national_share")))
    )
    return out.select("region_code", "industry_code", *k, "value", "share", "lq").sort(
        *k, "region_code", "industry_code"
    )


EARNING_POWER_LABELS = {
    "both": "稼ぐ力・雇用力ともに高い",
    "earning": "稼ぐ力が高い（特化型）",
    "employment": "雇用の受け皿",
    "neither": "稼ぐ力・雇用力ともに低い",
}


def earning_power(
    frame: pl.DataFrame,
    *,
    region: str,
    fiscal_year: int | None = None,
    lq_measure: str = "employees",
) -> pl.DataFrame:
    """稼ぐ力 view as in RESAS (SPEC §4): per industry of ``region``, the employment share
    (雇用力, x-axis) against ln LQ (稼ぐ力, y-axis) — the data behind the bubble chart.

    ``employment_share`` = employees_ri / employees_r; ``log_lq`` = ln LQ_ri of ``lq_measure``
    (null where LQ is 0 or undefined). ``quadrant`` splits at ln LQ = 0 and at the mean employment
    share of the region's industries (1 / number of industries with employees), and ``label`` names
    the quadrant in Japanese. RESAS plots 修正特化係数 (trade-adjusted); we plot the plain 特化係数.

    Returns ``industry_code, employees, employment_share, lq, log_lq, quadrant, label`` sorted by
    employment share, largest first.
    """
    emp = select(frame, measure="employees", fiscal_year=fiscal_year)
    lqm = select(frame, measure=lq_measure, fiscal_year=fiscal_year)
    emp_lq = location_quotient(emp).filter(pl.col("region_code") == region)
    lq = location_quotient(lqm).filter(pl.col("region_code") == region)
    if emp_lq.is_empty():
        raise ValueError(f"地域コード {region} のデータがありません。")
    out = emp_lq.select("industry_code", employees=pl.col("value"), employment_share=pl.col("share")).join(
        lq.select("industry_code", "lq"), on="industry_code", how="left"
    )
    n_present = (out["employees"] > 0).sum()
    threshold = 1.0 / n_present if n_present else 0.0
    high_lq = pl.col("lq") > 1.0
    high_emp = pl.col("employment_share") >= threshold
    quadrant = (
        pl.when(high_lq & high_emp)
        .then(pl.lit("both"))
        .when(high_lq)
        .then(pl.lit("earning"))
        .when(high_emp)
        .then(pl.lit("employment"))
        .otherwise(pl.lit("neither"))
    )
    return (
        out.with_columns(log_lq=pl.when(pl.col("lq") > 0).then(pl.col("lq").log()).otherwise(None))
        .with_columns(quadrant=quadrant)
        .with_columns(label=pl.col("quadrant").replace_strict(EARNING_POWER_LABELS))
        .sort("employment_share", "industry_code", descending=[True, False], nulls_last=True)
    )
