"""Aggregation of the long frame between JSIC levels: 小分類 → 中分類 → 大分類 (SPEC §1, §4)."""

from __future__ import annotations

from functools import cache

import polars as pl

from chiiki.industry.frame import IndustryDataError, check_frame, keys
from chiiki.reference import jsic

LEVELS = ("major", "middle", "minor", "detail")
LEVEL_LABELS = {"major": "大分類", "middle": "中分類", "minor": "小分類", "detail": "細分類"}


@cache
def jsic_levels() -> pl.DataFrame:
    """Every JSIC rev. 14 code with its ``level``, ``middle_code`` (None for 大分類) and
    ``major_code``. Minor and detail codes begin with their 中分類 code."""
    return jsic().select(
        "code",
        "level",
        middle_code=pl.when(pl.col("level") == "major").then(None).otherwise(pl.col("code").str.slice(0, 2)),
        major_code=pl.col("major_code"),
    )


def unknown_codes(codes: pl.Series) -> list[str]:
    """Codes of ``codes`` that are not JSIC rev. 14 codes at any level, sorted."""
    known = jsic_levels()["code"]
    return sorted(set(codes.drop_nulls().unique().to_list()) - set(known.to_list()))


def aggregate_industry(frame: pl.DataFrame, *, to: str = "middle") -> pl.DataFrame:
    """Sum the long frame up to JSIC 中分類 (``to="middle"``) or 大分類 (``to="major"``), through
    the parent codes of :func:`chiiki.reference.jsic`. Rows already at the target level pass
    through; a code coarser than the target (a 大分類 asked for as 中分類) or not in JSIC is an error.
    """
    if to not in ("middle", "major"):
        raise IndustryDataError(f"集計先の分類は middle（中分類）か major（大分類）です: {to}")
    frame = check_frame(frame)
    bad = unknown_codes(frame["industry_code"])
    if bad:
        raise IndustryDataError(
            f"日本標準産業分類（第14回改定）にない産業コードがあります: {', '.join(bad[:20])}"
            f"{' ほか' if len(bad) > 20 else ''}。コードを確認してください。"
        )
    target = "middle_code" if to == "middle" else "major_code"
    k = keys(frame)
    mapped = frame.join(
        jsic_levels().select("code", target), left_on="industry_code", right_on="code", how="left"
    ).with_columns(coarse=pl.col(target).is_null())
    mixed = mapped.filter(pl.col("coarse").any().over(k) & ~pl.col("coarse").all().over(k))
    if mixed.height:
        codes = ", ".join(mixed.filter(pl.col("coarse"))["industry_code"].unique().sort().to_list())
        raise IndustryDataError(
            f"同じ指標に大分類のコード（{codes}）と細かいコードが混ざっています。大分類は中分類に分けられません。"
            "中分類以下のコードで揃えるか、major（大分類）に集計してください。"
        )
    return (
        mapped.group_by("region_code", pl.coalesce(target, "industry_code").alias("industry_code"), *k)
        .agg(pl.col("value").sum())
        .select("region_code", "industry_code", *k, "value")
        .sort(*k, "region_code", "industry_code")
    )
