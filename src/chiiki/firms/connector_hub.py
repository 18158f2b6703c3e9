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

from chiiki.firms.network import LinkReport, YearNetwork, build_network, on_both_sides
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
        return [
            f"地域の単位: {LEVEL_LABELS[self.level]}、年度: {self.year}。",
            *degree_notes(self.regions, self.report),
        ]


def degree_notes(regions: pl.DataFrame, report: LinkReport) -> list[str]:
    """Japanese notes on links left out, regions with an undefined degree and estimated amounts."""
    notes = list(report.notes)
    undefined = regions.filter(~pl.col("connector_defined") | ~pl.col("hub_defined"))
    for row in undefined.head(10).iter_rows(named=True):
        notes.append(f"地域 {row['region_code']}: {row['note']}")
    if undefined.height > 10:
        notes.append(f"ほか {undefined.height - 10} 地域でコネクター度またはハブ度が定義できません。")
    return notes


def _in_and_out(firm: np.ndarray, inside: np.ndarray, n: int, amount: np.ndarray) -> list[np.ndarray]:
    """(in-region amount, out-of-region amount, in-region count, out-of-region count) per firm,
    from two ``np.bincount`` over the key 2·firm + inside."""
    key = 2 * firm + inside
    amounts = np.bincount(key, amount, minlength=2 * n).reshape(n, 2)
    counts = np.bincount(key, minlength=2 * n).reshape(n, 2)
    return [amounts[:, 1], amounts[:, 0], counts[:, 1], counts[:, 0]]


def _sums(net: YearNetwork) -> dict[str, np.ndarray]:
    """Per-firm in/out sales and purchases and partner counts by ``np.bincount`` (SPEC §3.1).

    Each bincount keys on firm and in-region flag together, so one pass gives both figures; the
    supplier side and the customer side run in two threads (NumPy releases the GIL).
    """
    n, a = net.n_firms, net.amount
    inside = net.in_region.view(np.int8)
    sales, purchases = on_both_sides(lambda firm: _in_and_out(firm, inside, n, a), net.supplier, net.customer)
    in_sales, out_sales, n_in_customers, n_out_customers = sales
    in_purchases, out_purchases, n_in_suppliers, n_out_suppliers = purchases
    return {
        "out_sales": out_sales,
        "in_sales": in_sales,
        "in_purchases": in_purchases,
        "out_purchases": out_purchases,
        "n_out_customers": n_out_customers,
        "n_in_customers": n_in_customers,
        "n_in_suppliers": n_in_suppliers,
        "n_out_suppliers": n_out_suppliers,
        "uses_estimated": net.firm_uses_estimated,
    }


def _radix_keys(key: np.ndarray) -> list[np.ndarray]:
    """An integer key as 16-bit pieces, least significant first (a stable ``np.argsort`` of a 16-bit
    array is a radix sort); other keys as they are."""
    if key.size == 0 or not np.issubdtype(key.dtype, np.integer):
        return [key]
    shifted = key.astype(np.int64) - int(key.min())
    top = int(shifted.max())
    if top >= 1 << 48:
        return [shifted]
    return [((shifted >> bits) & 0xFFFF).astype(np.uint16) for bits in range(0, top.bit_length() or 1, 16)]


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """Same as ``np.lexsort(keys)`` (last key primary, ties kept in input order) as a chain of
    stable argsorts; integer keys go through 16-bit radix passes, so sorting 700,000 firms by
    region and rank takes a few milliseconds."""
    order = np.arange(keys[0].size)
    for key in keys:
        for piece in _radix_keys(key):
            k = piece[order]
            if k.size > 1 and not bool(np.all(k[1:] >= k[:-1])):
                order = order[np.argsort(k, kind="stable")]
    return order


def rank_within(group: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    """Rank "min" of each of ``values`` descending within each ``group`` (1 = largest; NaN → NaN).

    Polars window ranks over the integer group, all in one ``select``, returned as float64 arrays
    with NaN.
    """
    frame = pl.DataFrame({"g": group, **{f"v{i}": v for i, v in enumerate(values)}})
    ranks = frame.select(
        pl.col(f"v{i}").fill_nan(None).rank("min", descending=True).over("g") for i in range(len(values))
    )
    return [r.cast(pl.Float64).fill_null(np.nan).to_numpy() for r in ranks.iter_columns()]


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


@dataclass(frozen=True, eq=False)
class DegreeArrays:
    """SPEC §3.1 figures per firm of a :class:`YearNetwork` (row i = firm i) and per region."""

    sums: dict[str, np.ndarray]
    connector: np.ndarray
    """float64; NaN where undefined (no region, or the region's total is 0)."""
    hub: np.ndarray
    regions: pl.DataFrame
    """The per-region table of :class:`ConnectorHubResult`."""


def degree_arrays(net: YearNetwork) -> DegreeArrays:
    """Per-firm sums and degrees as arrays, and the region table (SPEC §3.1)."""
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
    return DegreeArrays(sums, degree("out_sales"), degree("in_purchases"), regions)


def degrees_from_network(net: YearNetwork, *, level: str = "prefecture") -> ConnectorHubResult:
    """SPEC §3.1 on an already built :class:`YearNetwork` (used by roles and the CLI too)."""
    arrays = degree_arrays(net)
    sums, connector, hub = arrays.sums, arrays.connector, arrays.hub
    reg = net.region
    has_region = reg >= 0
    c_rank, h_rank = rank_within(reg, connector, hub)
    c_rank_key = np.where(np.isnan(c_rank), net.n_firms + 1, c_rank).astype(np.int64)
    order = stable_order(net.id_order, c_rank_key, reg)
    order = order[has_region[order]]

    def rank(name: str, values: np.ndarray) -> pl.Series:
        return pl.Series(name, values).fill_nan(None).cast(pl.Int64)

    firms = (
        net.firms.select("company_id", "name", "region_code", "fiscal_year")
        .with_columns(
            *(
                pl.Series(k, np.rint(sums[k]).astype(np.int64))
                for k in ("out_sales", "in_sales", "in_purchases", "out_purchases")
            ),
            *(
                pl.Series(k, sums[k].astype(np.int64))
                for k in ("n_out_customers", "n_in_customers", "n_in_suppliers", "n_out_suppliers")
            ),
            pl.Series("connector_degree", connector).fill_nan(None),
            pl.Series("hub_degree", hub).fill_nan(None),
            rank("connector_rank", c_rank),
            rank("hub_rank", h_rank),
            pl.Series("uses_estimated", sums["uses_estimated"]),
        )
        .select(FIRM_COLUMNS)[order]
    )
    return ConnectorHubResult(
        firms=firms, regions=arrays.regions, report=net.report, level=level, year=net.year
    )


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
