"""How far each option of ``chiiki firms estimate-amounts`` (SPEC §3.3) lands from the truth.

    .venv/bin/python scripts/estimate_accuracy.py [--firms 50000] [--seed 1] [--year 2024]

Generates the synthetic economy (``chiiki.data.synth``, whose link amounts are the truth), blanks every
amount, estimates them with each option and compares link by link in one year. Prints a Markdown
table (the one in docs/firms.md) and the check of the default RAS purchase targets against the
generator's purchases. Not a test: the numbers describe the methods on this model economy.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from chiiki.data.synth import SECTIONS, generate_economy
from chiiki.firms import estimate_amounts


def _true_business_share() -> pl.DataFrame:
    """The generator's B2B share of sales per JSIC 大分類 (before the purchase cap)."""
    return pl.DataFrame({"major_code": list(SECTIONS), "share": [v[4] for v in SECTIONS.values()]})


def _metrics(est: pl.DataFrame, truth: pl.DataFrame, companies: pl.DataFrame, year: int) -> dict:
    keys = ["supplier_id", "customer_id", "fiscal_year"]
    j = (
        truth.filter(pl.col("fiscal_year") == year)
        .join(est.filter(pl.col("fiscal_year") == year).rename({"amount": "est"}), on=keys)
        .join(
            companies.filter(pl.col("fiscal_year") == year).select(
                pl.col("company_id").alias("supplier_id"), "sales"
            ),
            on="supplier_id",
        )
    )
    t = j.get_column("amount").cast(pl.Float64).to_numpy()
    e = j.get_column("est").cast(pl.Float64).fill_null(np.nan).to_numpy()
    ok = np.isfinite(e)
    log_ratio = np.log(np.maximum(e[ok], 0.5) / t[ok])
    sold = (
        j.filter(pl.col("est").is_not_null())
        .group_by("supplier_id")
        .agg(pl.col("est").sum(), pl.col("sales").first())
    )
    return {
        "wape": float(np.abs(e[ok] - t[ok]).sum() / t[ok].sum()),
        "total_ratio": float(e[ok].sum() / t[ok].sum()),
        "median_abs_log": float(np.median(np.abs(log_ratio))),
        "within_2x": float(np.mean(np.abs(log_ratio) <= np.log(2))),
        "max_over_sales": float((sold["est"] / sold["sales"]).max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    ds = generate_economy(n_firms=args.firms, seed=args.seed)
    truth, companies = ds.transactions, ds.companies
    blank = truth.with_columns(pl.lit(None, dtype=pl.Int64).alias("amount"))
    bought = truth.group_by(pl.col("customer_id").alias("company_id"), "fiscal_year").agg(
        pl.col("amount").sum().alias("purchases")
    )
    true_purchases = (
        companies.select("company_id", "fiscal_year")
        .join(bought, on=["company_id", "fiscal_year"], how="left")
        .with_columns(pl.col("purchases").fill_null(0))
    )

    # The default RAS column target P_j = sales − operating_profit − payroll against the truth.
    year_c = companies.filter(pl.col("fiscal_year") == args.year).join(
        true_purchases, on=["company_id", "fiscal_year"]
    )
    default_p = (year_c["sales"] - year_c["operating_profit"] - year_c["payroll"]).cast(pl.Float64)
    true_p = year_c["purchases"].cast(pl.Float64)
    has = true_p > 0
    ratio = (default_p.filter(has) / true_p.filter(has)).to_numpy()
    print(
        f"default P_j vs the generator's purchases ({args.year}, {int(has.sum()):,} buying firms): "
        f"Σ default / Σ true = {default_p.filter(has).sum() / true_p.filter(has).sum():.2f}, "
        f"median ratio {np.median(ratio):.1f}, quartiles {np.quantile(ratio, 0.25):.1f}–"
        f"{np.quantile(ratio, 0.75):.1f}; default P ≤ 0 for {int((default_p <= 0).sum()):,} firms"
    )

    options = {
        "gravity β=1, s=1 (default)": {},
        "gravity β=1, s = generator's B2B share": {"business_share": _true_business_share()},
        "gravity β=0.7, s = generator's B2B share": {"beta": 0.7, "business_share": _true_business_share()},
        "RAS, default targets (s=1, P = sales − profit − payroll)": {"ras": True},
        "RAS, s = B2B share, P = default": {"ras": True, "business_share": _true_business_share()},
        "RAS, s=1, P = true purchases (--purchases)": {"ras": True, "purchases": true_purchases},
        "RAS, s = B2B share, P = true purchases": {
            "ras": True,
            "purchases": true_purchases,
            "business_share": _true_business_share(),
        },
    }
    print(f"\n{args.firms:,} firms, seed {args.seed}, every amount blanked, links of {args.year}\n")
    print(
        "| option | RAS converged (iterations, gap) | Σ est / Σ true | WAPE | median abs log ratio "
        "| links within 2× | max supplier's estimated sales / its sales | time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, kw in options.items():
        t0 = time.perf_counter()
        res = estimate_amounts(companies, blank, **kw)
        seconds = time.perf_counter() - t0
        m = _metrics(res.transactions, truth, companies, args.year)
        rep = res.report
        conv = (
            f"{'yes' if rep.ras_converged else 'no'} ({rep.ras_iterations}, {rep.ras_max_residual:.2g})"
            if rep.ras
            else "—"
        )
        print(
            f"| {label} | {conv} | {m['total_ratio']:.2f} | {m['wape']:.2f} | {m['median_abs_log']:.2f} "
            f"| {m['within_2x']:.0%} | {m['max_over_sales']:.2f} | {seconds:.1f} s |"
        )


if __name__ == "__main__":
    main()
