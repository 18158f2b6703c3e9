"""Selection of 重点支援企業 from priority scores (SPEC §3.2 selection rules).

Rules (settings), combined with OR: the top ``top_n`` by score per prefecture, a score threshold
``min_score``, and "both degrees in the top ``hub_connector_top`` %" of the prefecture (connector-hub
firms: rank / n ≤ p / 100 and degree > 0 for both). ``fields`` restricts every rule to firms whose
JSIC 中分類 maps to one of the focus fields (AND); top N is counted among those firms. Every
selected firm carries the reasons that selected it, in Japanese.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from chiiki.firms.errors import FirmAnalysisError
from chiiki.reference import field_jsic_mapping
from chiiki.reference import fields as field_table


def _field_names(ids: Sequence[int], mapping: pl.DataFrame | None) -> pl.DataFrame:
    """``jsic_code → field_names`` (joined with "・") for the chosen strategic fields."""
    known = field_table()
    unknown = sorted(set(ids) - set(known.get_column("field_id").to_list()))
    if unknown:
        raise FirmAnalysisError(f"戦略分野の番号が不正です: {unknown}。1〜17 で指定してください。")
    m = field_jsic_mapping() if mapping is None else mapping
    return (
        m.filter(pl.col("field_id").is_in(list(ids)))
        .join(known.select("field_id", "name"), on="field_id")
        .group_by("jsic_code")
        .agg(pl.col("name").sort().str.join("・").alias("field_names"))
    )


def select_priority(
    scores: pl.DataFrame,
    *,
    top_n: int | None = None,
    min_score: float | None = None,
    hub_connector_top: float | None = None,
    fields: Sequence[int] | None = None,
    field_mapping: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add ``selected`` (bool) and ``reasons`` (Japanese) to a :func:`priority_scores` frame.

    >>> from chiiki.firms.examples import toy_economy
    >>> from chiiki.firms.scores import priority_scores
    >>> ds = toy_economy()
    >>> s = priority_scores(ds.companies, ds.transactions, prefecture="07").firms
    >>> select_priority(s, top_n=1).filter("selected").select("company_id", "reasons").row(0)
    ('A', '県内で総合得点が上位1社以内（1位、63.9点）')
    """
    if top_n is None and min_score is None and hub_connector_top is None:
        raise FirmAnalysisError(
            "選定基準を指定してください（上位N社 --top、得点の下限 --min-score、"
            "コネクター度・ハブ度とも上位p% --hub-connector-top のいずれか）。"
        )
    if top_n is not None and top_n < 1:
        raise FirmAnalysisError(f"上位N社の N は1以上にしてください: {top_n}")
    if hub_connector_top is not None and not 0 < hub_connector_top <= 100:
        raise FirmAnalysisError(f"上位p%の p は 0 より大きく 100 以下にしてください: {hub_connector_top}")
    pref = "prefecture_code"
    frame = scores
    if fields:
        frame = frame.join(_field_names(fields, field_mapping), on="jsic_code", how="left")
        eligible = pl.col("field_names").is_not_null()
    else:
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("field_names"))
        eligible = pl.lit(True)
    frame = frame.with_columns(eligible.alias("_eligible"))
    score_among = pl.when(pl.col("_eligible")).then(pl.col("score"))
    frame = frame.with_columns(
        score_among.rank("min", descending=True).over(pref).alias("_rank"),
        (
            pl.col("connector_degree").rank("min", descending=True).over(pref) / pl.len().over(pref) * 100
        ).alias("_c_pct"),
        (pl.col("hub_degree").rank("min", descending=True).over(pref) / pl.len().over(pref) * 100).alias(
            "_h_pct"
        ),
    )
    rules: list[tuple[pl.Expr, pl.Expr]] = []
    if top_n is not None:
        hit = pl.col("_rank") <= top_n
        scope = "県内の重点分野の企業中" if fields else "県内"
        text = pl.format(
            scope + "で総合得点が上位{}社以内（{}位、{}点）",
            pl.lit(top_n),
            pl.col("_rank").cast(pl.Int64),
            pl.col("score").round(1),
        )
        rules.append((hit, text))
    if min_score is not None:
        hit = pl.col("score") >= min_score
        rules.append(
            (hit, pl.format("総合得点が{}点以上（{}点）", pl.lit(min_score), pl.col("score").round(1)))
        )
    if hub_connector_top is not None:
        p = hub_connector_top
        hit = (
            (pl.col("_c_pct") <= p)
            & (pl.col("_h_pct") <= p)
            & (pl.col("connector_degree") > 0)
            & (pl.col("hub_degree") > 0)
        )
        text = pl.format(
            "コネクター度・ハブ度とも県内上位{}%以内（コネクター度 上位{}%、ハブ度 上位{}%）",
            pl.lit(p),
            pl.col("_c_pct").round(1),
            pl.col("_h_pct").round(1),
        )
        rules.append((hit, text))
    hits = [(pl.col("_eligible") & h.fill_null(False)) for h, _ in rules]
    reasons = [pl.when(h).then(t) for h, (_, t) in zip(hits, rules, strict=True)]
    selected = pl.any_horizontal(hits)
    field_reason = pl.when(selected & pl.col("field_names").is_not_null()).then(
        pl.lit("重点分野: ") + pl.col("field_names")
    )
    return (
        frame.with_columns(
            selected.alias("selected"),
            pl.concat_str([*reasons, field_reason], separator=" / ", ignore_nulls=True).alias("reasons"),
        )
        .drop("_eligible", "_rank", "_c_pct", "_h_pct")
        .sort(
            [pref, "selected", "score_rank", "company_id"],
            descending=[False, True, False, False],
            nulls_last=True,
        )
    )
