"""Benchmark of firm analytics (SPEC §3) at national scale. Not a test: prints measured numbers.

    .venv/bin/python benchmarks/bench_firms.py [--firms 700000] [--data DIR] [--repeat 3] [--only a,b]

Writes a synthetic economy (``chiiki.data.synth.generate_economy``, 3 years) with ``write_dataset``
(the stored form: contract Parquet files plus the integer company codes of ``chiiki.data.codes``)
to a temp directory (or reuses ``--data``), then runs each measurement in a fresh child process so
that peak memory (ru_maxrss) belongs to that measurement alone. The load average is printed with
every run (the machine is shared).

- ``connector``: connector/hub for all 47 prefectures, end to end incl. reading Parquet as the CLI
  does (integer codes, no string ids of links) (target ≤ 2 s, ≤ 3 GB);
- ``connector_ids``: the same reading the string ids and joining them (the path for data sets
  without codes);
- ``pandas_full``: the straightforward pandas formulation of the same output as ours (the 12 figures of
  issue #3 item 1, duplicates summed, names, sorted by prefecture and connector rank; checked equal to
  ours on the benchmark data), string ids, year filter;
- ``pandas_ids``: the minimal pandas formulation (merge + groupby + transform + rank)
  reading the string ids as before (whole columns, then the year); ``pandas_ids_filter``: the same
  reading only the year (``filters=``); ``pandas_codes_filter``: the same on the integer codes that
  our side reads (speed ratio target ≥ 10×);
- ``in_memory``: like for like on frames already in memory, ours vs pandas on string ids and on
  integer codes;
- ``score`` / ``score_ids``: the six-indicator score over 3 years for all prefectures, incl. reading
  (target ≤ 5 s);
- ``estimate``: amount estimation over one year's links with every amount missing (target ≤ 10 s);
- ``ripple``: firm ripple for the firm with the largest in-region purchases (target ≤ 5 s).
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


def _pandas_connector_hub(c, t, id_col: str, sup_col: str, cus_col: str):
    """The straightforward pandas formulation of SPEC §3.1 on frames of one year: two merges for the
    parties' prefectures, two group-by sums, transform sums and ranks within the prefecture."""
    t = t.dropna(subset=["amount"])
    t = t.merge(c.rename(columns={id_col: sup_col, "prefecture_code": "rs"}), on=sup_col)
    t = t.merge(c.rename(columns={id_col: cus_col, "prefecture_code": "rc"}), on=cus_col)
    t = t[t[sup_col] != t[cus_col]]
    out = t[t.rs != t.rc].groupby(sup_col).amount.sum().rename("out_sales")
    inp = t[t.rs == t.rc].groupby(cus_col).amount.sum().rename("in_purchases")
    df = c.set_index(id_col).join(out).join(inp).fillna({"out_sales": 0, "in_purchases": 0})
    g = df.groupby("prefecture_code")
    df["connector_degree"] = df.out_sales / g.out_sales.transform("sum")
    df["hub_degree"] = df.in_purchases / g.in_purchases.transform("sum")
    df["connector_rank"] = g.connector_degree.rank(method="min", ascending=False)
    df["hub_rank"] = g.hub_degree.rank(method="min", ascending=False)
    return df


def _pandas_connector_hub_full(c, t, id_col: str, sup_col: str, cus_col: str):
    """The straightforward pandas formulation of the same output as ``chiiki firms connector-hub``
    (issue #3 item 1, SPEC §3.1): links with both parties known and an amount, self-links dropped,
    duplicate links summed; 域外/域内販売額, 域内/域外仕入額 and the four partner counts by group-by; the
    degrees by transform sums; ranks within the prefecture; one row per firm with its name, sorted by
    prefecture, connector rank and id."""
    t = t.dropna(subset=["amount"])
    regions = c[[id_col, "prefecture_code"]]
    t = t.merge(regions.rename(columns={id_col: sup_col, "prefecture_code": "rs"}), on=sup_col)
    t = t.merge(regions.rename(columns={id_col: cus_col, "prefecture_code": "rc"}), on=cus_col)
    t = t[t[sup_col] != t[cus_col]]
    t = t.groupby([sup_col, cus_col, "rs", "rc"], as_index=False, observed=True).amount.sum()
    inside = t.rs == t.rc
    parts = [
        t[~inside].groupby(sup_col).amount.agg(out_sales="sum", n_out_customers="count"),
        t[inside].groupby(sup_col).amount.agg(in_sales="sum", n_in_customers="count"),
        t[inside].groupby(cus_col).amount.agg(in_purchases="sum", n_in_suppliers="count"),
        t[~inside].groupby(cus_col).amount.agg(out_purchases="sum", n_out_suppliers="count"),
    ]
    df = c.set_index(id_col).join(parts).fillna(0)
    g = df.groupby("prefecture_code")
    df["connector_degree"] = df.out_sales / g.out_sales.transform("sum")
    df["hub_degree"] = df.in_purchases / g.in_purchases.transform("sum")
    df["connector_rank"] = g.connector_degree.rank(method="min", ascending=False)
    df["hub_rank"] = g.hub_degree.rank(method="min", ascending=False)
    return df.reset_index().sort_values(["prefecture_code", "connector_rank", id_col])


