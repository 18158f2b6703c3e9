"""花火図 data (issue 13 item 2): the supply-chain "fireworks" of a firm, of a region's industries and
of a prefecture's trade with the others, as node and edge frames for drawing on a map.

- :func:`firm_fireworks`: a firm and its partners up to two tiers with the link amounts — by default
  its in-region suppliers (and theirs) and its out-of-region customers (and theirs), the region
  being the firm's (SPEC §3.1) — with each partner's municipality and coordinates;
- :func:`industry_flows`: flows between JSIC 中分類 industries within a region, into it and out of it;
- :func:`prefecture_flows`: flows between a prefecture and each other prefecture (all-industry view).

Amounts are 千円 of the used links of :func:`~chiiki.firms.network.build_network` (unknown parties,
self-links and missing amounts left out, duplicates summed). Every edge says how much of it is
estimated (``amount_estimated`` / ``estimated_amount``), so a page can draw estimates differently.
The aggregates carry the number of distinct suppliers and customers behind each flow, so the shell
can suppress small cells (SPEC §0.1); firm-level frames are scoped by the shell (SPEC §0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki import reference
from chiiki.firms.dependence import firm_row
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.graph import SupplyGraph, distinct_nodes, supply_graph
from chiiki.firms.network import ESTIMATED_NOTE, YearNetwork, build_network

SCOPES = ("in_region", "out_of_region", "all")
SCOPE_LABELS = {"in_region": "域内", "out_of_region": "域外", "all": "全国"}
FLOW_LABELS = {"within": "域内取引", "inflow": "域外からの仕入", "outflow": "域外への販売"}

NODE_COLUMNS = [
    "company_id",
    "name",
    "side",
    "tier",
    "prefecture_code",
    "municipality_code",
    "municipality_name",
    "lat",
    "lng",
    "jsic_code",
    "sales",
    "in_region",
]
EDGE_COLUMNS = ["supplier_id", "customer_id", "side", "tier", "amount", "amount_estimated"]


@dataclass(frozen=True)
class Fireworks:
    """Nodes and edges of a 花火図, with the notes a page shows under it."""

    nodes: pl.DataFrame
    edges: pl.DataFrame
    uses_estimated: bool
    notes: list[str]


def _check_scope(name: str, scope: str) -> None:
    if scope not in SCOPES:
        raise FirmAnalysisError(f"{name} は {' / '.join(SCOPES)} のいずれかです: {scope}")


def _municipalities() -> pl.DataFrame:
    return reference.municipalities().select(
        "municipality_code", pl.col("name").alias("municipality_name"), "lat", "lng"
    )


def _in_scope(net: YearNetwork, partner: np.ndarray, region: int, scope: str) -> np.ndarray:
    same = (net.region[partner] == region) & (region >= 0)
    return same if scope == "in_region" else ~same if scope == "out_of_region" else np.ones_like(same)


def _top_links(links: np.ndarray, amount: np.ndarray, top: int | None) -> np.ndarray:
    if top is None or links.size <= top:
        return links
    keep = np.argsort(-amount[links], kind="stable")[:top]
    return links[np.sort(keep)]


def firm_fireworks(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    company_id: str,
    tiers: int = 2,
    suppliers: str = "in_region",
    customers: str = "out_of_region",
    top: int | None = None,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    graph: SupplyGraph | None = None,
) -> Fireworks:
    """The 花火図 of ``company_id``: suppliers and customers up to ``tiers`` (1 or 2) tiers.

    ``suppliers`` / ``customers``: which partners to follow, relative to the firm's region —
    ``in_region``, ``out_of_region`` or ``all`` (defaults: in-region suppliers, out-of-region
    customers, as RESAS draws them); the second tier follows the first tier's partners with the
    same rule. ``top``: keep only the ``top`` largest links of each side and tier (the second tier
    then grows from the kept first tier). ``graph``: the year's :func:`supply_graph`, when kept.

    ``nodes``: :data:`NODE_COLUMNS`, one row per firm, ``side`` ``focus`` / ``supplier`` /
    ``customer`` / ``both``, ``tier`` the nearest (0 for the firm). ``edges``: :data:`EDGE_COLUMNS`.
    Links back to the firm itself are not drawn as its own second tier.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> fw = firm_fireworks(ds.companies, ds.transactions, year=2024, company_id="A")
    >>> fw.edges.select("supplier_id", "customer_id", "side", "tier", "amount").rows()
    [('B', 'A', 'supplier', 1, 30), ('C', 'A', 'supplier', 1, 20), ('D', 'B', 'supplier', 2, 10), ('A', 'E', 'customer', 1, 100), ('E', 'F', 'customer', 2, 40)]
    """
    if tiers not in (1, 2):
        raise FirmAnalysisError(f"花火図の階層は 1 または 2 です: {tiers}")
    _check_scope("suppliers", suppliers)
    _check_scope("customers", customers)
    if graph is None:
        graph = supply_graph(build_network(companies, transactions, year=year, level=level, regions=regions))
    net = graph.net
    focus = firm_row(net, company_id)
    region = int(net.region[focus])
    parts = []
    for side, scope, gather, partner_of in (
        ("supplier", suppliers, graph.links_into, net.supplier),
        ("customer", customers, graph.links_out_of, net.customer),
    ):
        frontier = np.array([focus])
        for tier in range(1, tiers + 1):
            links = gather(frontier)
            partner = partner_of[links]
            links = links[_in_scope(net, partner, region, scope) & (partner != focus)]
            links = _top_links(links, net.amount, top)
            parts.append((side, tier, links))
            frontier = distinct_nodes(partner_of[links], net.n_firms)
    return _firework_frames(net, focus, parts)


def _firework_frames(net: YearNetwork, focus: int, parts: list) -> Fireworks:
    ids = net.firms.get_column("company_id")
    edge_frames, node_side, node_tier, node_firm = [], [], [], []
    for side, tier, links in parts:
        edge_frames.append(
            pl.DataFrame(
                {
                    "supplier_id": ids.gather(net.supplier[links]),
                    "customer_id": ids.gather(net.customer[links]),
                    "side": pl.Series([side] * links.size, dtype=pl.Utf8),
                    "tier": np.full(links.size, tier, dtype=np.int64),
                    "amount": np.rint(net.amount[links]).astype(np.int64),
                    "amount_estimated": net.estimated[links],
                }
            )
        )
        partner = net.supplier[links] if side == "supplier" else net.customer[links]
        node_firm.append(partner)
        node_side.append(np.full(partner.size, 1 if side == "supplier" else 2))
        node_tier.append(np.full(partner.size, tier))
    edges = pl.concat(edge_frames).select(EDGE_COLUMNS)
    firm = np.concatenate([[focus], *node_firm]).astype(np.int64)
    side_bits = np.concatenate([[0], *node_side]).astype(np.int64)
    tier = np.concatenate([[0], *node_tier]).astype(np.int64)
    per_node = (
        pl.DataFrame({"_row": firm, "_side": side_bits, "tier": tier})
        .group_by("_row")
        .agg(pl.col("tier").min(), pl.col("_side").unique().alias("_sides"))
        .with_columns(
            pl.when(pl.col("_sides").list.contains(0))
            .then(pl.lit("focus"))
            .when(pl.col("_sides").list.len() > 1)
            .then(pl.lit("both"))
            .when(pl.col("_sides").list.first() == 1)
            .then(pl.lit("supplier"))
            .otherwise(pl.lit("customer"))
            .alias("side")
        )
        .sort("tier", "_row")
    )
    rows = per_node.get_column("_row").to_numpy()
    same = (net.region[rows] == net.region[focus]) & (net.region[rows] >= 0)
    columns = ["company_id", "name", "prefecture_code", "municipality_code", "jsic_code", "sales"]
    missing = [c for c in columns if c not in net.firms.columns]
    if missing:
        raise FirmAnalysisError(f"企業データに列 {', '.join(missing)} がありません（花火図に必要です）。")
    nodes = (
        net.firms[rows]
        .select(columns)
        .with_columns(per_node.get_column("side"), per_node.get_column("tier"), pl.Series("in_region", same))
        .join(_municipalities(), on="municipality_code", how="left", maintain_order="left")
        .select(NODE_COLUMNS)
    )
    uses_est = bool(edges.get_column("amount_estimated").any())
    notes = []
    n_unplaced = nodes.get_column("lat").null_count()
    if n_unplaced:
        notes.append(f"市区町村コードから位置が分からない企業 {n_unplaced:,} 社は地図に描けません。")
    if uses_est:
        notes.append(ESTIMATED_NOTE)
    return Fireworks(nodes=nodes, edges=edges, uses_estimated=uses_est, notes=notes)


def _network(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    year: int,
    level: str,
    regions: pl.DataFrame | None,
    network: YearNetwork | None,
) -> YearNetwork:
    if network is not None:
        if network.year != year:
            raise FirmAnalysisError(
                f"渡された取引ネットワークは{network.year}年度で、{year}年度と異なります。"
            )
        return network
    return build_network(companies, transactions, year=year, level=level, regions=regions)


def _codes(net: YearNetwork, column: str) -> tuple[np.ndarray, list[str]]:
    """Integer index per firm of a code column (−1 where null) and the sorted codes."""
    if column not in net.firms.columns:
        raise FirmAnalysisError(f"企業データに列 {column} がありません。")
    values = net.firms.get_column(column)
    codes = sorted(values.drop_nulls().unique().to_list())
    index = values.replace_strict(codes, list(range(len(codes))), default=-1, return_dtype=pl.Int64)
    return index.to_numpy(), codes


def _flow_table(
    net: YearNetwork, links: np.ndarray, key_s: np.ndarray, key_c: np.ndarray, flow: np.ndarray
) -> pl.DataFrame:
    """Sum amounts (all and estimated), count links and distinct suppliers and customers per
    (supplier key, customer key, flow) over ``links``."""
    s, c = net.supplier[links], net.customer[links]
    a, est = net.amount[links], net.estimated[links]
    return (
        pl.DataFrame(
            {
                "_ks": key_s[s],
                "_kc": key_c[c],
                "flow": flow,
                "_s": s,
                "_c": c,
                "_a": a,
                "_e": np.where(est, a, 0.0),
            }
        )
        .group_by("_ks", "_kc", "flow")
        .agg(
            pl.col("_a").sum().round(0).cast(pl.Int64).alias("amount"),
            pl.col("_e").sum().round(0).cast(pl.Int64).alias("estimated_amount"),
            pl.len().alias("n_links"),
            pl.col("_s").n_unique().alias("n_suppliers"),
            pl.col("_c").n_unique().alias("n_customers"),
        )
    )


def industry_flows(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    region_code: str,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    network: YearNetwork | None = None,
) -> Fireworks:
    """Flows between JSIC 中分類 industries of ``region_code`` (industry 花火図), in and out of it.

    ``edges``: ``supplier_jsic, customer_jsic, flow`` (``within``: both firms in the region,
    ``inflow``: bought by the region from outside, ``outflow``: sold outside), ``flow_label``,
    ``amount``, ``estimated_amount`` (千円), ``n_links``, ``n_suppliers``, ``n_customers``, largest
    first. The industry on the far side of an in/outflow is the partner firm's, wherever it is.
    ``nodes``: one row per industry appearing: ``jsic_code, jsic_name, n_firms, sales`` (of the
    region's firms in it) and its ``within_sales``, ``inflow``, ``outflow`` totals.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> fw = industry_flows(ds.companies, ds.transactions, year=2024, region_code="07")
    >>> fw.edges.select("supplier_jsic", "customer_jsic", "flow", "amount").rows()[:3]
    [('28', '29', 'outflow', 100), ('24', '29', 'outflow', 50), ('24', '28', 'within', 30)]
    """
    net = _network(companies, transactions, year, level, regions, network)
    if region_code not in net.region_codes:
        raise FirmAnalysisError(
            f"{year}年度に地域コード {region_code} の企業がありません。地域の単位と地域コードを確認してください。"
        )
    r = net.region_codes.index(region_code)
    ind, codes = _codes(net, "jsic_code")
    in_s, in_c = net.region[net.supplier] == r, net.region[net.customer] == r
    touching = np.flatnonzero(in_s | in_c)
    flow = np.where(in_s[touching] & in_c[touching], 0, np.where(in_c[touching], 1, 2))
    table = _flow_table(net, touching, ind, ind, flow)
    names = dict(reference.jsic("middle").select("code", "name").iter_rows())
    keys, labels = list(range(-1, len(codes))), [None, *codes]  # −1: firm without a JSIC code
    edges = (
        table.with_columns(
            pl.col("_ks").replace_strict(keys, labels, return_dtype=pl.Utf8).alias("supplier_jsic"),
            pl.col("_kc").replace_strict(keys, labels, return_dtype=pl.Utf8).alias("customer_jsic"),
            pl.col("flow").replace_strict([0, 1, 2], list(FLOW_LABELS), return_dtype=pl.Utf8),
        )
        .with_columns(pl.col("flow").replace_strict(FLOW_LABELS, return_dtype=pl.Utf8).alias("flow_label"))
        .select(
            "supplier_jsic",
            "customer_jsic",
            "flow",
            "flow_label",
            "amount",
            "estimated_amount",
            "n_links",
            "n_suppliers",
            "n_customers",
        )
        .sort(["amount", "supplier_jsic", "customer_jsic", "flow"], descending=[True, False, False, False])
    )
    nodes = _industry_nodes(net, r, edges, names)
    uses_est = bool(edges.get_column("estimated_amount").sum() > 0)
    return Fireworks(
        nodes=nodes, edges=edges, uses_estimated=uses_est, notes=[ESTIMATED_NOTE] if uses_est else []
    )


def _industry_nodes(net: YearNetwork, r: int, edges: pl.DataFrame, names: dict) -> pl.DataFrame:
    firms = net.firms.filter(pl.Series(net.region == r))
    own = firms.group_by("jsic_code").agg(pl.len().alias("n_firms"), pl.col("sales").sum())
    within = edges.filter(pl.col("flow") == "within")
    totals = (
        pl.concat(
            [
                within.group_by(pl.col("supplier_jsic").alias("jsic_code")).agg(
                    pl.col("amount").sum().alias("within_sales")
                ),
                edges.filter(pl.col("flow") == "inflow")
                .group_by(pl.col("customer_jsic").alias("jsic_code"))
                .agg(pl.col("amount").sum().alias("inflow")),
                edges.filter(pl.col("flow") == "outflow")
                .group_by(pl.col("supplier_jsic").alias("jsic_code"))
                .agg(pl.col("amount").sum().alias("outflow")),
            ],
            how="diagonal",
        )
        .group_by("jsic_code")
        .agg(pl.col("within_sales", "inflow", "outflow").sum())
    )
    present = (
        pl.concat(
            [
                edges.select(pl.col("supplier_jsic").alias("jsic_code")),
                edges.select(pl.col("customer_jsic").alias("jsic_code")),
                own.select("jsic_code"),
            ]
        )
        .unique()
        .drop_nulls()
    )
    return (
        present.join(own, on="jsic_code", how="left")
        .join(totals, on="jsic_code", how="left")
        .with_columns(
            pl.col("jsic_code").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("jsic_name"),
            pl.col("n_firms").fill_null(0).cast(pl.Int64),
            pl.col("sales", "within_sales", "inflow", "outflow").fill_null(0).cast(pl.Int64),
        )
        .select("jsic_code", "jsic_name", "n_firms", "sales", "within_sales", "inflow", "outflow")
        .sort("jsic_code")
    )


def prefecture_flows(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    prefecture_code: str | None = None,
    network: YearNetwork | None = None,
) -> Fireworks:
    """Flows between prefectures (all-industry 花火図): from ``prefecture_code`` to each prefecture
    and from each to it (its own row is its in-prefecture trade); all 47 × 47 pairs when None.

    ``edges``: ``from_prefecture, to_prefecture, amount, estimated_amount`` (千円), ``n_links``,
    ``n_suppliers``, ``n_customers``, largest first. ``nodes``: the 47 prefectures with ``name``,
    ``lat``, ``lng`` (mean of their municipalities' coordinates) and ``sales_out`` / ``bought_in``
    (the edges' totals leaving / entering it). Firms' own ``prefecture_code`` decides, whatever
    region level ``network`` was built at.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> fw = prefecture_flows(ds.companies, ds.transactions, year=2024, prefecture_code="07")
    >>> fw.edges.select("from_prefecture", "to_prefecture", "amount").rows()
    [('07', '13', 150), ('07', '07', 60), ('15', '07', 15)]
    """
    net = _network(companies, transactions, year, "prefecture", None, network)
    pref, codes = _codes(net, "prefecture_code")
    ps, pc = pref[net.supplier], pref[net.customer]
    if prefecture_code is None:
        links = np.flatnonzero((ps >= 0) & (pc >= 0))
    else:
        if prefecture_code not in codes:
            raise FirmAnalysisError(
                f"{year}年度に都道府県コード {prefecture_code} の企業がありません。2桁（例: 07）で指定してください。"
            )
        p = codes.index(prefecture_code)
        links = np.flatnonzero(((ps == p) & (pc >= 0)) | ((pc == p) & (ps >= 0)))
    table = _flow_table(net, links, pref, pref, np.zeros(links.size, dtype=np.int64))
    code_list = list(range(len(codes)))
    edges = (
        table.with_columns(
            pl.col("_ks").replace_strict(code_list, codes, return_dtype=pl.Utf8).alias("from_prefecture"),
            pl.col("_kc").replace_strict(code_list, codes, return_dtype=pl.Utf8).alias("to_prefecture"),
        )
        .select(
            "from_prefecture",
            "to_prefecture",
            "amount",
            "estimated_amount",
            "n_links",
            "n_suppliers",
            "n_customers",
        )
        .sort(["amount", "from_prefecture", "to_prefecture"], descending=[True, False, False])
    )
    centroid = reference.municipalities().group_by("prefecture_code").agg(pl.col("lat", "lng").mean())
    nodes = (
        reference.prefectures()
        .select("prefecture_code", "name")
        .join(centroid, on="prefecture_code", how="left")
        .join(
            edges.group_by(pl.col("from_prefecture").alias("prefecture_code")).agg(
                pl.col("amount").sum().alias("sales_out")
            ),
            on="prefecture_code",
            how="left",
        )
        .join(
            edges.group_by(pl.col("to_prefecture").alias("prefecture_code")).agg(
                pl.col("amount").sum().alias("bought_in")
            ),
            on="prefecture_code",
            how="left",
        )
        .with_columns(pl.col("sales_out", "bought_in").fill_null(0))
        .sort("prefecture_code")
    )
    uses_est = bool(edges.get_column("estimated_amount").sum() > 0)
    return Fireworks(
        nodes=nodes, edges=edges, uses_estimated=uses_est, notes=[ESTIMATED_NOTE] if uses_est else []
    )
