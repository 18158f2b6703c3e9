"""Network roles after Guimerà & Amaral (2005), SPEC §3.4: participation coefficient and
within-module degree z-score, weighted (amounts) and unweighted (link counts).

The supply network is read as undirected for roles: κ_i counts (or sums the amounts of) all links
of firm i, sales and purchases alike; κ_is those with partners in module s.

    P_i = 1 − Σ_s (κ_is / κ_i)²                  (0 for a firm with no links, not NaN)
    z_i = (κ_i,s_i − mean_{k∈s_i} κ_k,s_k) / sd_{k∈s_i} κ_k,s_k   (population sd; 0 where sd = 0)

Modules are the regions of the level (default) or communities found by igraph's multilevel
(Louvain) method on the weighted network (``modules="communities"``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import YearNetwork, build_network

ROLE_COLUMNS = [
    "participation",
    "within_z",
    "participation_weighted",
    "within_z_weighted",
    "module",
    "role",
    "uses_estimated",
]

ROLE_LABELS = {
    "R1": "R1 超周辺",
    "R2": "R2 周辺",
    "R3": "R3 非ハブ・コネクター",
    "R4": "R4 非ハブ・無所属型",
    "R5": "R5 域内ハブ",
    "R6": "R6 コネクター・ハブ",
    "R7": "R7 無所属型ハブ",
}


def participation_and_z(
    node_module: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray, *, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """P_i and z_i for an undirected edge list (u, v, w) over ``n`` nodes (SPEC §3.4).

    ``node_module`` gives each node's module (−1: none; such nodes form one module of their own
    for the partners' P and get z = 0).
    """
    nodes = np.concatenate([u, v])
    partner_mod = np.concatenate([node_module[v], node_module[u]])
    ww = np.concatenate([w, w]).astype(np.float64)
    kappa = np.bincount(nodes, ww, minlength=n)
    m = int(node_module.max(initial=-1)) + 2  # modules shifted by one so -1 becomes 0
    key = nodes.astype(np.int64) * m + (partner_mod + 1)
    grouped = (
        pl.DataFrame({"key": key, "w": ww})
        .group_by("key")
        .agg(pl.col("w").sum())
        .with_columns(pl.col("key") // m)
    )
    sumsq = np.bincount(grouped["key"].to_numpy(), grouped["w"].to_numpy() ** 2, minlength=n)
    participation = np.zeros(n)
    has = kappa > 0
    participation[has] = 1.0 - sumsq[has] / kappa[has] ** 2

    own = partner_mod == node_module[nodes]
    k_own = np.bincount(nodes[own], ww[own], minlength=n)
    in_mod = node_module >= 0
    mod = np.where(in_mod, node_module, 0)
    n_mod = np.bincount(mod[in_mod], minlength=m)
    s1 = np.bincount(mod[in_mod], k_own[in_mod], minlength=m)
    s2 = np.bincount(mod[in_mod], k_own[in_mod] ** 2, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_mod > 0, s1 / np.maximum(n_mod, 1), 0.0)
        var = np.maximum(np.where(n_mod > 0, s2 / np.maximum(n_mod, 1), 0.0) - mean**2, 0.0)
    sd = np.sqrt(var)[mod]
    z = np.zeros(n)
    ok = in_mod & (sd > 1e-12 * np.maximum(1.0, np.abs(mean[mod])))
    z[ok] = (k_own[ok] - mean[mod][ok]) / sd[ok]
    return np.clip(participation, 0.0, 1.0), z


def classify_roles(participation: pl.Expr, z: pl.Expr) -> pl.Expr:
    """Guimerà–Amaral roles R1–R7 (hub: z ≥ 2.5) with Japanese labels."""
    hub = z >= 2.5
    return (
        pl.when(hub & (participation <= 0.30))
        .then(pl.lit(ROLE_LABELS["R5"]))
        .when(hub & (participation <= 0.75))
        .then(pl.lit(ROLE_LABELS["R6"]))
        .when(hub)
        .then(pl.lit(ROLE_LABELS["R7"]))
        .when(participation <= 0.05)
        .then(pl.lit(ROLE_LABELS["R1"]))
        .when(participation <= 0.62)
        .then(pl.lit(ROLE_LABELS["R2"]))
        .when(participation <= 0.80)
        .then(pl.lit(ROLE_LABELS["R3"]))
        .otherwise(pl.lit(ROLE_LABELS["R4"]))
    )


def _communities(net: YearNetwork, *, seed: int = 1) -> np.ndarray:
    import random

    import igraph as ig

    random.seed(seed)
    g = ig.Graph(n=net.n_firms, edges=np.column_stack([net.supplier, net.customer]).tolist(), directed=False)
    g.es["weight"] = net.amount.tolist()
    g.simplify(combine_edges="sum")
    return np.asarray(g.community_multilevel(weights="weight").membership, dtype=np.int64)


def roles_from_network(net: YearNetwork, *, modules: str = "regions") -> pl.DataFrame:
    """SPEC §3.4 on a built network: ``company_id`` plus :data:`ROLE_COLUMNS`, one row per firm;
    ``uses_estimated``: the firm has a link with an estimated amount (its weighted P and z rest on it)."""
    if modules == "regions":
        module = net.region
        labels = pl.Series("module", net.firms.get_column("region_code"))
    elif modules == "communities":
        module = _communities(net)
        labels = pl.Series("module", module.astype(str))
    else:
        raise FirmAnalysisError(f"modules は regions または communities です: {modules}")
    s, c = net.supplier, net.customer
    p_u, z_u = participation_and_z(module, s, c, np.ones(len(s)), n=net.n_firms)
    p_w, z_w = participation_and_z(module, s, c, net.amount, n=net.n_firms)
    return pl.DataFrame(
        {
            "company_id": net.firms.get_column("company_id"),
            "participation": p_u,
            "within_z": z_u,
            "participation_weighted": p_w,
            "within_z_weighted": z_w,
            "module": labels,
        }
    ).with_columns(
        classify_roles(pl.col("participation"), pl.col("within_z")).alias("role"),
        pl.Series("uses_estimated", net.firm_uses_estimated),
    )


def network_roles(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    modules: str = "regions",
) -> pl.DataFrame:
    """Participation coefficient and within-module z-score per firm of ``year`` (SPEC §3.4).

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> r = network_roles(ds.companies, ds.transactions, year=2024)
    >>> r.filter(pl.col("company_id") == "A").select("participation", "within_z").row(0)
    (0.625, 1.0)
    """
    net = build_network(companies, transactions, year=year, level=level, regions=regions)
    return roles_from_network(net, modules=modules)