STRING_IDS = ("company_id", "supplier_id", "customer_id")
INT_CODES = ("company_code", "supplier_code", "customer_code")


def _pandas_read(data: Path, *, codes: bool, year_filter: bool, names: bool = False):
    """What a pandas user reads for one year: the ids (string ids from the contract files, or the
    integer codes from the ``*.codes.parquet`` files beside them), prefecture, amount."""
    import pandas as pd

    kw = {"filters": [("fiscal_year", "==", YEAR)]} if year_filter else {}
    if not codes:
        columns = ["company_id", *(["name"] if names else []), "prefecture_code", "fiscal_year"]
        c = pd.read_parquet(data / "companies.parquet", columns=columns, **kw)
        t = pd.read_parquet(
            data / "transactions.parquet",
            columns=["supplier_id", "customer_id", "fiscal_year", "amount"],
            **kw,
        )
    else:
        c = pd.concat(
            [
                pd.read_parquet(data / "companies.codes.parquet", columns=["company_code"], **kw),
                pd.read_parquet(data / "companies.parquet", columns=["prefecture_code", "fiscal_year"], **kw),
            ],
            axis=1,
        )
        t = pd.concat(
            [
                pd.read_parquet(
                    data / "transactions.codes.parquet", columns=["supplier_code", "customer_code"], **kw
                ),
                pd.read_parquet(data / "transactions.parquet", columns=["fiscal_year", "amount"], **kw),
            ],
            axis=1,
        )
    c = c[c.fiscal_year == YEAR].drop(columns="fiscal_year")
    t = t[t.fiscal_year == YEAR].drop(columns="fiscal_year")
    return c, t


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _child(kind: str, data: Path) -> dict:
    """One measurement. Library imports come first and are timed apart (``import_s``): the timed
    part is reading plus computing, for our side and for pandas alike."""
    t_import = time.perf_counter()
    import pandas as pd  # noqa: F401 - imported here so that neither side pays its import in the timing
    import polars as pl

    import chiiki.cli.firms  # noqa: F401
    import chiiki.firms  # noqa: F401

    t0 = time.perf_counter()
    extra: dict = {"import_s": t0 - t_import}
    if kind in ("connector", "connector_ids"):
        from chiiki.cli.firms import NETWORK_COLUMNS
        from chiiki.data.years import load_dataset
        from chiiki.firms import connector_hub

        # "connector" reads what `chiiki firms connector-hub` reads; "connector_ids" the contract files
        coded = kind == "connector"
        columns = NETWORK_COLUMNS if coded else None
        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR], coded=coded, company_columns=columns)
        t_read = time.perf_counter() - t0
        res = connector_hub(ds.companies, ds.transactions, year=YEAR)
        extra |= {"read_s": t_read, "firms": res.firms.height, "links": res.report.n_used}
    elif kind == "pandas_full":
        c, t = _pandas_read(data, codes=False, year_filter=True, names=True)
        t_read = time.perf_counter() - t0
        df = _pandas_connector_hub_full(c, t, *STRING_IDS)
        extra |= {"read_s": t_read, "firms": len(df)}
    elif kind.startswith("pandas"):
        # pandas_ids / pandas_ids_filter / pandas_codes_filter
        codes, year_filter = "codes" in kind, kind.endswith("_filter")
        c, t = _pandas_read(data, codes=codes, year_filter=year_filter)
        t_read = time.perf_counter() - t0
        df = _pandas_connector_hub(c, t, *(INT_CODES if codes else STRING_IDS))
        extra |= {"read_s": t_read, "firms": len(df)}
    elif kind == "in_memory":
        # Like for like on frames already in memory: the same rows, string ids or integer codes.
        from chiiki.data.years import load_dataset
        from chiiki.firms import connector_hub

        by_id = load_dataset(data, company_years=[YEAR], link_years=[YEAR])
        coded = load_dataset(data, company_years=[YEAR], link_years=[YEAR], coded=True)
        pd_ids = _pandas_read(data, codes=False, year_filter=True)
        pd_codes = _pandas_read(data, codes=True, year_filter=True)
        runs = {
            "ours_ids": lambda: connector_hub(by_id.companies, by_id.transactions, year=YEAR),
            "ours_codes": lambda: connector_hub(coded.companies, coded.transactions, year=YEAR),
            "pandas_ids": lambda: _pandas_connector_hub(*pd_ids, *STRING_IDS),
            "pandas_codes": lambda: _pandas_connector_hub(*pd_codes, *INT_CODES),
        }
        extra |= {name: min(_timed(fn) for _ in range(2)) for name, fn in runs.items()}
        extra["ratio_ids"] = extra["pandas_ids"] / extra["ours_ids"]
        extra["ratio_codes"] = extra["pandas_codes"] / extra["ours_codes"]
        t0 = time.perf_counter()
    elif kind in ("score", "score_ids"):
        from chiiki.data.years import load_dataset
        from chiiki.firms import priority_scores

        ds = load_dataset(
            data, company_years=[YEAR - 2, YEAR - 1, YEAR], link_years=[YEAR], coded=kind == "score"
        )
        res = priority_scores(ds.companies, ds.transactions, year=YEAR)
        extra |= {"firms": res.firms.height, "growth": res.growth_available}
    elif kind == "estimate":
        from chiiki.data.years import load_dataset
        from chiiki.firms import estimate_amounts

        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR])
        tx = ds.transactions.with_columns(pl.lit(None, pl.Int64).alias("amount"))
        t0 = time.perf_counter()  # the estimation itself, data already in memory
        res = estimate_amounts(ds.companies, tx)
        extra |= {"links": tx.height, "filled": res.report.n_filled}
    elif kind == "ripple":
        from chiiki.data.years import load_dataset
        from chiiki.firms import connector_hub, firm_ripple

        ds = load_dataset(data, company_years=[YEAR], link_years=[YEAR], coded=True)
        ch = connector_hub(ds.companies, ds.transactions, year=YEAR).firms
        top = ch.sort("in_purchases").tail(1)  # the largest in-region buyer
        firm = top.get_column("company_id").item()
        t0 = time.perf_counter()  # one firm's ripple, data already in memory
        res = firm_ripple(ds.companies, ds.transactions, year=YEAR, firms=firm, delta=1_000_000)
        extra |= {"firm": firm, "gainers": res.firms.height, "multiplier": res.total / res.direct}
    else:
        raise SystemExit(f"unknown kind {kind}")
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "peak_mb": peak_mb, **extra}


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[0]
    except OSError:
        return "?"


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
    parser.add_argument("--only", help="comma-separated measurements (default: all)")
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
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}, load average at start: {_loadavg()}")
    kinds = args.only.split(",") if args.only else list(KINDS)
    results = {}
    for kind in kinds:
        repeat = 1 if kind == "in_memory" else args.repeat  # best of N on both sides
        runs = []
        for _ in range(repeat):
            load = _loadavg()
            runs.append({**_run_child(kind, data), "load": load})
        best = min(runs, key=lambda r: r["seconds"])
        results[kind] = best
        info = {k: v for k, v in best.items() if k not in ("kind", "seconds", "peak_mb")}
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(
            f"{kind:20s} best of {len(runs)}: {best['seconds']:.2f} s ({times}), peak {best['peak_mb']:.0f} MB  {info}"
        )
    if "connector" in results:
        for kind in ("pandas_full", "pandas_ids", "pandas_ids_filter", "pandas_codes_filter"):
            if kind in results:
                ratio = results[kind]["seconds"] / results["connector"]["seconds"]
                print(f"{kind} / ours (connector-hub end to end, ours reading the codes): {ratio:.1f}×")
    if "connector_ids" in results:
        for kind in ("pandas_ids", "pandas_ids_filter"):
            if kind in results:
                ratio = results[kind]["seconds"] / results["connector_ids"]["seconds"]
                print(f"{kind} / ours by string ids (both read the string ids): {ratio:.1f}×")
    print(f"load average at end: {_loadavg()}")


KINDS = (
    "connector",
    "connector_ids",
    "pandas_full",
    "pandas_ids",
    "pandas_ids_filter",
    "pandas_codes_filter",
    "in_memory",
    "score",
    "score_ids",
    "estimate",
    "ripple",
)


if __name__ == "__main__":
    main()
