"""Focus-field suggestions among the 17 strategic fields for a prefecture (SPEC §4, §1).

A field is the set of JSIC 中分類 codes the editable mapping (:func:`chiiki.reference.field_jsic_mapping`)
gives it. For a region r and field f with codes C(f):

- strength: LQ_rf = (Σ_{i∈C} x_ri / x_r) / (Σ_{i∈C} x_Ni / x_N)
- relatedness: ω_rf = Σ_{i∈C} x_Ni ω_ri / Σ_{i∈C} x_Ni (density of the field's industries weighted by
  their national size; ω_ri from :func:`chiiki.industry.complexity.density_matrix` across regions)
- size: x_rf = Σ_{i∈C} x_ri and its share of the region, x_rf / x_r
- growth (when the frame has several years): g_rf = (x_rf,T / x_rf,T0)^(1/(T−T0)) − 1, beside the
  national g_Nf; the ranking uses g_rf − g_Nf.

score = Σ_k w_k · p_k with p_k the percentile rank (0–1) of the field among the 17 on indicator k
and weights w (settings; growth's weight is shared out when there is one year only).
"""

from __future__ import annotations

import polars as pl

from chiiki.industry.aggregate import aggregate_industry
from chiiki.industry.complexity import complexity
from chiiki.industry.frame import MEASURES, NATIONAL_CODE, IndustryDataError, check_frame
from chiiki.industry.lq import national_totals
from chiiki.reference import field_jsic_mapping, fields

DEFAULT_WEIGHTS = {"strength": 0.35, "relatedness": 0.35, "size": 0.15, "growth": 0.15}

CATEGORY_LABELS = {
    "strong": "強み（既に集積）",
    "adjacent": "伸びしろ（関連産業が集積）",
    "distant": "育成に時間がかかる",
}


def normalize_prefecture(code: str) -> str:
    """'7', '07' or '07000' → '07'."""
    code = str(code).strip()
    if len(code) == 5 and code.endswith("000"):
        code = code[:2]
    return code.zfill(2)


def _field_sums(frame: pl.DataFrame, mapping: pl.DataFrame, value: str = "value") -> pl.DataFrame:
    return (
        frame.join(mapping, left_on="industry_code", right_on="jsic_code")
        .group_by([c for c in frame.columns if c not in ("industry_code", value)] + ["field_id"])
        .agg(pl.col(value).sum())
    )


def _pct_rank(col: str) -> pl.Expr:
    """Percentile rank in [0, 1] among the fields (ties averaged); null counts as lowest."""
    n = pl.len()
    r = pl.col(col).fill_null(float("-inf")).rank("average")
    return pl.when(n > 1).then((r - 1) / (n - 1)).otherwise(1.0)


