"""Estimating missing link amounts, SPEC §3.3.

Gravity-style allocation of a supplier's business sales over its customers:

    amount_ij = s_i · sales_i · sales_j^β / Σ_{k∈C(i)} sales_k^β

with C(i) the customers of supplier i in the same fiscal year whose sales are known, s_i the share
of sales going to business customers (a setting per JSIC 大分類 of the supplier, default 1) and
β (default 1). Reported amounts are kept; only missing ones are filled, rounded to whole 千円 and
flagged ``amount_estimated = True``.

Optional RAS (biproportional) fit: the estimated cells are scaled alternately so that each
supplier's total sales to firms (reported + estimated) equals s_i · sales_i and each customer's total
purchases equals its known purchase total P_j. P_j comes from ``purchases`` (``company_id,
fiscal_year, purchases``) or, by default, from the accounts as sales − operating_profit − payroll
(an approximation of intermediate input). Rows or columns whose target is not above the reported
part are left unconstrained and counted in the report.
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
    ras_iterations: int = 0
    ras_converged: bool = True
    ras_max_residual: float = 0.0
    """Largest relative gap between a constrained total and its target after the fit."""
    ras_unconstrained: int = 0

    def to_frame(self) -> pl.DataFrame:
        rows = [
            ("取引", self.n_links),
            ("取引額が欠損", self.n_missing),
            ("推計して補完", self.n_filled),
            ("推計できず: 取引先が企業データにない", self.n_unknown_partner),
            ("推計できず: 配分の基礎となる売上高がない", self.n_no_basis),
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
        left = self.n_unknown_partner + self.n_no_basis
        if left:
            notes.append(
                f"{left:,} 件は推計できず欠損のままです（取引先不明 {self.n_unknown_partner:,} 件、"
                f"売上高なし {self.n_no_basis:,} 件）。"
            )
        if self.ras:
            state = "収束しました" if self.ras_converged else "収束しませんでした（反復上限）"
            notes.append(
                f"RAS 法で購入側の仕入総額に合わせました: {self.ras_iterations} 回で{state}"
                f"（最大相対誤差 {self.ras_max_residual:.2e}）。"
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
    """Biproportional scaling of ``x`` (cells at rows/cols, codes < n) towards targets (NaN: free)."""
    r_ok = np.isfinite(row_target) & (row_target > 0)
    c_ok = np.isfinite(col_target) & (col_target > 0)
    residual = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        row_sum = np.bincount(rows, x, minlength=n)
        f = np.ones(n)
        ok = r_ok & (row_sum > 0)
        f[ok] = row_target[ok] / row_sum[ok]
        x = x * f[rows]
        col_sum = np.bincount(cols, x, minlength=n)
        g = np.ones(n)
        ok_c = c_ok & (col_sum > 0)
        g[ok_c] = col_target[ok_c] / col_sum[ok_c]
        x = x * g[cols]
        row_sum = np.bincount(rows, x, minlength=n)
        gap = np.abs(row_sum[ok] - row_target[ok]) / row_target[ok]
        residual = float(gap.max(initial=0.0))
        if residual < tol:
            return x, it, True, residual
    return x, it, False, residual


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
    amount_known = t.get_column("amount").is_not_null().to_numpy()
    amount = t.get_column("amount").cast(pl.Float64).fill_null(0.0).to_numpy()
    sales = comp.get_column("sales").cast(pl.Float64).fill_null(np.nan).to_numpy()
    share = comp.get_column("share").to_numpy()

    known_parties = (s_code >= 0) & (c_code >= 0)
    sales_c = np.where(c_code >= 0, sales[np.maximum(c_code, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(
            np.isfinite(sales_c) & (sales_c >= 0), np.power(np.maximum(sales_c, 0.0), beta), np.nan
        )
    usable = known_parties & np.isfinite(weight)
    denom = np.bincount(s_code[usable], weight[usable], minlength=n)
    sales_s = np.where(s_code >= 0, sales[np.maximum(s_code, 0)], np.nan)
    d = np.where(s_code >= 0, denom[np.maximum(s_code, 0)], 0.0)
    missing = ~amount_known
    fill = missing & usable & (d > 0) & np.isfinite(sales_s) & (sales_s >= 0)
    est = np.zeros(len(amount))
    est[fill] = share[s_code[fill]] * sales_s[fill] * weight[fill] / d[fill]

    report_ras: dict = {}
    if ras:
        row_target, col_target = _ras_targets(comp, purchases, n=n)
        known_row = np.bincount(
            s_code[amount_known & (s_code >= 0)], amount[amount_known & (s_code >= 0)], minlength=n
        )
        known_col = np.bincount(
            c_code[amount_known & (c_code >= 0)], amount[amount_known & (c_code >= 0)], minlength=n
        )
        rt = row_target - known_row
        ct = col_target - known_col
        x, iterations, converged, residual = _ras(
            est[fill], s_code[fill], c_code[fill], rt, ct, n=n, max_iter=max_iter, tol=tol
        )
        est[fill] = x
        rows_used = np.unique(s_code[fill])
        cols_used = np.unique(c_code[fill])
        unconstrained = int((~(np.isfinite(rt[rows_used]) & (rt[rows_used] > 0))).sum()) + int(
            (~(np.isfinite(ct[cols_used]) & (ct[cols_used] > 0))).sum()
        )
        report_ras = {
            "ras_iterations": iterations,
            "ras_converged": converged,
            "ras_max_residual": residual,
            "ras_unconstrained": unconstrained,
        }

    filled_amount = pl.Series("_est", np.rint(est)).cast(pl.Int64)
    out = (
        t.with_columns(filled_amount, pl.Series("_fill", fill))
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
        n_no_basis=int((missing & known_parties & ~fill).sum()),
        beta=float(beta),
        ras=ras,
        **report_ras,
    )
    return EstimateResult(transactions=out, report=report)


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
