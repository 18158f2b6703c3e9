"""商流圏 (supplier dependence) of a firm: its suppliers up to N tiers, how much of each one's sales ends
at the firm, and what a change Δ of the firm's output does to them (issue 13 item 3; SPEC §3.5).

With b_jk = amount_jk / sales_j (the share of j's sales that goes to k) and F the chosen firm:

    share_j = Σ_{l=1..N} Σ_{paths j → … → F of l links, not passing F before the end} Π b
            = the share of j's sales that ends at F, directly (l = 1: amount_jF / sales_j) and through
              the tiers; the tier of j is its shortest path to F.

A Δ at F asks its suppliers for more, as in the firm ripple: with a_jk = amount_jk / sales_k,

    Δx_j = Σ_{l=1..N} (A^l f)_j,  f = Δ e_F,

the supplier side of x = (I − A)⁻¹ f cut at N tiers (paths may come back through F: its extra
output asks for more again). For a path not passing F, Π a · sales_F = Π b · sales_j, so where no
path returns to F, Δx_j = share_j · sales_j · Δ / sales_F. With ``in_region_only`` only links
within F's region are followed and, as N grows, Δx equals :func:`~chiiki.firms.ripple.firm_ripple`.

Links whose supplier or customer has no positive sales carry no share (the notes count them).
Each tier is one gather over the links into the previous tier's firms (:class:`SupplyGraph`), so
three tiers take milliseconds once the graph is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.graph import SupplyGraph, distinct_nodes, supply_graph
from chiiki.firms.network import ESTIMATED_NOTE, LinkReport, YearNetwork, build_network

MAX_TIERS = 20

DEPENDENCE_COLUMNS = [
    "company_id",
    "name",
    "region_code",
    "prefecture_code",
    "municipality_code",
    "jsic_code",
    "tier",
    "in_region",
    "sales",
    "direct_amount",
    "direct_share",
    "share",
    "delta_output",
    "delta_share",
    "uses_estimated",
]

DEPENDENCE_LABELS = {
    "tier": "階層（何次の仕入先か）",
    "in_region": "同じ地域",
    "sales": "売上高（千円）",
    "direct_amount": "対象企業への販売額（千円）",
    "direct_share": "売上に占める対象企業への直接販売の割合",
    "share": "売上のうち対象企業に至る割合（N次まで）",
    "delta_output": "生産の増加額（千円）",
    "delta_share": "売上に対する増加の割合",
    "uses_estimated": "推計取引額を含む",
}


@dataclass(frozen=True)
class DependenceResult:
    """Suppliers of the chosen firm within ``tiers`` tiers, largest ``share`` first."""

    firms: pl.DataFrame
    """One row per upstream firm: :data:`DEPENDENCE_COLUMNS` (amounts in 千円; ``delta_*`` null when
    no Δ was given)."""
    focus: dict
    """The chosen firm: ``company_id, name, region_code, sales`` and ``delta_output`` (Δ plus what
    comes back to it through the tiers; null without Δ)."""
    tiers: int
    delta: float | None
    by_tier: pl.DataFrame
    """``tier, n_firms, n_in_region, direct_amount, delta_output`` per tier."""
    uses_estimated: bool
    report: LinkReport
    notes: list[str]


def supplier_dependence(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    company_id: str,
    tiers: int = 3,
    delta: float | None = None,
    in_region_only: bool = False,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    graph: SupplyGraph | None = None,
) -> DependenceResult:
    """商流圏 of ``company_id`` in fiscal ``year`` up to ``tiers`` tiers (see the module docstring).

    ``graph``: the year's :func:`~chiiki.firms.graph.supply_graph` (of ``build_network`` at ``level``),
    when the caller keeps one; then ``companies`` and ``transactions`` are not read.

    >>> import polars as pl
    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> r = supplier_dependence(ds.companies, ds.transactions, year=2024, company_id="A", tiers=2, delta=100)
    >>> r.firms.select("company_id", "tier", pl.col("share", "delta_output").round(6)).rows()
    [('C', 1, 0.066667, 2.0), ('B', 1, 0.06, 3.0), ('H', 1, 0.05, 1.5), ('G', 2, 0.003125, 0.125), ('D', 2, 0.003, 0.06)]
    """
    if graph is None:
        net = build_network(companies, transactions, year=year, level=level, regions=regions)
        graph = supply_graph(net)
    elif graph.net.year != year:
        raise FirmAnalysisError(f"渡された取引ネットワークは{graph.net.year}年度で、{year}年度と異なります。")
    return dependence_on_graph(graph, company_id, tiers=tiers, delta=delta, in_region_only=in_region_only)


def firm_row(net: YearNetwork, company_id: str) -> int:
    """Row of ``company_id`` among the network's firms; a Japanese error when it is not one."""
    hit = np.flatnonzero((net.firms.get_column("company_id") == company_id).to_numpy())
    if hit.size == 0:
        raise FirmAnalysisError(
            f"{net.year}年度の企業データに企業ID {company_id} がありません。企業IDと年度を確認してください。"
        )
    return int(hit[0])


def _check_tiers(tiers: int) -> None:
    if not 1 <= tiers <= MAX_TIERS:
        raise FirmAnalysisError(f"階層数（--tiers）は 1〜{MAX_TIERS} で指定してください: {tiers}")