def suggest_fields(
    frame: pl.DataFrame,
    *,
    prefecture: str,
    measure: str = "employees",
    fiscal_year: int | None = None,
    mapping: pl.DataFrame | None = None,
    weights: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Rank the 17 strategic fields for ``prefecture`` (SPEC §4), with a one-line Japanese reason.

    ``frame`` is the long region × industry frame at JSIC 中分類 or finer (aggregated to 中分類 here),
    across regions (relatedness needs the other prefectures). Returns ``rank, field_id, field_name,
    category, lq, density, value, share, growth, national_growth, score, reason, jsic_codes``.
    """
    pref = normalize_prefecture(prefecture)
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    if unknown := set(weights) - set(DEFAULT_WEIGHTS):
        raise IndustryDataError(
            f"重みの名前が不明です: {sorted(unknown)}。使えるのは {list(DEFAULT_WEIGHTS)} です。"
        )
    mapping = (
        (mapping if mapping is not None else field_jsic_mapping()).select("field_id", "jsic_code").unique()
    )
    data = check_frame(frame).filter(pl.col("measure") == measure)
    if data.is_empty():
        raise IndustryDataError(f"指標 {measure}（{MEASURES.get(measure, '?')}）のデータがありません。")
    data = aggregate_industry(data, to="middle")
    if pref not in set(data["region_code"].to_list()):
        raise IndustryDataError(f"都道府県コード {pref} のデータがありません。--pref を確認してください。")
    has_years = "fiscal_year" in data.columns and data["fiscal_year"].n_unique() > 1
    year = (
        fiscal_year
        if fiscal_year is not None
        else (data["fiscal_year"].max() if "fiscal_year" in data.columns else None)
    )
    now = data.filter(pl.col("fiscal_year") == year) if year is not None else data

    # strength and size, SPEC §4: field sums of region and nation
    national = national_totals(now).rename({"national_value": "value"})
    x_r = now.filter(pl.col("region_code") == pref)["value"].sum()
    x_N = national["value"].sum()
    reg_f = _field_sums(now.filter(pl.col("region_code") == pref).drop("region_code"), mapping)
    nat_f = _field_sums(national, mapping).rename({"value": "national_value"})
    out = (
        fields()
        .select("field_id", field_name="name")
        .join(reg_f.select("field_id", "value"), on="field_id", how="left")
        .join(nat_f.select("field_id", "national_value"), on="field_id", how="left")
        .with_columns(pl.col("value", "national_value").fill_null(0.0))
        .with_columns(share=pl.col("value") / x_r if x_r > 0 else pl.lit(None, pl.Float64))
        .with_columns(
            lq=pl.when(pl.col("national_value") > 0).then(pl.col("share") / (pl.col("national_value") / x_N))
        )
    )

    # relatedness: national-size-weighted density of the field's industries
    cells = complexity(now, measure=measure).cells.filter(pl.col("region_code") == pref)
    dens = (
        mapping.join(cells.select("industry_code", "density"), left_on="jsic_code", right_on="industry_code")
        .join(national.select("industry_code", w="value"), left_on="jsic_code", right_on="industry_code")
        .group_by("field_id")
        .agg(density=(pl.col("density") * pl.col("w")).sum() / pl.col("w").sum())
    )
    out = out.join(dens, on="field_id", how="left")

    # growth between the first and the chosen year
    if has_years:
        first = data["fiscal_year"].min()
        span = year - first
        ends = data.filter(pl.col("fiscal_year").is_in([first, year]))
        reg_g = _field_sums(ends.filter(pl.col("region_code") == pref).drop("region_code"), mapping)
        nat_g = _field_sums(national_totals(ends).rename({"national_value": "value"}), mapping)

        def cagr(df: pl.DataFrame, name: str) -> pl.DataFrame:
            wide = df.pivot(on="fiscal_year", index="field_id", values="value")
            a, b = str(first), str(year)
            ok = (pl.col(a) > 0) & (pl.col(b) >= 0)
            return wide.select(
                "field_id", pl.when(ok).then((pl.col(b) / pl.col(a)) ** (1 / span) - 1).alias(name)
            )

        if span > 0:
            out = out.join(cagr(reg_g, "growth"), on="field_id", how="left").join(
                cagr(nat_g, "national_growth"), on="field_id", how="left"
            )
    if "growth" not in out.columns:
        out = out.with_columns(growth=pl.lit(None, pl.Float64), national_growth=pl.lit(None, pl.Float64))
        weights = {**weights, "growth": 0.0}
    total_w = sum(weights.values()) or 1.0
    score = (
        weights["strength"] * _pct_rank("lq")
        + weights["relatedness"] * _pct_rank("density")
        + weights["size"] * _pct_rank("value")
        + weights["growth"] * _pct_rank("relative_growth")
    ) / total_w
    median_density = out["density"].median()
    category = (
        pl.when(pl.col("lq") >= 1)
        .then(pl.lit("strong"))
        .when(pl.col("density") >= (median_density if median_density is not None else 0.0))
        .then(pl.lit("adjacent"))
        .otherwise(pl.lit("distant"))
    )
    out = (
        out.with_columns(relative_growth=pl.col("growth") - pl.col("national_growth"))
        .with_columns(score=score, category=category)
        .with_columns(
            rank=pl.col("score").rank("ordinal", descending=True).cast(pl.Int64),
            density_rank=pl.col("density").rank("min", descending=True).cast(pl.Int64),
        )
    )
    out = out.with_columns(reason=_reason(measure, has_growth=out["growth"].is_not_null().any()))
    codes = mapping.sort("jsic_code").group_by("field_id").agg(jsic_codes=pl.col("jsic_code").str.join(","))
    return (
        out.join(codes, on="field_id", how="left")
        .sort("rank")
        .select(
            "rank",
            "field_id",
            "field_name",
            "category",
            "lq",
            "density",
            "value",
            "share",
            "growth",
            "national_growth",
            "score",
            "reason",
            "jsic_codes",
        )
    )


def _fmt(col: str, digits: int) -> pl.Expr:
    return pl.col(col).round(digits).cast(pl.Utf8).fill_null("—")


def _reason(measure: str, *, has_growth: bool) -> pl.Expr:
    """One line in Japanese built from the indicators (vectorised)."""
    label = MEASURES[measure]
    category = pl.col("category").replace_strict(CATEGORY_LABELS)
    strength = (
        pl.when(pl.col("lq") >= 1.2)
        .then(pl.lit("全国より集積"))
        .when(pl.col("lq") >= 0.8)
        .then(pl.lit("全国並み"))
        .otherwise(pl.lit("全国より薄い"))
    )
    parts = [
        pl.format(
            "{}: 特化係数 {}（{}）", category, _fmt("lq", 2).fill_null("—"), strength.fill_null("算出不可")
        ),
        pl.format(
            "関連密度 {}（17分野中{}位）",
            _fmt("density", 3),
            pl.col("density_rank").cast(pl.Utf8).fill_null("—"),
        ),
        pl.format(
            "{} {}（県内の{}%）",
            pl.lit(label),
            pl.col("value").round(0).cast(pl.Int64).cast(pl.Utf8),
            (pl.col("share") * 100).round(1).cast(pl.Utf8).fill_null("—"),
        ),
    ]
    if has_growth:
        pct = {c: (pl.col(c) * 100).round(1).cast(pl.Utf8) for c in ("growth", "national_growth")}
        parts.append(
            pl.when(pl.col("growth").is_null())
            .then(pl.lit("成長率は算出不可（前年度の値なし）"))
            .otherwise(
                pl.format("年率 {}%（全国 {}%）", pct["growth"], pct["national_growth"].fill_null("—"))
            )
        )
    return pl.concat_str(parts, separator="、")


__all__ = ["CATEGORY_LABELS", "DEFAULT_WEIGHTS", "NATIONAL_CODE", "suggest_fields"]
