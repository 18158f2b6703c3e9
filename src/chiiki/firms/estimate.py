"""Estimating missing link amounts, SPEC §3.3.

Gravity-style allocation of a supplier's business sales over its customers:

    amount_ij = s_i · sales_i · sales_j^β / Σ_{k∈C(i)} sales_k^β

with C(i) the distinct customers of supplier i in the same fiscal year whose sales are known, s_i the
share of sales going to business customers (a setting per JSIC 大分類 of the supplier, default 1) and
β (default 1). Reported amounts are kept; only missing ones are filled, as whole 千円 (the column stays
an integer column), and flagged ``amount_estimated = True``. Self-links are left out (they stay
missing and are no customer in C(i)), as every analysis leaves them out; a supplier→customer pair
given on several rows is one customer, its estimate split over its missing rows in whole 千円.

Optional RAS (biproportional) fit: the estimated cells are scaled alternately so that each
supplier's total sales to firms (reported + estimated) equals s_i · sales_i and each customer's total
purchases equals its known purchase total P_j. P_j comes from ``purchases`` (``company_id,
fiscal_year, purchases``) or, by default, from the accounts as sales − operating_profit − payroll
(an approximation of intermediate input; docs/firms.md gives its error on the synthetic economy).
Rows or columns whose target is not above the reported part are left unconstrained and counted in
the report. When the fit does not converge (targets that contradict each other), the result ends on
a supplier step, so no supplier sells more than s_i · sales_i, and the report says it did not
converge: the shells refuse to write such a result unless told to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.data.contract import AMOUNT_ESTIMATED
from chiiki.firms.errors import FirmAnalysisError
from chiiki.reference import jsic


@dataclass(frozen=True)
class EstimateReport:
    n_links: int
    n_missing: int
    n_filled: int
    n_unknown_partner: int
    """Missing amounts left missing: supplier or customer not in the companies of that year."""
    n_no_basis: int
    """Missing amounts left missing: no sales to allocate (sales missing, or all customers' sales 0)."""
    beta: float
    ras: bool
    n_self: int = 0
    """Missing amounts left missing: self-links (left out of every analysis)."""
    n_duplicates: int = 0
    """Rows repeating an earlier row's supplier→customer pair of the same year (both parties known)."""
    ras_iterations: int = 0
    ras_converged: bool = True
    ras_max_residual: float = 0.0
    """Largest relative gap between a constrained total (supplier or customer) and its target in the
    result."""
    ras_unconstrained: int = 0

    def to_frame(self) -> pl.DataFrame:
        rows = [
            ("取引", self.n_links),
            ("取引額が欠損", self.n_missing),
            ("推計して補完", self.n_filled),
            ("推計できず: 取引先が企業データにない", self.n_unknown_partner),
            ("推計できず: 配分の基礎となる売上高がない", self.n_no_basis),
            ("推計対象外: 自己取引（分析では除外）", self.n_self),
            ("重複した取引（同じ年度・同じ仕入先→販売先の2行目以降）", self.n_duplicates),
        ]
        if self.ras:
            rows += [
                ("RAS 反復回数", self.ras_iterations),
                ("RAS 制約なしの企業（目標が報告額以下など）", self.ras_unconstrained),
            ]
        return pl.DataFrame(rows, schema={"reason": pl.Utf8, "links": pl.Int64}, orient="row")

    @property
    def notes(self) -> list[str]:
        notes = [
            f"取引額の欠損 {self.n_missing:,} 件のうち {self.n_filled:,} 件を推計しました"
            f"（β = {self.beta:g}）。"
            "推計値は amount_estimated 列が true です。推計値に基づく結果は参考値として扱ってください。"
        ]
        left = self.n_unknown_partner + self.n_no_basis + self.n_self
        if left:
            notes.append(
                f"{left:,} 件は推計できず欠損のままです（取引先不明 {self.n_unknown_partner:,} 件、"
                f"売上高なし {self.n_no_basis:,} 件、推計の対象外の自己取引 {self.n_self:,} 件）。"
            )
        if self.n_duplicates:
            notes.append(
                f"同じ仕入先→販売先の取引が重複している行が {self.n_duplicates:,} 件ありました。"
                "1社の販売先として1回だけ数え、推計額はその欠損行に分けています。"
            )
        if self.ras and self.ras_converged:
            notes.append(
                f"RAS 法で購入側の仕入総額に合わせました: {self.ras_iterations} 回で収束しました"
                f"（最大相対誤差 {self.ras_max_residual:.2e}）。"
            )
        elif self.ras:
            notes.append(
                f"RAS 法は {self.ras_iterations} 回の反復で収束しませんでした（購入側の仕入総額との差が"
                f"最大 {self.ras_max_residual:.1%}）。販売側と購入側の目標が矛盾しています。"
                "販売側の売上高の制約を優先した値ですが、信頼できません。"
                "--purchases で仕入総額を指定するか、--ras なしで推計してください。"
            )
        return notes


@dataclass(frozen=True)
class EstimateResult:
    transactions: pl.DataFrame
    """The input transactions with ``amount`` filled where possible and ``amount_estimated``."""
    report: EstimateReport


def _shares(business_share: Mapping[str, float] | pl.DataFrame | None) -> pl.DataFrame:
    """``jsic_code (中分類) → share`` from a per-大分類 setting (default 1)."""
    middle = jsic("middle").select(pl.col("code").alias("jsic_code"), "major_code")
    if business_share is None:
        return middle.with_columns(pl.lit(1.0).alias("share")).drop("major_code")
    if isinstance(business_share, pl.DataFrame):
        if not {"major_code", "share"} <= set(business_share.columns):
            raise FirmAnalysisError(
                "事業者向け販売比率の表には major_code, share の列が必要です（例: E,0.9）。"
            )
        table = business_share.select(pl.col("major_code").cast(pl.Utf8), pl.col("share").cast(pl.Float64))
    else:
        table = pl.DataFrame(
            {"major_code": list(business_share), "share": [float(v) for v in business_share.values()]}
        )
    majors = set(jsic("major").get_column("code").to_list())
    bad = sorted(set(table.get_column("major_code").to_list()) - majors)
    if bad:
        raise FirmAnalysisError(
            f"事業者向け販売比率: 不明なJSIC大分類コード {bad}。A〜T で指定してください。"
        )
    out_of_range = table.filter((pl.col("share") < 0) | (pl.col("share") > 1) | pl.col("share").is_null())
    if out_of_range.height:
        raise FirmAnalysisError(
            f"事業者向け販売比率は 0〜1 にしてください: {out_of_range.get_column('major_code').to_list()}"
        )
    return (
        middle.join(table, on="major_code", how="left")
        .with_columns(pl.col("share").fill_null(1.0))
        .drop("major_code")
    )


def _scale(x: np.ndarray, idx: np.ndarray, target: np.ndarray, ok: np.ndarray, n: int) -> np.ndarray:
    """Scale the cells of each constrained node (``ok``) so that their sum meets ``target``."""
    total = np.bincount(idx, x, minlength=n)
    factor = np.ones(n)
    hit = ok & (total > 0)
    factor[hit] = target[hit] / total[hit]
    return x * factor[idx]


def _gap(x: np.ndarray, idx: np.ndarray, target: np.ndarray, ok: np.ndarray, n: int) -> float:
    """Largest relative gap |Σ cells − target| / target over the constrained nodes with cells."""
    total = np.bincount(idx, x, minlength=n)
    hit = ok & (total > 0)
    return float((np.abs(total[hit] - target[hit]) / target[hit]).max(initial=0.0))


def _ras(
    x: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    row_target: np.ndarray,
    col_target: np.ndarray,
    *,
    n: int,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, int, bool, float]:
    """Biproportional scaling of ``x`` (cells at rows/cols, codes < n) towards targets (NaN: free).

    Returns (cells, iterations, converged, largest relative gap of the cells returned). Without
    convergence the last step scales the rows, so every supplier meets its target (never more than
    its business sales) and the gap left is the customers'."""
    r_ok = np.isfinite(row_target) & (row_target > 0)
    c_ok = np.isfinite(col_target) & (col_target > 0)
    for it in range(1, max_iter + 1):
        x = _scale(_scale(x, rows, row_target, r_ok, n), cols, col_target, c_ok, n)
        residual = _gap(x, rows, row_target, r_ok, n)
        if residual < tol:
            return x, it, True, residual
    x = _scale(x, rows, row_target, r_ok, n)
    return x, max_iter, False, _gap(x, cols, col_target, c_ok, n)


def estimate_amounts(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    beta: float = 1.0,
    business_share: Mapping[str, float] | pl.DataFrame | None = None,
    ras: bool = False,
    purchases: pl.DataFrame | None = None,
    max_iter: int = 200,
    tol: float = 1e-8,
) -> EstimateResult:
    """Fill missing ``amount`` values of ``transactions`` (all years) as in SPEC §3.3.

    >>> from chiiki.firms.examples import toy_economy
    >>> ds = toy_economy()
    >>> r = estimate_amounts(ds.companies, ds.transactions)
    >>> filled = r.transactions.filter(pl.col("amount_estimated"), fiscal_year=2024)
    >>> filled.select("supplier_id", "customer_id", "amount").row(0)
    ('C', 'D', 50)
    """
    if not np.isfinite(beta):
        raise FirmAnalysisError(f"β は有限の数にしてください: {beta}")
    comp = (
        companies.select("company_id", "fiscal_year", "sales", "jsic_code", "operating_profit", "payroll")
        .join(_shares(business_share), on="jsic_code", how="left")
        .with_columns(pl.col("share").fill_null(1.0))
        .with_row_index("code")
        .with_columns(pl.col("code").cast(pl.Int64))
    )
    n = comp.height
    est_in = (
        pl.col(AMOUNT_ESTIMATED).fill_null(False)
        if AMOUNT_ESTIMATED in transactions.columns
        else pl.lit(False)
    )
    t = (
        transactions.with_columns(est_in.alias(AMOUNT_ESTIMATED))
        .join(
            comp.select(pl.col("company_id").alias("supplier_id"), "fiscal_year", pl.col("code").alias("_s")),
            on=["supplier_id", "fiscal_year"],
            how="left",
            maintain_order="left",
        )
        .join(
            comp.select(pl.col("company_id").alias("customer_id"), "fiscal_year", pl.col("code").alias("_c")),
            on=["customer_id", "fiscal_year"],
            how="left",
            maintain_order="left",
        )
    )
    s_code = t.get_column("_s").fill_null(-1).to_numpy()
    c_code = t.get_column("_c").fill_null(-1).to_numpy()
    amount_col = _integral_amounts(t.get_column("amount"))
    amount_known = amount_col.is_not_null().to_numpy()
    amount = amount_col.cast(pl.Float64).fill_null(0.0).to_numpy()
    sales = comp.get_column("sales").cast(pl.Float64).fill_null(np.nan).to_numpy()
    share = comp.get_column("share").to_numpy()

    known_parties = (s_code >= 0) & (c_code >= 0)
    self_link = known_parties & (s_code == c_code)
    pair = np.where(known_parties, s_code * n + c_code, -1)  # codes are per company-year
    known_pairs = pair[known_parties]
    if known_pairs.size < 2 or bool(np.all(known_pairs[1:] > known_pairs[:-1])):
        first, n_duplicates = np.ones(pair.size, dtype=bool), 0  # sorted exports: no duplicates
    else:
        first = pl.Series(pair).is_first_distinct().to_numpy() | ~known_parties
        n_duplicates = int((~first).sum())
    sales_c = np.where(c_code >= 0, sales[np.maximum(c_code, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(
            np.isfinite(sales_c) & (sales_c >= 0), np.power(np.maximum(sales_c, 0.0), beta), np.nan
        )
    usable = known_parties & ~self_link & np.isfinite(weight)
    customer_once = usable & first  # a pair on several rows is one customer of C(i)
    denom = np.bincount(s_code[customer_once], weight[customer_once], minlength=n)
    sales_s = np.where(s_code >= 0, sales[np.maximum(s_code, 0)], np.nan)
    d = np.where(s_code >= 0, denom[np.maximum(s_code, 0)], 0.0)
    missing = ~amount_known
    fill = missing & usable & (d > 0) & np.isfinite(sales_s) & (sales_s >= 0)
    rows = np.flatnonzero(fill)
    cells, cell_of_row = _cells(pair[rows]) if n_duplicates else (None, None)  # one cell per pair
    head = rows if cells is None else rows[cells]
    est = share[s_code[head]] * sales_s[head] * weight[head] / d[head]

    report_ras: dict = {}
    if ras:
        row_target, col_target = _ras_targets(comp, purchases, n=n)
        reported = amount_known & ~self_link
        known_row = np.bincount(
            s_code[reported & (s_code >= 0)], amount[reported & (s_code >= 0)], minlength=n
        )
        known_col = np.bincount(
            c_code[reported & (c_code >= 0)], amount[reported & (c_code >= 0)], minlength=n
        )
        rt = row_target - known_row
        ct = col_target - known_col
        est, iterations, converged, residual = _ras(
            est, s_code[head], c_code[head], rt, ct, n=n, max_iter=max_iter, tol=tol
        )
        rows_used = np.unique(s_code[head])
        cols_used = np.unique(c_code[head])
        unconstrained = int((~(np.isfinite(rt[rows_used]) & (rt[rows_used] > 0))).sum()) + int(
            (~(np.isfinite(ct[cols_used]) & (ct[cols_used] > 0))).sum()
        )
        report_ras = {
            "ras_iterations": iterations,
            "ras_converged": converged,
            "ras_max_residual": residual,
            "ras_unconstrained": unconstrained,
        }

    filled = np.zeros(len(amount), dtype=np.int64)
    whole = np.rint(est).astype(np.int64)
    filled[rows] = whole if cell_of_row is None else _split_whole(whole, cell_of_row)
    out = (
        t.with_columns(amount_col.alias("amount"), pl.Series("_est", filled), pl.Series("_fill", fill))
        .with_columns(
            pl.when(pl.col("_fill")).then(pl.col("_est")).otherwise(pl.col("amount")).alias("amount"),
            (pl.col(AMOUNT_ESTIMATED) | pl.col("_fill")).alias(AMOUNT_ESTIMATED),
        )
        .drop("_s", "_c", "_est", "_fill")
    )
    report = EstimateReport(
        n_links=t.height,
        n_missing=int(missing.sum()),
        n_filled=int(fill.sum()),
        n_unknown_partner=int((missing & ~known_parties).sum()),
        n_no_basis=int((missing & known_parties & ~self_link & ~fill).sum()),
        beta=float(beta),
        ras=ras,
        n_self=int((missing & self_link).sum()),
        n_duplicates=n_duplicates,
        **report_ras,
    )
    return EstimateResult(transactions=out, report=report)


def _integral_amounts(amount: pl.Series) -> pl.Series:
    """``amount`` as Int64 (SPEC §2: whole 千円); a Japanese error naming the first row that is not."""
    if amount.dtype.is_integer():
        return amount.cast(pl.Int64)
    values = amount.cast(pl.Float64, strict=False)
    bad = (values.is_null() & amount.is_not_null()) | (values.round(0) != values).fill_null(False)
    bad = bad | values.is_nan().fill_null(False)
    if bad.any():
        row = int(bad.arg_max())
        raise FirmAnalysisError(
            f"取引データの {row + 1} 行目、列 amount の値 {amount[row]} は千円単位の整数ではありません。"
            "取引額は整数（千円）にしてください。"
        )
    return values.cast(pl.Int64)


def _cells(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct key, cell index of every row) for the rows to fill."""
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return first, inverse


def _split_whole(cell_amount: np.ndarray, cell_of_row: np.ndarray) -> np.ndarray:
    """Each cell's whole 千円 split over its rows in whole 千円 (earlier rows take the remainder)."""
    count = np.bincount(cell_of_row, minlength=cell_amount.size)
    order = np.argsort(cell_of_row, kind="stable")
    start = np.cumsum(count) - count
    rank = np.empty(cell_of_row.size, dtype=np.int64)
    rank[order] = np.arange(cell_of_row.size) - start[cell_of_row[order]]
    base, rest = np.divmod(cell_amount, count)
    return base[cell_of_row] + (rank < rest[cell_of_row])


def _ras_targets(
    comp: pl.DataFrame, purchases: pl.DataFrame | None, *, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row targets s_i · sales_i and column targets P_j per company-year code (NaN: unknown)."""
    row_target = (
        (comp.get_column("share") * comp.get_column("sales").cast(pl.Float64)).fill_null(np.nan).to_numpy()
    )
    if purchases is None:
        p = comp.select(
            (pl.col("sales") - pl.col("operating_profit") - pl.col("payroll")).cast(pl.Float64).alias("p")
        ).get_column("p")
    else:
        if not {"company_id", "fiscal_year", "purchases"} <= set(purchases.columns):
            raise FirmAnalysisError("仕入総額の表には company_id, fiscal_year, purchases の列が必要です。")
        p = (
            comp.select("company_id", "fiscal_year")
            .join(
                purchases.select(
                    pl.col("company_id").cast(pl.Utf8),
                    pl.col("fiscal_year").cast(pl.Int64),
                    pl.col("purchases").cast(pl.Float64).alias("p"),
                ),
                on=["company_id", "fiscal_year"],
                how="left",
                maintain_order="left",
            )
            .get_column("p")
        )
    col_target = p.fill_null(np.nan).to_numpy()
    assert len(col_target) == n
    return row_target, col_target
