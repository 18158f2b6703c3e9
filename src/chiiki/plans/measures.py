"""Support-measure catalog from the seed's 支援策（例） and matching for a plan or a firm (SPEC §6.4).

The seed lists the measures in four groups (インフラ等支援, 審査上の考慮, 交付金支援・ソフト支援,
新たな財政措置) in one cell spanning the three plan types; which plan types each measure applies to
is our reading of the seed, written down here and in docs/plans.md:

- infrastructure, industrial land and the new fiscal measures go with A (large investment clusters);
  land and talent also with B;
- review consideration (加点措置, review by connector/hub degree) goes with B's 重点支援企業 and
  with A's large investments (大規模成長投資補助金); these are the measures a firm can use;
- 地域未来交付金 priority adoption and special zones go with B and C (special zones with A too);
- ministries' support for tourism and food exports goes with C plans built on those local resources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from chiiki.plans.labels import PLAN_TYPE_LABELS

SEED_SOURCE = "地域未来戦略について（令和8年4月24日 ふくしま創生・人口戦略本部会議）支援策（例）"


@dataclass(frozen=True)
class Measure:
    code: str
    category: str
    name: str
    description: str
    plan_types: tuple[str, ...]
    field_ids: tuple[int, ...] | None = None
    """Strategic fields it is limited to (None: any)."""
    local_resources: tuple[str, ...] | None = None
    """C-plan local resources it is limited to (None: any)."""
    for_firms: bool = False
    """Whether an individual firm (a plan's 重点支援企業) can use it."""


CATALOG: tuple[Measure, ...] = (
    Measure(
        "infra_grant",
        "インフラ等支援",
        "地域産業構造転換インフラ整備推進交付金",
        "道路・工業用水など、大規模投資に必要なインフラ整備の支援",
        ("A",),
    ),
    Measure("industrial_land", "インフラ等支援", "産業用地整備支援", "産業用地の整備の支援", ("A", "B")),
    Measure(
        "talent",
        "インフラ等支援",
        "産業人材の育成（大学・高専等）",
        "産業界の人材需要の明確化と、それを踏まえた大学・高専等での産業人材の育成",
        ("A", "B"),
    ),
    Measure(
        "large_growth_subsidy",
        "審査上の考慮",
        "大規模成長投資補助金（審査上の考慮）",
        "加点措置やコネクター度・ハブ度を踏まえた審査",
        ("A", "B"),
        for_firms=True,
    ),
    Measure(
        "ministry_subsidies",
        "審査上の考慮",
        "各省の補助金等（加点措置）",
        "関係省庁の支援施策での審査上の考慮（施策を募集）",
        ("B",),
        for_firms=True,
    ),
    Measure(
        "regional_future_grant",
        "交付金支援・ソフト支援",
        "地域未来交付金での優先採択",
        "地域未来交付金の優先採択",
        ("B", "C"),
    ),
    Measure(
        "special_zone",
        "交付金支援・ソフト支援",
        "特区制度を活用した規制・制度改革",
        "特区制度を活用した規制・制度改革",
        ("A", "B", "C"),
    ),
    Measure(
        "ministry_support",
        "交付金支援・ソフト支援",
        "関係省庁による支援策（観光、農林水産物・食品の輸出支援等）",
        "観光、農林水産物・食品の輸出支援など関係省庁の支援策",
        ("C",),
        local_resources=("観光", "農林水産・食品"),
    ),
    Measure("new_fiscal", "新たな財政措置", "新たな財政措置の検討", "新たな財政措置の検討", ("A",)),
)


def catalog_frame(catalog: Sequence[Measure] = CATALOG) -> pl.DataFrame:
    """The catalog as a frame (one row per measure)."""
    return pl.DataFrame(
        {
            "code": [m.code for m in catalog],
            "category": [m.category for m in catalog],
            "name": [m.name for m in catalog],
            "description": [m.description for m in catalog],
            "plan_types": [list(m.plan_types) for m in catalog],
            "field_ids": [list(m.field_ids) if m.field_ids is not None else None for m in catalog],
            "local_resources": [
                list(m.local_resources) if m.local_resources is not None else None for m in catalog
            ],
            "for_firms": [m.for_firms for m in catalog],
        },
        schema={
            "code": pl.Utf8,
            "category": pl.Utf8,
            "name": pl.Utf8,
            "description": pl.Utf8,
            "plan_types": pl.List(pl.Utf8),
            "field_ids": pl.List(pl.Int64),
            "local_resources": pl.List(pl.Utf8),
            "for_firms": pl.Boolean,
        },
    )


def _list_lit(values: Sequence[object], dtype: pl.DataType) -> pl.Expr:
    return pl.lit(pl.Series([list(values)], dtype=pl.List(dtype))).first()


def match_plan(
    catalog: pl.DataFrame,
    *,
    plan_type: str,
    focus_fields: Sequence[int] = (),
    local_resources: Sequence[str] = (),
) -> pl.DataFrame:
    """Measures a plan can use, each with ``reason`` (Japanese): its type is covered, and the
    measure's field / local-resource limits (when it has any) meet the plan's."""
    fields = _list_lit(focus_fields, pl.Int64)
    resources = _list_lit(local_resources, pl.Utf8)
    field_hit = pl.col("field_ids").list.set_intersection(fields)
    res_hit = pl.col("local_resources").list.set_intersection(resources)
    ok = (
        pl.col("plan_types").list.contains(plan_type)
        & (pl.col("field_ids").is_null() | (field_hit.list.len() > 0))
        & (pl.col("local_resources").is_null() | (res_hit.list.len() > 0))
    )
    base = f"{PLAN_TYPE_LABELS[plan_type]}が対象"
    reason = (
        pl.when(pl.col("local_resources").is_not_null())
        .then(pl.lit(base + "、地域資源「") + res_hit.list.join("・") + pl.lit("」に該当"))
        .when(pl.col("field_ids").is_not_null())
        .then(
            pl.lit(base + "、戦略分野 ")
            + field_hit.cast(pl.List(pl.Utf8)).list.join("・")
            + pl.lit(" に該当")
        )
        .otherwise(pl.lit(base))
    )
    return catalog.filter(ok).with_columns(reason=reason).select("code", "category", "name", "reason")


def match_firm(
    catalog: pl.DataFrame,
    *,
    priority_in_plan_types: Sequence[str],
    bonus_points: int = 0,
) -> pl.DataFrame:
    """Measures a firm can use: those open to firms for a plan type in which the firm is a
    重点支援企業 (``priority_in_plan_types``), with the reason (and its 加点 when given)."""
    types = _list_lit(priority_in_plan_types, pl.Utf8)
    hit = pl.col("plan_types").list.set_intersection(types)
    extra = f"、加点 {bonus_points} 点" if bonus_points else ""
    return (
        catalog.filter(pl.col("for_firms") & (hit.list.len() > 0))
        .with_columns(
            reason=pl.lit("重点支援企業として選定された計画（")
            + hit.list.join("・")
            + pl.lit(f" 計画）の審査上の考慮の対象{extra}")
        )
        .select("code", "category", "name", "reason")
    )
