"""Benchmark of firm analytics (SPEC §3) at national scale. Not a test: prints measured numbers.

    .venv/bin/python benchmarks/bench_firms.py [--firms 700000] [--data DIR]

Writes a synthetic economy (``chiiki.data.synth.generate_economy``, 3 years) as Parquet to a temp
directory (or reuses ``--data``), then runs each measurement in a fresh child process so that peak
memory (ru_maxrss) belongs to that measurement alone:

- connector/hub for all 47 prefectures, end to end incl. reading Parquet (target ≤ 2 s, ≤ 3 GB);
- the same in plain pandas (merge + groupby), for the speed ratio (target ≥ 10×);
- the six-indicator score over 3 years for all prefectures (target ≤ 5 s);
- amount estimation over one year's links with every amount missing (target ≤ 10 s);
- firm ripple for the firm with the largest in-region purchases (target ≤ 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YEAR = 2024


def _child(kind: str, data: Path) -> dict:
    import polars as pl

    t0 = time.perf_counter()
    extra: dict = {}
    if kind == "connector":
        from chiiki.cli.firms import load_dataset
        from chiiki.firms import connector_hub

        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR])
        t_read = time.perf_counter() - t0
        res = connector_hub(ds.companies, ds.transactions, year=YEAR)
        extra = {"read_s": t_read, "firms": res.firms.height, "links": res.report.n_used}
    elif kind == "pandas":
        import pandas as pd

        c = pd.read_parquet(
            data / "companies.parquet", columns=["company_id", "prefecture_code", "fiscal_year"]
        )
        t = pd.read_parquet(
            data / "transactions.parquet", columns=["supplier_id", "customer_id", "fiscal_year", "amount"]
        )
        c = c[c.fiscal_year == YEAR].drop(columns="fiscal_year")
        t = t[t.fiscal_year == YEAR].dropna(subset=["amount"])
        t = t.merge(
            c.rename(columns={"company_id": "supplier_id", "prefecture_code": "rs"}), on="supplier_id"
        )
        t = t.merge(
            c.rename(columns={"company_id": "customer_id", "prefecture_code": "rc"}), on="customer_id"
        )
        t = t[t.supplier_id != t.customer_id]
        out = t[t.rs != t.rc].groupby("supplier_id").amount.sum().rename("out_sales")
        inp = t[t.rs == t.rc].groupby("customer_id").amount.sum().rename("in_purchases")
        df = c.set_index("company_id").join(out).join(inp).fillna({"out_sales": 0, "in_purchases": 0})
        g = df.groupby("prefecture_code")
        df["connector_degree"] = df.out_sales / g.out_sales.transform("sum")
        df["hub_degree"] = df.in_purchases / g.in_purchases.transform("sum")
        df["connector_rank"] = g.connector_degree.rank(method="min", ascending=False)
        df["hub_rank"] = g.hub_degree.rank(method="min", ascending=False)
        extra = {"firms": len(df)}
    elif kind == "score":
        from chiiki.cli.firms import load_dataset
        from chiiki.firms import priority_scores

        ds = load_dataset(data, company_years=[YEAR - 2, YEAR - 1, YEAR], link_years=[YEAR])
        res = priority_scores(ds.companies, ds.transactions, year=YEAR)
        extra = {"firms": res.firms.height, "growth": res.growth_available}
    elif kind == "estimate":
        from chiiki.cli.firms import load_dataset
        from chiiki.firms import estimate_amounts

        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR])
        tx = ds.transactions.with_columns(pl.lit(None, pl.Int64).alias("amount"))
        t0 = time.perf_counter()  # the estimation itself, data already in memory
        res = estimate_amounts(ds.companies, tx)
        extra = {"links": tx.height, "filled": res.report.n_filled}
    elif kind == "ripple":
        from chiiki.cli.firms import load_dataset
        from chiiki.firms import connector_hub, firm_ripple

        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR])
        ch = connector_hub(ds.companies, ds.transactions, year=YEAR).firms
        sales = ds.companies.select("company_id", "sales")
        ok = ch.join(sales, on="company_id").filter(pl.col("in_purchases") < 0.9 * pl.col("sales"))
        top = ok.sort("in_purchases").tail(1)  # a firm whose purchases propagate (column sum < 1)
        firm = top.get_column("company_id").item()
        t0 = time.perf_counter()  # one firm's ripple, data already in memory
        res = firm_ripple(ds.companies, ds.transactions, year=YEAR, firms=firm, delta=1_000_000)
        extra = {"firm": firm, "gainers": res.firms.height, "multiplier": res.total / res.direct}
    else:
        raise SystemExit(f"unknown kind {kind}")
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "peak_mb": peak_mb, **extra}


def _run_child(kind: str, data: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data", str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=700_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--child")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.data), default=str))
        return
    data = args.data
    if data is None or not (data / "transactions.parquet").exists():
        from chiiki.data.datasets import write_dataset
        from chiiki.data.synth import generate_economy

        data = data or Path(tempfile.mkdtemp(prefix="bench_firms_"))
        t0 = time.perf_counter()
        ds = generate_economy(n_firms=args.firms, years=(2022, 2023, 2024), seed=1)
        write_dataset(ds, data)
        print(f"generated {args.firms:,} firms in {time.perf_counter() - t0:.1f} s → {data}")
        del ds
    import polars as pl

    n_links = (
        pl.scan_parquet(data / "transactions.parquet").filter(pl.col("fiscal_year") == YEAR).select(pl.len())
    )
    print(f"data: {data}, links in {YEAR}: {n_links.collect().item():,}, cpus: {os.cpu_count()}")
    results = {}
    for kind in ("connector", "pandas", "score", "estimate", "ripple"):
        runs = [_run_child(kind, data) for _ in range(args.repeat if kind != "pandas" else 1)]
        best = min(runs, key=lambda r: r["seconds"])
        results[kind] = best
        info = {k: v for k, v in best.items() if k not in ("kind", "seconds", "peak_mb")}
        print(
            f"{kind:10s} best of {len(runs)}: {best['seconds']:.2f} s, peak {best['peak_mb']:.0f} MB  {info}"
        )
    ratio = results["pandas"]["seconds"] / results["connector"]["seconds"]
    print(f"pandas / ours (connector-hub end to end): {ratio:.1f}×")


if __name__ == "__main__":
    main()
