"""加点 for a subsidy review (SPEC §6.4): from the applicant's priority status (重点支援企業) and its
connector / hub degree percentiles within its prefecture (SPEC §3.1–3.2).

Rule (settings in :class:`~chiiki.plans.rules.PlanRules`): ``bonus_priority`` points when the firm was
selected in the priority-company score; ``bonus_degree`` points for each of connector degree and hub
degree at or above the ``bonus_percentile``-th percentile of its prefecture; capped at ``bonus_max``.
Percentile = 100 · (firms of the prefecture with a degree ≤ the firm's) / (firms of the prefecture).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.plans.rules import PlanRules


def degree_percentiles(scores: pl.DataFrame) -> pl.DataFrame:
    """Adds ``connector_percentile`` and ``hub_percentile`` (within ``prefecture_code`` when present)."""
    over = ["prefecture_code"] if "prefecture_code" in scores.columns else None

    def pct(col: str) -> pl.Expr:
        rank = pl.col(col).rank(method="max")
        count = pl.col(col).count()
        expr = 100.0 * rank / count
        return (expr.over(over) if over else expr).alias(col.replace("_degree", "_percentile"))

    return scores.with_columns(pct("connector_degree"), pct("hub_degree"))


def bonus_frame(scores: pl.DataFrame, *, rules: PlanRules | None = None) -> pl.DataFrame:
    """加点 of every firm of a priority-score frame (``company_id, selected, connector_degree,
    hub_degree`` [, ``prefecture_code``]): adds the percentiles, ``bonus_points`` and ``reasons``."""
    return bonus_from_percentiles(degree_percentiles(scores), rules=rules)


def bonus_from_percentiles(f: pl.DataFrame, *, rules: PlanRules | None = None) -> pl.DataFrame:
    """:func:`bonus_frame` on rows that already carry ``connector_percentile`` and ``hub_percentile``
    (computed over the whole prefecture): the points of a few applicants without the reasons of
    every firm."""
    rules = rules or PlanRules()
    p = rules.bonus_percentile
    priority = pl.col("selected").fill_null(False)
    conn = pl.col("connector_percentile") >= p
    hub = pl.col("hub_percentile") >= p
    raw = (
        priority.cast(pl.Int64) * rules.bonus_priority
        + conn.fill_null(False).cast(pl.Int64) * rules.bonus_degree
        + hub.fill_null(False).cast(pl.Int64) * rules.bonus_degree
    )
    reasons = pl.concat_list(
        pl.when(priority).then(pl.lit(f"重点支援企業に選定（+{rules.bonus_priority}点）")),
        pl.when(conn).then(
            pl.format(
                f"コネクター度が県内上位（{{}}パーセンタイル ≥ {p:g}、+{rules.bonus_degree}点）",
                pl.col("connector_percentile").round(1),
            )
        ),
        pl.when(hub).then(
            pl.format(
                f"ハブ度が県内上位（{{}}パーセンタイル ≥ {p:g}、+{rules.bonus_degree}点）",
                pl.col("hub_percentile").round(1),
            )
        ),
        pl.when(raw > rules.bonus_max).then(pl.lit(f"上限 {rules.bonus_max} 点を適用")),
    ).list.drop_nulls()
    return f.with_columns(bonus_points=raw.clip(upper_bound=rules.bonus_max), reasons=reasons)


@dataclass(frozen=True)
class Bonus:
    company_id: str
    points: int
    reasons: list[str]


def bonus_points(company_id: str, *, scores: pl.DataFrame, rules: PlanRules | None = None) -> Bonus:
    """加点 of one applicant, with the reasons (an unknown firm gets 0 and says why)."""
    row = bonus_frame(scores, rules=rules).filter(pl.col("company_id") == company_id)
    if row.is_empty():
        return Bonus(company_id, 0, ["優先度スコアの対象企業に含まれないため加点なし"])
    points = int(row["bonus_points"][0])
    reasons = row["reasons"][0].to_list() or ["加点の条件に該当しません"]
    return Bonus(company_id, points, reasons)
