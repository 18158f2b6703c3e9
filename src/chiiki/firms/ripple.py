"""域内取引額 (in-region transaction value) and the firm-level supply-chain ripple, SPEC §3.5.

域内取引額 of a firm = in-region sales + in-region purchases; of a set of firms (a plan) = the sum of
the amounts of in-region links with at least one end in the set, each link counted once.

Ripple: with a_ji = amount_ji / sales_i for in-region suppliers j of firm i (r(j) = r(i)), an extra
output Δ at firms f gives in-region output x = (I − A)⁻¹ f, solved sparsely
(:func:`~chiiki.firms.leontief.solve_leontief`) on the firms the shock reaches (the shocked firms,
their in-region suppliers, theirs, …; A is block-diagonal by region, so this is exact and scales to
the national network). (I − A)⁻¹ f is used whenever the spectral radius of that part of A is below
1, which :func:`~chiiki.firms.leontief.spectral_check` shows (cheaply: the largest column sum first);
when it is not, the ripple is undefined (the series diverges) and a Japanese error names the firms
on supply cycles that buy in-region at least what they sell. A firm without positive sales has no
input coefficients (its purchases are not propagated; the notes say how many).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.graph import reach_upstream
from chiiki.firms.leontief import SpectralCheck, solve_leontief, spectral_check
from chiiki.firms.network import ESTIMATED_NOTE, LinkReport, YearNetwork, build_network


def _codes(net: YearNetwork, firms: Sequence[str] | pl.Series) -> np.ndarray:
    ids = net.firms.select("company_id").with_row_index("code")
    want = pl.DataFrame({"company_id": pl.Series(firms, dtype=pl.Utf8)})
    found = want.join(ids, on="company_id", how="left", maintain_order="left")
    unknown = found.filter(pl.col("code").is_null()).get_column("company_id")
    if unknown.len():
        more = f" ほか {unknown.len() - 5:,} 社" if unknown.len() > 5 else ""
        raise FirmAnalysisError(
            f"{net.year}年度の企業データに企業ID {', '.join(unknown.head(5).to_list())}{more} がありません。"
            "企業IDと年度を確認してください。"
        )
    return found.get_column("code").cast(pl.Int64).to_numpy()


def _firm_ids(firms: str | Sequence[str] | pl.Series) -> pl.Series:
    if isinstance(firms, str):
        return pl.Series([firms], dtype=pl.Utf8)
    return firms if isinstance(firms, pl.Series) else pl.Series(list(firms), dtype=pl.Utf8)


SHOCK_COLUMNS = ("company_id", "delta")


def shock_from_frame(frame: pl.DataFrame, *, source: str = "需要増の表", first_row: int = 2) -> pl.DataFrame:
    """A shock table ``company_id, delta`` (Δ in 千円 per firm) checked and typed, for
    :func:`firm_ripple`. ``first_row``: the row number a person sees for the first data row (2 below
    a header line, 1 in Parquet), used in the Japanese errors, which name the file, row, column and
    value. A firm on several rows gets the sum of its Δ."""
    missing = [c for c in SHOCK_COLUMNS if c not in frame.columns]
    if missing:
        raise FirmAnalysisError(
            f"{source}: 列 {', '.join(missing)} がありません。1行目を company_id,delta にしてください"
            "（delta は各企業の生産の増加額、千円）。"
        )
    if frame.height == 0:
        raise FirmAnalysisError(f"{source}: 企業の行がありません。")
    ids = frame.get_column("company_id").cast(pl.Utf8).str.strip_chars()
    raw = frame.get_column("delta")
    delta = (
        raw.cast(pl.Utf8).str.strip_chars().str.replace_all(",", "") if raw.dtype == pl.Utf8 else raw
    ).cast(pl.Float64, strict=False)
    bad_id = ids.is_null() | (ids == "")
    bad_delta = delta.is_null() | ~delta.is_finite().fill_null(False)
    for bad, column, what in ((bad_id, "company_id", "企業ID"), (bad_delta, "delta", "数値（千円）")):
        if bad.any():
            row = int(bad.arg_max())
            raise FirmAnalysisError(
                f"{source}: {row + first_row} 行目、列 {column} の値 {frame.get_column(column)[row]!r} が不正です。"
                f"{what}を入れてください。"
            )
    return (
        pl.DataFrame({"company_id": ids, "delta": delta})
        .group_by("company_id", maintain_order=True)
        .agg(pl.col("delta").sum())
    )


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
    firms: str | Sequence[str] | pl.Series,
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
    net = build_network(companies, transactions, year=year, level=level, regions=regions)
    codes = _codes(net, _firm_ids(firms))
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
    """Firms whose output changes: ``company_id, name, region_code, direct, induced, total,
    is_shocked, uses_estimated``, shocked firms first, then by total, largest first (千円).
    ``uses_estimated``: the firm's figure depends on an estimated amount (a link on a path from a
    shocked firm to it)."""
    direct: float
    induced: float
    """Total in-region output induced beyond the direct Δ (Σx − Σf)."""
    total: float
    uses_estimated: bool
    report: LinkReport
    notes: list[str]
    spectral: SpectralCheck
    """How ρ(A) < 1 was shown for the part of A the shock reaches."""


def firm_ripple(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    firms: str | Sequence[str] | pl.Series,
    delta: float | Sequence[float] | np.ndarray,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
    top: int | None = None,
    network: YearNetwork | None = None,
) -> RippleResult:
    """In-region output x = (I − A)⁻¹ f from an extra output ``delta`` at ``firms`` (SPEC §3.5).

    ``delta`` is one number for every firm or one per firm (a firm named twice gets the sum; a
    shock file goes through :func:`shock_from_frame` first);
    ``network``: the year's :func:`~chiiki.firms.network.build_network` of the same frames at
    ``level``, when the caller already built it. Raises :class:`FirmAnalysisError` (Japanese) when
    the spectral radius of the reached part of A is not below 1.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> r = firm_ripple(ds.companies, ds.transactions, year=2024, firms="A", delta=100)
    >>> round(r.total, 6), round(r.induced, 6)
    (105.06, 5.06)
    """
    ids = _firm_ids(firms)
    if ids.len() == 0:
        raise FirmAnalysisError("需要が増える企業を1社以上指定してください。")
    try:
        deltas = np.broadcast_to(np.asarray(delta, dtype=np.float64), (ids.len(),)).copy()
    except ValueError as exc:
        raise FirmAnalysisError("増加額（delta）は1つの数か、企業ごとに1つずつ指定してください。") from exc
    if not np.all(np.isfinite(deltas)):
        raise FirmAnalysisError("増加額（delta）は数値で指定してください。")
    if network is not None and network.year != year:
        raise FirmAnalysisError(f"渡された取引ネットワークは{network.year}年度で、{year}年度と異なります。")
    net = network or build_network(companies, transactions, year=year, level=level, regions=regions)
    codes = _codes(net, ids)
    if np.any(net.region[codes] < 0):
        raise FirmAnalysisError(
            "指定した企業はどの地域にも属していません（独自地域の定義を確認してください）。"
        )
    return ripple_on_network(net, codes, deltas, top=top)


def _input_coefficients(
    net: YearNetwork, keep: np.ndarray
) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """A over the firms ``keep`` (local indices in firm order): a_ji = amount_ji / sales_i of the
    in-region links between them; a firm without positive sales gets no column. Returns A, the local
    (supplier, customer) of its estimated links, and the global codes of the firms without sales."""
    local = np.cumsum(keep) - 1  # global code → local index (valid where keep)
    m = int(keep.sum())
    inside = net.in_region & keep[net.supplier]
    s, c, a, est = net.supplier[inside], net.customer[inside], net.amount[inside], net.estimated[inside]
    sales = net.firms.get_column("sales").cast(pl.Float64).fill_null(0.0).to_numpy()
    buyer_sales = sales[c]
    ok = buyer_sales > 0
    no_sales = np.unique(c[~ok])
    s, c, coef, est = local[s[ok]], local[c[ok]], a[ok] / buyer_sales[ok], est[ok]
    A = sp.csc_matrix((coef, (s, c)), shape=(m, m))
    return A, np.stack([s[est], c[est]]), no_sales, local


def _divergence_error(net: YearNetwork, check: SpectralCheck, global_codes: np.ndarray) -> FirmAnalysisError:
    bad = global_codes[check.offenders]
    ids = ", ".join(net.firms.get_column("company_id").gather(bad[:5]).to_list())
    more = f" ほか {bad.size - 5:,} 社" if bad.size > 5 else ""
    return FirmAnalysisError(
        f"{net.year}年度の域内取引では波及が収束しません（投入係数行列のスペクトル半径 ρ ≥ 1、"
        f"{check.method}で ρ ≈ {check.radius:.4g}）。"
        f"域内仕入額が売上高以上で、互いに取引が循環している企業 {bad.size:,} 社（{ids}{more}）が原因です。"
        "これらの企業の売上高と取引額を確認してください。"
    )


def ripple_on_network(
    net: YearNetwork, codes: np.ndarray, deltas: np.ndarray, *, top: int | None = None
) -> RippleResult:
    """:func:`firm_ripple` on a built network: Δ ``deltas`` at the firms of rows ``codes``."""
    regs = np.unique(net.region[codes])
    keep = np.isin(net.region, regs)
    A, est_links, no_sales, local = _input_coefficients(net, keep)
    kept_codes = np.flatnonzero(keep)
    f = np.zeros(A.shape[0])
    np.add.at(f, local[codes], deltas)
    reached = np.flatnonzero(reach_upstream(A.indptr, A.indices, f != 0))
    A_r = A if reached.size == A.shape[0] else A[reached][:, reached].tocsc()
    check = spectral_check(A_r)  # x depends on the reached firms only, so ρ of that part decides
    if not check.below_one:
        raise _divergence_error(net, check, kept_codes[reached])
    x = np.zeros(A.shape[0])
    x[reached] = solve_leontief(A_r, f[reached])
    # a firm's figure rests on an estimate when an estimated link leads from a moved firm to it
    est_s, est_c = est_links
    start = np.zeros(A.shape[0], dtype=bool)
    start[est_s[x[est_c] != 0]] = True
    tainted = reach_upstream(A.indptr, A.indices, start)

    threshold = 1e-9 * max(1.0, float(np.abs(f).sum()))
    moved = np.flatnonzero((np.abs(x) > threshold) | (f != 0))
    frame = (
        net.firms[kept_codes[moved]]
        .select("company_id", "name", "region_code")
        .with_columns(
            pl.Series("direct", f[moved]),
            pl.Series("induced", x[moved] - f[moved]),
            pl.Series("total", x[moved]),
            pl.Series("is_shocked", f[moved] != 0),
            pl.Series("uses_estimated", tainted[moved]),
        )
        .sort(["is_shocked", "total"], descending=True)
    )
    if top is not None:
        frame = pl.concat([frame.filter("is_shocked"), frame.filter(~pl.col("is_shocked")).head(top)])
    uses_est = bool(tainted.any())
    notes = [*net.report.notes]
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
        spectral=check,
    )
