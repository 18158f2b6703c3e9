"""コネクター度・ハブ度 (connector degree and hub degree) per firm, SPEC §3.1 (the seed's definitions).

    out_sales_i      = Σ amount_ij over j with r(j) ≠ r(i)      (域外販売額)
    in_purchases_i   = Σ amount_ki over k with r(k) = r(i)      (域内仕入額)
    connector_degree = out_sales_i / Σ_{k: r(k)=r(i)} out_sales_k
    hub_degree       = in_purchases_i / Σ_{k: r(k)=r(i)} in_purchases_k

In a region whose total is zero the degree is undefined: it is null, and the region table says so
in Japanese (no division by zero). Firms with no links in a region with a non-zero total get 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.firms.network import LinkReport, YearNetwork, build_network
from chiiki.firms.regions import LEVEL_LABELS

FIRM_COLUMNS = [
    "company_id",
    "name",
    "region_code",
    "fiscal_year",
    "out_sales",
    "in_sales",
    "in_purchases",
    "out_purchases",
    "n_out_customers",
    "n_in_customers",
    "n_in_suppliers",
    "n_out_suppliers",
    "connector_degree",
    "hub_degree",
    "connector_rank",
    "hub_rank",
    "uses_estimated",
]

COLUMN_LABELS = {
    "company_id": "企業ID",
    "name": "企業名",
    "region_code": "地域コード",
    "fiscal_year": "年度",
    "out_sales": "域外販売額（千円）",
    "in_sales": "域内販売額（千円）",
    "in_purchases": "域内仕入額（千円）",
    "out_purchases": "域外仕入額（千円）",
    "n_out_customers": "域外販売先数",
    "n_in_customers": "域内販売先数",
    "n_in_suppliers": "域内仕入先数",
    "n_out_suppliers": "域外仕入先数",
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "connector_rank": "コネクター度順位",
    "hub_rank": "ハブ度順位",
    "uses_estimated": "推計取引額を含む",
}


@dataclass(frozen=True)
class ConnectorHubResult:
    """Per-firm degrees, per-region totals and the report of links left out."""

    firms: pl.DataFrame
    regions: pl.DataFrame
    """``region_code, n_firms, out_sales_total, in_purchases_total, in_sales_total,
    out_purchases_total, connector_defined, hub_defined, note``."""
    report: LinkReport
    level: str
    year: int

    @property
    def uses_estimated(self) -> bool:
        return self.report.uses_estimated

    @property
    def notes(self) -> list[str]:
        """Japanese notes: links left out, regions where a degree is undefined, estimated amounts."""
        notes = [f"地域の単位: {LEVEL_LABELS[self.level]}、年度: {self.year}。", *self.report.notes]
        undefined = self.regions.filter(~pl.col("connector_defined") | ~pl.col("hub_defined"))
        for row in undefined.head(10).iter_rows(named=True):
            notes.append(f"地域 {row['region_code']}: {row['note']}")
        if undefined.height > 10:
            notes.append(f"ほか {undefined.height - 10} 地域でコネクター度またはハブ度が定義できません。")
        return notes


def _sums(net: YearNetwork) -> dict[str, np.ndarray]:
    """Per-firm in/out sales and purchases and partner counts by ``np.bincount`` (SPEC §3.1).

    Out-of-region figures are totals minus in-region ones, so only the in-region links are masked.
    """
    n, s, c, a = net.n_firms, net.supplier, net.customer, net.amount
    inside = net.in_region
    s_in, c_in, a_in = s[inside], c[inside], a[inside]
    est = net.estimated
    uses_est = (np.bincount(s[est], minlength=n) + np.bincount(c[est], minlength=n)) > 0
    in_sales = np.bincount(s_in, a_in, minlength=n)
    in_purchases = np.bincount(c_in, a_in, minlength=n)
    n_in_customers = np.bincount(s_in, minlength=n)
    n_in_suppliers = np.bincount(c_in, minlength=n)
    return {
        "out_sales": np.bincount(s, a, minlength=n) - in_sales,
        "in_sales": in_sales,
        "in_purchases": in_purchases,
        "out_purchases": np.bincount(c, a, minlength=n) - in_purchases,
        "n_out_customers": np.bincount(s, minlength=n) - n_in_customers,
        "n_in_customers": n_in_customers,
        "n_in_suppliers": n_in_suppliers,
        "n_out_suppliers": np.bincount(c, minlength=n) - n_in_suppliers,
        "uses_estimated": uses_est,
    }


def rank_within(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Rank "min" of ``value`` descending within each ``group`` (1 = largest; NaN → NaN rank).

    Vectorised: one lexsort, then run starts by cumulative maximum.
    """
    n = len(value)
    key = np.where(np.isnan(value), np.inf, -value)
    order = np.lexsort((key, group))
    g, k = group[order], key[order]
    pos = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_value = new_group.copy()
    new_value[1:] |= k[1:] != k[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    run_start = np.maximum.accumulate(np.where(new_value, pos, 0))
    ranks = np.empty(n)
    ranks[order] = np.where(np.isinf(k), np.nan, run_start - group_start + 1)
    return ranks


def _region_note(connector_defined: pl.Expr, hub_defined: pl.Expr) -> pl.Expr:
    return (
        pl.when(~connector_defined & ~hub_defined)
        .then(pl.lit("域外販売額・域内仕入額の合計がともに0のため、コネクター度・ハブ度は定義できません。"))
        .when(~connector_defined)
        .then(
            pl.lit("域外販売額の合計が0のため、コネクター度は定義できません（0で割らず空欄にしています）。")
        )
        .when(~hub_defined)
        .then(pl.lit("域内仕入額の合計が0のため、ハブ度は定義できません（0で割らず空欄にしています）。"))
        .otherwise(pl.lit(""))
    )


def degrees_from_network(net: YearNetwork, *, level: str = "prefecture") -> ConnectorHubResult:
    """SPEC §3.1 on an already built :class:`YearNetwork` (used by scores and roles too)."""
    sums = _sums(net)
    n_regions = len(net.region_codes)
    reg = net.region
    has_region = reg >= 0
    reg_safe = np.where(has_region, reg, 0)
    totals = {
        k: np.bincount(reg[has_region], sums[k][has_region], minlength=n_regions)
        for k in ("out_sales", "in_purchases", "in_sales", "out_purchases")
    }
    n_firms = np.bincount(reg[has_region], minlength=n_regions)

    def degree(key: str) -> np.ndarray:
        tot = totals[key][reg_safe]
        ok = has_region & (tot > 0)
        out = np.full(net.n_firms, np.nan)
        np.divide(sums[key], tot, out=out, where=ok)
        return out

    connector, hub = degree("out_sales"), degree("in_purchases")
    c_rank = rank_within(reg, connector)
    h_rank = rank_within(reg, hub)
    id_order = net.firms.get_column("company_id").rank("ordinal").to_numpy()
    order = np.lexsort((id_order, np.where(np.isnan(c_rank), np.inf, c_rank), reg))
    order = order[has_region[order]]

    def col(name: str, values: np.ndarray, dtype: pl.DataType) -> pl.Series:
        return pl.Series(name, values[order]).cast(dtype)

    firms = (
        net.firms.select("company_id", "name", "region_code", "fiscal_year")[order]
        .with_columns(
            *(
                col(k, np.rint(sums[k]), pl.Int64)
                for k in ("out_sales", "in_sales", "in_purchases", "out_purchases")
            ),
            *(
                col(k, sums[k], pl.Int64)
                for k in ("n_out_customers", "n_in_customers", "n_in_suppliers", "n_out_suppliers")
            ),
            col("connector_degree", connector, pl.Float64).fill_nan(None),
            col("hub_degree", hub, pl.Float64).fill_nan(None),
            col("connector_rank", c_rank, pl.Float64).fill_nan(None).cast(pl.Int64),
            col("hub_rank", h_rank, pl.Float64).fill_nan(None).cast(pl.Int64),
            col("uses_estimated", sums["uses_estimated"], pl.Boolean),
        )
        .select(FIRM_COLUMNS)
    )
    regions = pl.DataFrame(
        {
            "region_code": pl.Series(net.region_codes, dtype=pl.Utf8),
            "n_firms": n_firms.astype(np.int64),
            **{f"{k}_total": np.rint(v).astype(np.int64) for k, v in totals.items()},
        }
    ).with_columns(
        (pl.col("out_sales_total") > 0).alias("connector_defined"),
        (pl.col("in_purchases_total") > 0).alias("hub_defined"),
    )
    regions = regions.with_columns(
        _region_note(pl.col("connector_defined"), pl.col("hub_defined")).alias("note")
    )
    return ConnectorHubResult(firms=firms, regions=regions, report=net.report, level=level, year=net.year)


def connector_hub(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
) -> ConnectorHubResult:
    """コネクター度・ハブ度 of every firm of fiscal ``year`` at region ``level`` (SPEC §3.1).

    ``level`` is ``prefecture`` (default), ``municipality``, ``block`` (METI bureau blocks) or
    ``custom`` with ``regions`` a frame ``municipality_code, region_code``. Returns one row per firm
    (sorted by region, then connector rank), a per-region table with a Japanese note where a degree
    is undefined, and the report of links left out.

    >>> import polars as pl
    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> res = connector_hub(ds.companies, ds.transactions, year=2024)
    >>> res.firms.group_by("region_code").agg(pl.col("connector_degree").sum().round(9)).sort("region_code")
    shape: (3, 2)
    ┌─────────────┬──────────────────┐
    │ region_code ┆ connector_degree │
    │ ---         ┆ ---              │
    │ str         ┆ f64              │
    ╞═════════════╪══════════════════╡
    │ 07          ┆ 1.0              │
    │ 13          ┆ 1.0              │
    │ 15          ┆ 1.0              │
    └─────────────┴──────────────────┘
    """
    net = build_network(companies, transactions, year=year, level=level, regions=regions)
    return degrees_from_network(net, level=level)
