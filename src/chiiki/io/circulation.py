"""地域経済循環 (regional economic circulation) of a region with a table, own or estimated (SPEC §7.2).

- 生産 (production) = Σ value added of the region's industries (粗付加価値, by industry);
- 分配 (distribution) = income received by the region's residents: 雇用者所得 and the other value-added
  rows of the table, plus the settings ``commuting_income`` (net employee income of commuters: residents
  working outside minus non-residents working inside), ``property_income`` (net property income from
  outside) and ``other_income`` (other net transfers such as 財政移転); all 0 by default, so that with
  only the table known 分配 = 生産;
- 支出 (expenditure) = 消費 (民間消費支出 + 家計外消費支出) + 投資 + 政府支出 + その他 + 純移輸出
  (移輸出 − 移輸入); the kinds come from the column names (:mod:`chiiki.io.final_demand`);
- 地域経済循環率 = 生産 / 分配 × 100 %;
- net exports by industry = 移輸出_i − 移輸入_i: positive where the industry earns from outside.

Amounts are in the table's unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.final_demand import KIND_LABELS, final_demand_kind
from chiiki.io.table import IOTable, find_label


@dataclass(frozen=True)
class CirculationSettings:
    """Income flows across the region's border that the table does not show (SPEC §7.2), in the
    table's unit: net commuting income, net property income and other net income (財政移転 …)."""

    commuting_income: float = 0.0
    property_income: float = 0.0
    other_income: float = 0.0


@dataclass(frozen=True)
class Circulation:
    """The three sides of the circulation and the rate, with labelled frames for people.

    ``summary``: ``区分, 項目, 金額`` (生産・分配・支出 and their parts); ``industries``: per sector
    粗付加価値, 雇用者所得, その他の付加価値, 移輸出, 移輸入, 純移輸出; ``net_exports``: the sectors by
    純移輸出, largest first, with whether each earns from outside (域外から稼ぐ) or relies on it.
    """

    production: float
    distribution: float
    expenditure: float
    rate: float
    unit: str
    summary: pl.DataFrame
    industries: pl.DataFrame
    net_exports: pl.DataFrame


def circulation(table: IOTable, settings: CirculationSettings | None = None) -> Circulation:
    """地域経済循環 of ``table`` (a single-region table; SPEC §7.2)."""
    if table.is_interregional:
        raise IOTableError(
            "地域経済循環は1地域の表で計算します。地域間表からは地域ごとの表を取り出してください。"
        )
    settings = settings or CirculationSettings()
    income_row = find_label(table.value_added_names, table.settings.income_row, what="雇用者所得の行")
    value_added = table.value_added.sum(axis=0)
    wages = table.value_added[income_row]
    production = float(value_added.sum())
    employee_income = float(wages.sum())
    other_value_added = production - employee_income
    distribution = (
        employee_income
        + other_value_added
        + settings.commuting_income
        + settings.property_income
        + settings.other_income
    )
    if distribution <= 0:
        raise IOTableError(
            "分配（所得）の合計が0以下のため、地域経済循環率を計算できません。設定を確認してください。"
        )
    spending = dict.fromkeys(KIND_LABELS, 0.0)
    for j, name in enumerate(table.final_demand_names):
        spending[final_demand_kind(name)] += float(table.final_demand[:, j].sum())
    exports = table.exports.sum(axis=1)
    imports = 0.0 - table.imports.sum(axis=1)  # 0.0 − keeps +0.0 where there are no imports
    net = float(exports.sum() - imports.sum())
    expenditure = sum(spending.values()) + net
    rate = 100.0 * production / distribution

    rows = [
        ("生産", "粗付加価値（生産）", production),
        ("分配", "雇用者所得", employee_income),
        ("分配", "その他の所得（営業余剰・資本減耗など）", other_value_added),
        ("分配", "通勤による雇用者所得の純流入", settings.commuting_income),
        ("分配", "財産所得の純流入", settings.property_income),
        ("分配", "その他の所得の純流入（財政移転など）", settings.other_income),
        ("分配", "分配（所得）計", distribution),
        ("支出", "民間消費", spending["household"] + spending["business"]),
        ("支出", "民間投資", spending["investment"]),
        ("支出", "政府支出", spending["government"]),
        ("支出", "その他の最終需要", spending["other"]),
        ("支出", "純移輸出（移輸出 − 移輸入）", net),
        ("支出", "支出計", expenditure),
        ("循環", "地域経済循環率（%）= 生産 ÷ 分配 × 100", rate),
    ]
    summary = pl.DataFrame(rows, schema=["区分", "項目", "金額"], orient="row")
    unit = table.unit
    industries = (
        table.label_frame()
        .rename({"sector": "部門"})
        .with_columns(
            pl.Series(f"粗付加価値（{unit}）", value_added),
            pl.Series(f"雇用者所得（{unit}）", wages),
            pl.Series(f"その他の付加価値（{unit}）", value_added - wages),
            pl.Series(f"移輸出（{unit}）", exports),
            pl.Series(f"移輸入（{unit}）", imports),
            pl.Series(f"純移輸出（{unit}）", exports - imports),
        )
    )
    order = np.argsort(-(exports - imports), kind="stable")
    net_exports = (
        industries.select("部門", f"移輸出（{unit}）", f"移輸入（{unit}）", f"純移輸出（{unit}）")
        .select(pl.all().gather(order))
        .with_columns(
            区分=pl.when(pl.col(f"純移輸出（{unit}）") > 0)
            .then(pl.lit("域外から稼ぐ"))
            .otherwise(pl.lit("域外に依存"))
        )
    )
    return Circulation(
        production=production,
        distribution=distribution,
        expenditure=expenditure,
        rate=rate,
        unit=unit,
        summary=summary,
        industries=industries,
        net_exports=net_exports,
    )
