"""A synthetic national economy: companies and inter-firm transactions that pass the SPEC §2 contract.

The model (documented with its parameters in ``docs/synth.md``):

1. Location. Firms go to prefectures in proportion to population^``agglomeration`` and, within a
   prefecture, to municipalities with log-normal weights (designated cities by ward).
2. Industry. A national mix over JSIC 中分類 (firm-count shares by 大分類, split within each) times a
   prefecture-specific log-normal factor (stronger for manufacturing) and a few hand-set regional
   specialities, so location quotients range widely.
3. Size. Sales are log-normal with an industry median and a heavy tail; employees follow from labour
   productivity, payroll from wages, operating profit from a noisy margin.
4. Links. Each supplier gets a Poisson number of business customers rising with its size and its
   industry's business-to-business orientation. A link leaves the prefecture with a firm-specific
   propensity (logistic in size and industry: few, mostly large manufacturers and wholesalers sell
   widely, so connector hubs emerge); the destination prefecture then decays with distance; the
   customer's industry follows an input–output affinity matrix; within the chosen (prefecture,
   industry) cell the customer is drawn by size. A share of in-region links stays in the supplier's
   municipality.
5. Amounts. A supplier's business sales (its industry's B2B share of sales) are split over its
   customers in proportion to customer size^β with noise, so link amounts add up to at most sales.
   A customer's purchases are then capped at ``max_purchase_share`` of its own sales (its incoming
   amounts scaled down), so every firm buys less than it sells, as real firms do; a tiny firm whose
   one-千円-per-link minimum would still reach its sales loses that year's incoming links.
6. Years. Firms grow at a firm-specific rate plus yearly noise; 90 % of links persist each year and
   the rest are redrawn.

Everything is vectorised NumPy/Polars and deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from chiiki import reference
from chiiki.data.contract import COMPANIES, TRANSACTIONS, Dataset

# Firm-count shares by JSIC 大分類 (roughly the 経済センサス picture), and per-section economics.
# section: (firm share, median sales 千円, sales per employee 千円, wage 千円, B2B share of sales,
#           B2B customer intensity, out-of-region propensity logit, mean growth)
SECTIONS: dict[str, tuple[float, float, float, float, float, float, float, float]] = {
    "A": (0.008, 60_000, 15_000, 2_600, 0.6, 0.6, -1.2, 0.005),
    "B": (0.004, 50_000, 15_000, 2_800, 0.7, 0.6, -0.8, 0.000),
    "C": (0.001, 200_000, 40_000, 4_500, 0.95, 1.0, -0.3, 0.000),
    "D": (0.110, 120_000, 25_000, 4_200, 0.9, 0.9, -2.2, 0.010),
    "E": (0.090, 250_000, 30_000, 4_300, 0.9, 1.6, -0.2, 0.020),
    "F": (0.002, 2_000_000, 90_000, 6_500, 0.5, 1.2, -1.5, 0.000),
    "G": (0.015, 200_000, 25_000, 5_500, 0.8, 1.3, -0.6, 0.030),
    "H": (0.025, 150_000, 15_000, 4_000, 0.85, 1.2, -1.0, 0.010),
    "I": (0.250, 100_000, 30_000, 3_500, 0.45, 1.1, -1.6, 0.005),
    "J": (0.006, 300_000, 40_000, 6_000, 0.5, 0.8, -1.4, 0.005),
    "K": (0.080, 60_000, 30_000, 3_800, 0.5, 0.5, -2.0, 0.005),
    "L": (0.045, 80_000, 15_000, 5_000, 0.85, 1.1, -1.2, 0.020),
    "M": (0.130, 30_000, 6_000, 2_200, 0.1, 0.25, -3.0, 0.010),
    "N": (0.090, 30_000, 8_000, 2_500, 0.1, 0.3, -2.8, 0.005),
    "O": (0.030, 40_000, 8_000, 3_500, 0.1, 0.2, -3.0, 0.000),
    "P": (0.080, 150_000, 9_000, 3_800, 0.05, 0.15, -3.2, 0.015),
    "Q": (0.007, 200_000, 20_000, 4_000, 0.3, 0.5, -2.5, 0.000),
    "R": (0.040, 60_000, 10_000, 3_200, 0.8, 1.0, -2.0, 0.010),
}
EXCLUDED_MIDDLE = {"96", "97", "98", "99"}
"""Foreign and public administration and 分類不能: no firms in the synthetic economy."""

SECTION_SUPPLIES = {
    "A": "EIM",
    "B": "EIM",
    "C": "EFD",
    "D": "DEKIFH",
    "E": "EDIF",
    "F": "EDIMPRGK",
    "G": "EIGLKPR",
    "H": "EIDA",
    "I": "IMDEN",
    "J": "EIDK",
    "K": "IEDMGL",
    "L": "EDIGK",
    "M": "IE",
    "N": "IM",
    "O": "EP",
    "P": "PO",
    "Q": "AIE",
    "R": "EDIHPM",
}
"""For each supplying section, the buyer sections it mostly sells to (first = strongest)."""

SPECIALITIES: dict[str, tuple[str, ...]] = {
    "01": ("09", "01", "03"),
    "02": ("01", "09", "04"),
    "04": ("09", "03", "04"),
    "06": ("28", "01"),
    "07": ("28", "27", "16", "29"),
    "08": ("26", "16", "22"),
    "09": ("31", "16"),
    "10": ("31", "29"),
    "13": ("39", "41", "40", "37", "38"),
    "14": ("39", "16", "31"),
    "15": ("24", "09"),
    "16": ("16", "26"),
    "17": ("26", "28"),
    "19": ("27", "28"),
    "20": ("27", "28", "30"),
    "21": ("24", "13", "21"),
    "22": ("14", "31", "10"),
    "23": ("31", "26", "22"),
    "24": ("16", "28", "17"),
    "25": ("16", "29"),
    "27": ("50", "55", "24", "29"),
    "28": ("22", "16", "29"),
    "33": ("31", "17"),
    "34": ("31", "22"),
    "35": ("16", "17"),
    "37": ("09", "27"),
    "38": ("31", "17"),
    "40": ("39", "09", "22"),
    "42": ("31", "09"),
    "43": ("28", "09"),
    "44": ("80", "75"),
    "46": ("10", "09"),
    "47": ("75", "80", "45"),
}
"""Hand-set regional specialities (prefecture → JSIC 中分類), e.g. 福島 in electronic parts and
medical devices, 愛知 and 広島 in transport equipment, 東京 in information services."""


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the synthetic economy (see docs/synth.md)."""

    links_per_firm: float = 7.2
    agglomeration: float = 1.08
    municipality_sigma: float = 1.1
    industry_sigma_manufacturing: float = 0.9
    industry_sigma_other: float = 0.35
    speciality_boost: float = 4.0
    size_sigma: float = 1.5
    size_exponent_links: float = 0.45
    out_region_offset: float = -1.0
    out_region_size_slope: float = 0.5
    distance_decay_km: float = 250.0
    same_municipality_share: float = 0.35
    customer_size_exponent: float = 0.7
    beta: float = 1.0
    amount_noise_sigma: float = 0.5
    growth_sigma: float = 0.06
    yearly_noise_sigma: float = 0.05
    link_persistence: float = 0.9
    no_corporate_number_share: float = 0.08
    max_purchase_share: float = 0.8


