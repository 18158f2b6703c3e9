"""域内取引額 (in-region transaction value) and the firm-level supply-chain ripple, SPEC §3.5.

域内取引額 of a firm = in-region sales + in-region purchases; of a set of firms (a plan) = the sum of
the amounts of in-region links with at least one end in the set, each link counted once.

Ripple: with a_ji = amount_ji / sales_i for in-region suppliers j of firm i (r(j) = r(i)), an extra
output Δ at firms f gives in-region output x = (I − A)⁻¹ f, solved sparsely (:func:`solve_leontief`) on the
regions of the shocked firms only (A is block-diagonal by region, so this is exact and scales to
the national network). Firms whose in-region purchases reach their sales (column sum ≥ 1) would make
the solve diverge; their purchases are not propagated and the notes name them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import ESTIMATED_NOTE, LinkReport, YearNetwork, build_network


def solve_leontief(
    A: sp.csc_matrix, f: np.ndarray, *, tol: float = 1e-12, max_iter: int = 2000
) -> np.ndarray:
    """x = (I − A)⁻¹ f for a non-negative A with column sums < 1 (SPEC §3.5).

    Neumann iteration x ← f + A x (each step one sparse mat-vec; the error shrinks at least by the
    largest column sum per step), which scales to regions of 100,000+ firms where an LU
    factorisation fills in; sparse LU (``splu``) when the iteration has not converged.
    """
    x = f.copy()
    scale = max(float(np.abs(f).sum()), 1e-300)
    for _ in range(max_iter):
        x_next = f + A @ x
        if float(np.abs(x_next - x).sum()) <= tol * scale:
            return x_next
        x = x_next
    return splu((sp.identity(A.shape[0], format="csc") - A).tocsc()).solve(f)


def _codes(net: YearNetwork, firms: Sequence[str]) -> np.ndarray:
    ids = net.firms.select("company_id").with_row_index("code")
    want = pl.DataFrame({"company_id": list(firms)}, schema={"company_id": pl.Utf8})
    found = want.join(ids, on="company_id", how="left", maintain_order="left")
    unknown = found.filter(pl.col("code").is_null()).get_column("company_id").to_list()
    if unknown:
        raise FirmAnalysisError(
            f"{net.year}年度の企業データに企業ID {', '.join(unknown[:5])} がありません。"
            "企業IDと年度を確認してください。"
        )
    return found.get_column("code").cast(pl.Int64).to_numpy()


@dataclass(frozen=True)
class InRegionValue:
    firms: pl.DataFrame
    """``company_id, name, region_code, in_sales, in_purchases, in_region_value, uses_estimated``."""
    total: int
    """域内取引額 of the set (each in-region link counted once)."""
    uses_estimated: bool
    report: LinkReport

    @property
    def notes(self) -> list[str]:
        return [*self.report.notes] + (
            [ESTIMATED_NOTE] if self.uses_estimated and not self.report.uses_estimated else []
        )


def in_region_transaction_value(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    firms: str | Sequence[str],
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
) -> InRegionValue:
    """域内取引額 of each firm in ``firms`` and of the set (SPEC §3.5).

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> v = in_region_transaction_value(ds.companies, ds.transactions, year=2024, firms=["A", "B"])
    >>> v.firms.select("company_id", "in_region_value").rows(), v.total
    ([('A', 50), ('B', 40)], 60)
    """
    ids = [firms] if isinstance(firms, str) else list(firms)
    net = build_network(companies, transactions, year=year, level=level, regions=regions)
    codes = _codes(net, ids)
    inside = net.in_region
    s, c, a = net.supplier[inside], net.customer[inside], net.amount[inside]
    est = net.estimated[inside]
    n = net.n_firms
    in_sales = np.bincount(s, a, minlength=n)[codes]
    in_purch = np.bincount(c, a, minlength=n)[codes]
    member = np.zeros(n, dtype=bool)
    member[codes] = True
    touches = member[s] | member[c]
    frame = (
        net.firms[codes]
        .select("company_id", "name", "region_code")
        .with_columns(
            pl.Series("in_sales", np.rint(in_sales)).cast(pl.Int64),
            pl.Series("in_purchases", np.rint(in_purch)).cast(pl.Int64),
        )
    )
    frame = frame.with_columns((pl.col("in_sales") + pl.col("in_purchases")).alias("in_region_value"))
    est_firm = (np.bincount(s[est], minlength=n) + np.bincount(c[est], minlength=n))[codes] > 0
    frame = frame.with_columns(pl.Series("uses_estimated", est_firm))
    return InRegionValue(
        firms=frame,
        total=int(np.rint(a[touches].sum())),
        uses_estimated=bool(est[touches].any()),
        report=net.report,
    )


@dataclass(frozen=True)
class RippleResult:
    firms: pl.DataFrame
    """Firms whose output rises: ``company_id, name, region_code, direct, induced, total, is_shocked``,
    largest total first (千円)."""
    direct: float
    induced: float
    """Total in-region output induced beyond the direct Δ (Σx − Σf)."""
    total: float
    uses_estimated: bool
    report: LinkReport
    notes: list[str]


def firm_ripple(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    firms: str | Sequence[str],
    delta: float | Sequence[float],
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    top: int | None = None,
) -> RippleResult:
    """In-region output x = (I − A)⁻¹ f from an extra output ``delta`` at ``firms`` (SPEC §3.5).

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> r = firm_ripple(ds.companies, ds.transactions, year=2024, firms="A", delta=100)
    >>> round(r.total, 6), round(r.induced, 6)
    (105.06, 5.06)
    """
    ids = [firms] if isinstance(firms, str) else list(firms)
    deltas = np.broadcast_to(np.asarray(delta, dtype=np.float64), (len(ids),)).copy()
    if not np.all(np.isfinite(deltas)):
        raise FirmAnalysisError("増加額（delta）は数値で指定してください。")
    net = build_network(companies, transactions, year=year, level=level, regions=regions)
    codes = _codes(net, ids)
    if np.any(net.region[codes] < 0):
        raise FirmAnalysisError(
            "指定した企業はどの地域にも属していません（独自地域の定義を確認してください）。"
        )
    regs = np.unique(net.region[codes])
    keep = np.isin(net.region, regs)
    local = np.cumsum(keep) - 1  # global code → local index (valid where keep)
    m = int(keep.sum())
    inside = net.in_region & keep[net.supplier]
    s, c, a = net.supplier[inside], net.customer[inside], net.amount[inside]
    sales = net.firms.get_column("sales").cast(pl.Float64).fill_null(0.0).to_numpy()
    buyer_sales = sales[c]
    ok = buyer_sales > 0
    no_sales = np.unique(c[~ok])
    coef = np.zeros(len(a))
    coef[ok] = a[ok] / buyer_sales[ok]
    A = sp.csc_matrix((coef, (local[s], local[c])), shape=(m, m))
    colsum = np.asarray(A.sum(axis=0)).ravel()
    divergent = np.flatnonzero(colsum >= 1.0)
    if divergent.size:
        # In-region purchases ≥ sales: (I − A) would be singular or give negative output. These
        # firms' purchases are not propagated (a conservative choice); the notes say which.
        keep_col = np.ones(m)
        keep_col[divergent] = 0.0
        A = (A @ sp.diags(keep_col)).tocsc()
        A.eliminate_zeros()
    f = np.zeros(m)
    np.add.at(f, local[codes], deltas)
    x = solve_leontief(A, f)
    gain = np.flatnonzero((x > 1e-9 * max(1.0, np.abs(f).sum())) | (f != 0))
    gcode = np.flatnonzero(keep)[gain]
    frame = (
        net.firms[gcode]
        .select("company_id", "name", "region_code")
        .with_columns(
            pl.Series("direct", f[gain]),
            pl.Series("induced", x[gain] - f[gain]),
            pl.Series("total", x[gain]),
            pl.Series("is_shocked", f[gain] != 0),
        )
        .sort(["is_shocked", "total"], descending=True)
    )
    if top is not None:
        frame = pl.concat([frame.filter("is_shocked"), frame.filter(~pl.col("is_shocked")).head(top)])
    uses_est = bool(net.estimated[inside].any())
    notes = [*net.report.notes]
    if divergent.size:
        bad = np.flatnonzero(keep)[divergent]
        names = ", ".join(net.firms.get_column("company_id").gather(bad[:5]).to_list())
        notes.append(
            f"域内仕入額が売上高以上の企業 {divergent.size:,} 社（{names} など）は、仕入による波及を計算していません"
            "（そのままでは計算が発散するため）。売上高と取引額を確認してください。"
        )
    if len(no_sales):
        notes.append(f"売上高が0または欠損の企業 {len(no_sales):,} 社は、仕入による波及を計算していません。")
    if uses_est and ESTIMATED_NOTE not in notes:
        notes.append(ESTIMATED_NOTE)
    return RippleResult(
        firms=frame,
        direct=float(f.sum()),
        induced=float(x.sum() - f.sum()),
        total=float(x.sum()),
        uses_estimated=uses_est,
        report=net.report,
        notes=notes,
    )