def dependence_on_graph(
    graph: SupplyGraph,
    company_id: str,
    *,
    tiers: int = 3,
    delta: float | None = None,
    in_region_only: bool = False,
) -> DependenceResult:
    """:func:`supplier_dependence` on a built :class:`SupplyGraph`."""
    _check_tiers(tiers)
    if delta is not None and not np.isfinite(delta):
        raise FirmAnalysisError("増加額（--delta）は数値で指定してください。")
    net = graph.net
    focus = firm_row(net, company_id)
    n = net.n_firms
    sales = net.firms.get_column("sales").cast(pl.Float64).fill_null(0.0).to_numpy()
    if sales[focus] <= 0:
        raise FirmAnalysisError(
            f"企業 {company_id} の{net.year}年度の売上高が0または欠損のため、計算できません。"
        )
    focus_region = net.region[focus]

    share = np.zeros(n)
    dx = np.zeros(n)
    tier = np.zeros(n, dtype=np.int64)  # 0: not reached
    tainted = np.zeros(n, dtype=bool)
    u = np.zeros(n)  # share reaching F from each firm over paths of the current length
    v = np.zeros(n)  # Δx per unit Δ over paths of the current length
    t = np.zeros(n, dtype=bool)
    u[focus] = v[focus] = 1.0
    n_no_sales = 0
    for level in range(1, tiers + 1):
        frontier = np.flatnonzero(v)
        links = graph.links_into(frontier)
        if in_region_only:
            links = links[net.in_region[links] & (net.region[net.supplier[links]] == focus_region)]
        s, c, a = net.supplier[links], net.customer[links], net.amount[links]
        ok = (sales[s] > 0) & (sales[c] > 0)
        n_no_sales += int((~ok).sum()) if level == 1 else 0
        s, c, a, est = s[ok], c[ok], a[ok], net.estimated[links[ok]]
        u = np.bincount(s, a / sales[s] * u[c], minlength=n)
        v = np.bincount(s, a / sales[c] * v[c], minlength=n)
        t = np.bincount(s, est | t[c], minlength=n) > 0
        u[focus] = 0.0  # paths end at F's first visit for the share; Δ keeps going round
        share += u
        dx += v
        tainted |= t
        new = distinct_nodes(s, n)
        new = new[(tier[new] == 0) & (new != focus)]
        tier[new] = level
        if not v.any():
            break
    into = graph.links_into(np.array([focus]))
    direct = np.bincount(net.supplier[into], net.amount[into], minlength=n)
    return _result(net, focus, tier, share, dx, tainted, direct, sales, tiers, delta, n_no_sales)


def _result(
    net: YearNetwork,
    focus: int,
    tier: np.ndarray,
    share: np.ndarray,
    dx: np.ndarray,
    tainted: np.ndarray,
    direct: np.ndarray,
    sales: np.ndarray,
    tiers: int,
    delta: float | None,
    n_no_sales: int,
) -> DependenceResult:
    rows = np.flatnonzero(tier > 0)
    direct = direct[rows]
    scale = None if delta is None else float(delta)
    frame = (
        net.firms[rows]
        .select("company_id", "name", "region_code", "prefecture_code", "municipality_code", "jsic_code")
        .with_columns(
            pl.Series("tier", tier[rows]),
            pl.Series("in_region", (net.region[rows] == net.region[focus]) & (net.region[rows] >= 0)),
            pl.Series("sales", sales[rows]).cast(pl.Int64),
            pl.Series("direct_amount", np.rint(direct)).cast(pl.Int64),
            pl.Series("direct_share", direct / sales[rows]),
            pl.Series("share", share[rows]),
            *(
                (
                    pl.Series("delta_output", dx[rows] * scale),
                    pl.Series("delta_share", dx[rows] * scale / sales[rows]),
                )
                if scale is not None
                else (
                    pl.lit(None, pl.Float64).alias("delta_output"),
                    pl.lit(None, pl.Float64).alias("delta_share"),
                )
            ),
            pl.Series("uses_estimated", tainted[rows]),
        )
        .select(DEPENDENCE_COLUMNS)
        .sort(["share", "company_id"], descending=[True, False])
    )
    by_tier = (
        frame.group_by("tier")
        .agg(
            pl.len().alias("n_firms"),
            pl.col("in_region").sum().alias("n_in_region"),
            pl.col("direct_amount").sum(),
            pl.col("delta_output").sum(),
        )
        .sort("tier")
    )
    uses_est = bool(tainted[rows].any())
    notes = [*net.report.notes]
    if n_no_sales:
        notes.append(f"売上高が0または欠損の企業との取引 {n_no_sales:,} 件は、割合の計算に含めていません。")
    if uses_est and ESTIMATED_NOTE not in notes:
        notes.append(ESTIMATED_NOTE)
    f = net.firms.row(focus, named=True)
    back = None if scale is None else scale * (1.0 + dx[focus])
    return DependenceResult(
        firms=frame,
        focus={
            "company_id": f["company_id"],
            "name": f.get("name"),
            "region_code": f["region_code"],
            "sales": int(sales[focus]),
            "delta_output": back,
        },
        tiers=tiers,
        delta=scale,
        by_tier=by_tier,
        uses_estimated=uses_est,
        report=net.report,
        notes=notes,
    )