def _sections(middle: pl.DataFrame) -> np.ndarray:
    return middle["major_code"].to_numpy()


def _cum_rows(p: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative sums, offset by row index, so one searchsorted samples every row."""
    p = p / p.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    cum[:, -1] = 1.0
    return (cum + np.arange(p.shape[0])[:, None]).ravel()


def _sample_rows(cum_flat: np.ndarray, rows: np.ndarray, n_cols: int, rng: np.random.Generator) -> np.ndarray:
    """Draw one column index per entry of ``rows`` from that row's distribution."""
    u = rng.random(rows.shape[0])
    idx = np.searchsorted(cum_flat, rows + u, side="right") - rows * n_cols
    return np.clip(idx, 0, n_cols - 1)


def _haversine_km(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lng)
    dlat = la[:, None] - la[None, :]
    dlng = lo[:, None] - lo[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlng / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _industry_affinity(
    middle_codes: np.ndarray, sections: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Supplier industry × buyer industry affinity (input–output-like, dense, positive)."""
    n = middle_codes.shape[0]
    aff = np.full((n, n), 0.05)
    for s, buyers in SECTION_SUPPLIES.items():
        rows = sections == s
        for rank, b in enumerate(buyers):
            aff[np.ix_(rows, sections == b)] += 3.0 / (1 + rank)
    aff *= rng.lognormal(0.0, 0.6, size=(n, n))
    aff[np.arange(n), np.arange(n)] += 4.0  # trade within an industry (parts to assemblers)
    return aff


def _location(n: int, params: SynthParams, rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
    munis = reference.municipalities().filter(pl.col("kind") != "designated_city")
    prefs = reference.prefectures()
    pref_weight = prefs["population_2020"].to_numpy().astype(float) ** params.agglomeration
    pref_share = dict(zip(prefs["prefecture_code"], pref_weight / pref_weight.sum(), strict=True))
    w = rng.lognormal(0.0, params.municipality_sigma, munis.height)
    pref_of = munis["prefecture_code"].to_numpy()
    pref_sum = pl.DataFrame({"p": pref_of, "w": w}).group_by("p").agg(pl.col("w").sum())
    sums = dict(zip(pref_sum["p"], pref_sum["w"], strict=True))
    p = np.array([pref_share[c] * wi / sums[c] for c, wi in zip(pref_of, w, strict=True)])
    muni_idx = rng.choice(munis.height, size=n, p=p / p.sum())
    return munis, muni_idx


def _industry(
    pref_idx: np.ndarray, middle: pl.DataFrame, params: SynthParams, rng: np.random.Generator
) -> np.ndarray:
    sections = _sections(middle)
    codes = middle["code"].to_numpy()
    section_share = np.array([SECTIONS[s][0] for s in sections])
    _, inverse, per_section = np.unique(sections, return_inverse=True, return_counts=True)
    base = section_share / per_section[inverse] * rng.lognormal(0.0, 0.5, len(codes))
    sigma = np.where(sections == "E", params.industry_sigma_manufacturing, params.industry_sigma_other)
    mult = np.exp(sigma[None, :] * rng.standard_normal((47, len(codes))))
    code_pos = {c: i for i, c in enumerate(codes)}
    for pref, specials in SPECIALITIES.items():
        for c in specials:
            mult[int(pref) - 1, code_pos[c]] *= params.speciality_boost
    return _sample_rows(_cum_rows(base[None, :] * mult), pref_idx, len(codes), rng)


@dataclass(frozen=True)
class _Firms:
    pref: np.ndarray  # 0..46
    muni: np.ndarray  # index into munis
    ind: np.ndarray  # index into middle codes
    sales0: np.ndarray
    growth: np.ndarray
    out_prop: np.ndarray
    n_customers_mean: np.ndarray


def _cells(
    keys: np.ndarray, weights: np.ndarray, n_keys: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group firms by cell key: (order of firms, cell start, cell count, cumulative weights in order)."""
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=n_keys)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    cumw = np.cumsum(weights[order])
    return order, start, counts, cumw


def _pick_in_cells(cell: np.ndarray, cells: tuple, rng: np.random.Generator) -> np.ndarray:
    """Size-weighted draw of one firm in each requested cell (cells must be non-empty)."""
    order, start, counts, cumw = cells
    lo = start[cell]
    hi = lo + counts[cell]
    base = np.where(lo > 0, cumw[np.maximum(lo - 1, 0)], 0.0)
    span = cumw[hi - 1] - base
    target = base + rng.random(cell.shape[0]) * span
    pos = np.searchsorted(cumw, target, side="right")
    return order[np.clip(pos, lo, hi - 1)]


def _draw_links(
    suppliers: np.ndarray, f: _Firms, ctx: dict, params: SynthParams, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Customers for the given supplier list (one entry per link)."""
    n_ind = ctx["n_ind"]
    out = rng.random(suppliers.shape[0]) < f.out_prop[suppliers]
    pref_s = f.pref[suppliers]
    pref_c = pref_s.copy()
    if out.any():
        pref_c[out] = _sample_rows(ctx["pref_cum"], pref_s[out], 47, rng)
    ind_c = _sample_rows(ctx["ind_cum"], f.ind[suppliers], n_ind, rng)
    cell = pref_c * n_ind + ind_c
    empty = ctx["pi_cells"][2][cell] == 0
    customers = np.empty(suppliers.shape[0], dtype=np.int64)
    ok = ~empty
    customers[ok] = _pick_in_cells(cell[ok], ctx["pi_cells"], rng)
    customers[empty] = _pick_in_cells(pref_c[empty], ctx["p_cells"], rng)
    local = (~out) & (rng.random(suppliers.shape[0]) < params.same_municipality_share)
    customers[local] = _pick_in_cells(f.muni[suppliers[local]], ctx["m_cells"], rng)
    return suppliers, customers


def _amounts(
    sup: np.ndarray,
    cus: np.ndarray,
    weight: np.ndarray,
    b2b_share: np.ndarray,
    sales: np.ndarray,
    params: SynthParams,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer link amounts (千円, ≥ 1) of one year and the mask of links kept (None: all).

    Each supplier's business sales (``b2b_share`` × sales, per link) are split over its customers
    ∝ ``weight``; a customer buying more than ``max_purchase_share`` of its sales has its incoming
    amounts scaled down to that share (rounded down), so no firm buys as much as it sells. Where even
    1 千円 per link would reach a firm's sales, that firm's incoming links are dropped for the year.
    """
    n = sales.shape[0]
    denom = np.bincount(sup, weights=weight, minlength=n)
    raw = b2b_share * sales[sup] * weight / denom[sup]
    bought = np.bincount(cus, weights=raw, minlength=n)
    cap = params.max_purchase_share * sales
    over = bought > cap
    capped = over[cus]
    if capped.any():
        scale = np.ones(n)
        scale[over] = cap[over] / bought[over]
        raw = raw * scale[cus]
    amount = np.maximum(1.0, np.where(capped, np.floor(raw), np.round(raw)))
    too_small = np.bincount(cus, weights=amount, minlength=n) >= np.round(sales)  # the sales written
    if not too_small.any():
        return amount.astype(np.int64), None
    kept = ~too_small[cus]
    return amount[kept].astype(np.int64), kept


def _dedupe(sup: np.ndarray, cus: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    keep = sup != cus
    key = np.unique(sup[keep] * n + cus[keep])
    return key // n, key % n


def _corporate_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    base = rng.integers(0, 10, size=(n, 12))
    q = np.where(np.arange(12, 0, -1) % 2 == 0, 2, 1)  # position k (0-based) is n = 12 - k from the right
    check = 9 - (base * q).sum(axis=1) % 9
    digits = np.concatenate([check[:, None], base], axis=1)
    return (digits * (10 ** np.arange(12, -1, -1))).sum(axis=1)


def generate_economy(
    *,
    n_firms: int,
    years: Sequence[int] = (2022, 2023, 2024),
    seed: int = 1,
    missing_amounts: float = 0.0,
    params: SynthParams | None = None,
) -> Dataset:
    """Generate companies and transactions for ``years`` (see the module docstring for the model).

    Amounts in 千円. Same arguments, same data.
    """
    if n_firms < 100:
        raise ValueError("企業数は100以上を指定してください。")
    if not 0.0 <= missing_amounts <= 1.0:
        raise ValueError("--missing-amounts は 0 から 1 の割合で指定してください。")
    params = params or SynthParams()
    years = sorted(set(years))
    rng = np.random.default_rng(seed)
    middle = reference.jsic("middle").filter(~pl.col("code").is_in(list(EXCLUDED_MIDDLE)))
    sections = _sections(middle)
    n_ind = middle.height
    munis, muni_idx = _location(n_firms, params, rng)
    pref_idx = munis["prefecture_code"].cast(pl.Int64).to_numpy()[muni_idx] - 1
    ind = _industry(pref_idx, middle, params, rng)
    table = {
        k: np.array([SECTIONS[s][i] for s in sections])
        for i, k in enumerate(
            ["share", "median", "productivity", "wage", "b2b", "intensity", "out_logit", "growth"]
        )
    }
    z = rng.standard_normal(n_firms)
    sales0 = table["median"][ind] * np.exp(params.size_sigma * z)
    growth = table["growth"][ind] + params.growth_sigma * rng.standard_normal(n_firms)
    out_logit = (
        table["out_logit"][ind]
        + params.out_region_offset
        + params.out_region_size_slope * z
        + 0.8 * rng.standard_normal(n_firms)
    )
    out_prop = 1.0 / (1.0 + np.exp(-out_logit))
    lam = table["intensity"][ind] * np.exp(params.size_exponent_links * params.size_sigma * z)
    lam *= params.links_per_firm / lam.mean()
    f = _Firms(pref_idx, muni_idx, ind, sales0, growth, out_prop, lam)

    prefs = reference.prefectures()
    centroid = (
        munis.group_by("prefecture_code")
        .agg(pl.col("lat").mean(), pl.col("lng").mean())
        .sort("prefecture_code")
    )
    dist = _haversine_km(centroid["lat"].to_numpy(), centroid["lng"].to_numpy())
    size = prefs["population_2020"].to_numpy().astype(float)
    kernel = size[None, :] * np.exp(-dist / params.distance_decay_km)
    np.fill_diagonal(kernel, 0.0)
    weights = sales0**params.customer_size_exponent
    ctx = {
        "n_ind": n_ind,
        "pref_cum": _cum_rows(kernel),
        "ind_cum": _cum_rows(_industry_affinity(middle["code"].to_numpy(), sections, rng)),
        "pi_cells": _cells(pref_idx * n_ind + ind, weights, 47 * n_ind),
        "p_cells": _cells(pref_idx, weights, 47),
        "m_cells": _cells(muni_idx, weights, munis.height),
    }
    k = rng.poisson(lam)
    sup, cus = _dedupe(*_draw_links(np.repeat(np.arange(n_firms), k), f, ctx, params, rng), n_firms)

    company_frames, link_frames = [], []
    sales = sales0
    employees_base = np.maximum(
        1, np.round(sales0 / table["productivity"][ind] * rng.lognormal(0, 0.3, n_firms))
    )
    emp = employees_base
    wage = table["wage"][ind] * rng.lognormal(0, 0.15, n_firms)
    for t, year in enumerate(years):
        if t > 0:
            shock = growth + params.yearly_noise_sigma * rng.standard_normal(n_firms)
            sales = sales * np.exp(shock)
            emp = np.maximum(1, emp * np.exp(0.5 * shock + 0.02 * rng.standard_normal(n_firms)))
            wage = wage * np.exp(0.02 + 0.01 * rng.standard_normal(n_firms))
            keep = rng.random(sup.shape[0]) < params.link_persistence
            n_new = int((~keep).sum())
            new_sup = rng.choice(n_firms, size=n_new, p=lam / lam.sum())
            s2, c2 = _draw_links(new_sup, f, ctx, params, rng)
            sup, cus = _dedupe(np.concatenate([sup[keep], s2]), np.concatenate([cus[keep], c2]), n_firms)
        margin = 0.03 + 0.05 * rng.standard_normal(n_firms)
        company_frames.append(
            pl.DataFrame(
                {
                    "__idx": np.arange(n_firms),
                    "fiscal_year": np.full(n_firms, year, dtype=np.int64),
                    "sales": np.round(sales).astype(np.int64),
                    "operating_profit": np.round(sales * margin).astype(np.int64),
                    "employees": np.round(emp).astype(np.int64),
                    "payroll": np.round(emp * wage).astype(np.int64),
                }
            )
        )
        w = sales[cus] ** params.beta * rng.lognormal(0.0, params.amount_noise_sigma, cus.shape[0])
        amount, kept = _amounts(sup, cus, w, table["b2b"][ind[sup]], sales, params)
        missing = rng.random(amount.shape[0]) < missing_amounts
        link_frames.append(
            pl.DataFrame(
                {
                    "__sup": sup if kept is None else sup[kept],
                    "__cus": cus if kept is None else cus[kept],
                    "fiscal_year": np.full(amount.shape[0], year, dtype=np.int64),
                    "amount": pl.Series(amount).set(pl.Series(missing), None) if missing.any() else amount,
                }
            )
        )

    return _assemble(company_frames, link_frames, munis, middle, muni_idx, ind, rng, params)


def _assemble(company_frames, link_frames, munis, middle, muni_idx, ind, rng, params) -> Dataset:
    n = muni_idx.shape[0]
    corp = _corporate_numbers(n, rng).astype(str)
    has_corp = rng.random(n) >= params.no_corporate_number_share
    short_ind = middle["name"].str.replace(r"[・、（].*$", "").str.replace("業$", "")
    ids = pl.Series("company_id", np.arange(1, n + 1)).cast(pl.Utf8).str.zfill(7)
    firms = (
        pl.DataFrame(
            {
                "__idx": np.arange(n),
                "company_id": ids,
                "corporate_number": pl.Series(corp).zip_with(
                    pl.Series(has_corp), pl.Series([None] * n, dtype=pl.Utf8)
                ),
                "municipality_code": munis["municipality_code"].gather(muni_idx),
                "prefecture_code": munis["prefecture_code"].gather(muni_idx),
                "muni_name": munis["name"].gather(muni_idx),
                "jsic_code": middle["code"].gather(ind),
                "ind_name": short_ind.gather(ind),
            }
        )
        .with_columns(
            pl.concat_str(pl.lit("C"), pl.col("company_id")).alias("company_id"),
            pl.concat_str(
                pl.col("muni_name"), pl.col("ind_name"), pl.lit("（模擬）"), pl.col("company_id").str.slice(3)
            ).alias("name"),
        )
        .drop("muni_name", "ind_name")
    )
    companies = pl.concat(company_frames).join(firms, on="__idx", how="left").select(COMPANIES.names)
    id_of = firms["company_id"]
    links = pl.concat(link_frames)
    transactions = links.select(
        id_of.gather(links["__sup"]).alias("supplier_id"),
        id_of.gather(links["__cus"]).alias("customer_id"),
        pl.col("fiscal_year"),
        pl.col("amount"),
    ).select(TRANSACTIONS.names)
    return Dataset(companies.sort("fiscal_year", "company_id"), transactions)


def params_dict(params: SynthParams) -> dict:
    return asdict(params)
