"""``chiiki firms connector-hub`` at national scale against a hand-written DuckDB query on the same
Parquet files (issue #15 §9): end to end as a user runs each (a fresh process: start-up, reading,
computing, writing the result as Parquet), best of ``--repeat`` runs. DuckDB is the peer, not a
dependency of the product (``pip install duckdb`` for this script only).

    python benchmarks/bench_connector_hub_duckdb.py --firms 700000 --repeat 3

Three runs of the product: on a plain stored data set (computes the degrees from the links), and on a
registered version whose analyses were built at import (reads them). The DuckDB query computes the
same SPEC §3.1 quantities (域外販売額, 域内仕入額, the degrees and their ranks per prefecture), and
the script checks that both agree to 1e-12 before printing times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

YEAR = 2024

QUERY = """
COPY (
WITH c AS (SELECT company_id, prefecture_code AS r FROM read_parquet('{d}/companies.parquet') WHERE fiscal_year = {y}),
t AS (SELECT supplier_id, customer_id, amount FROM read_parquet('{d}/transactions.parquet')
      WHERE fiscal_year = {y} AND supplier_id <> customer_id AND amount IS NOT NULL),
l AS (SELECT t.supplier_id, t.customer_id, t.amount, cs.r AS rs, cc.r AS rc
      FROM t JOIN c cs ON t.supplier_id = cs.company_id JOIN c cc ON t.customer_id = cc.company_id),
o AS (SELECT supplier_id AS id, sum(amount) AS out_sales FROM l WHERE rs <> rc GROUP BY 1),
i AS (SELECT customer_id AS id, sum(amount) AS in_purchases FROM l WHERE rs = rc GROUP BY 1),
f AS (SELECT c.company_id, c.r AS region_code, coalesce(o.out_sales, 0) AS out_sales,
             coalesce(i.in_purchases, 0) AS in_purchases
      FROM c LEFT JOIN o ON o.id = c.company_id LEFT JOIN i ON i.id = c.company_id)
SELECT *, out_sales / nullif(sum(out_sales) OVER (PARTITION BY region_code), 0) AS connector_degree,
          in_purchases / nullif(sum(in_purchases) OVER (PARTITION BY region_code), 0) AS hub_degree,
          rank() OVER (PARTITION BY region_code ORDER BY out_sales DESC) AS connector_rank
FROM f ORDER BY region_code, connector_rank, company_id
) TO '{out}' (FORMAT parquet)
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=700_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    chiiki = str(Path(sys.executable).with_name("chiiki"))
    env = {**os.environ, "CHIIKI_ENVIRONMENT": "development"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        from chiiki.data.datasets import import_dataset, write_dataset
        from chiiki.data.synth import generate_economy
        from chiiki.services.analysis_files import build_analyses

        t = time.perf_counter()
        ds = generate_economy(n_firms=args.firms, years=(YEAR - 1, YEAR), seed=1)
        write_dataset(ds, root / "plain")
        print(f"synthetic {args.firms:,} firms, {ds.transactions.filter(pl.col('fiscal_year') == YEAR).height:,} "
              f"links in {YEAR}: {time.perf_counter() - t:.0f} s")  # fmt: skip
        del ds
        version = import_dataset(root / "plain", root / "store", name="national").path
        build_analyses(version)
        duck = [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.sql({QUERY.format(d=root / 'plain', y=YEAR, out=root / 'duck.parquet')!r})",
        ]
        ours_plain = [
            chiiki,
            "firms",
            "connector-hub",
            str(root / "plain"),
            "--year",
            str(YEAR),
            "--out",
            str(root / "ours.parquet"),
        ]
        ours_built = [chiiki, "firms", "connector-hub", str(version), "--year", str(YEAR), "--out", str(root / "built.parquet")]  # fmt: skip
        times = {"DuckDB query": [], "chiiki, plain data set": [], "chiiki, registered version": []}
        for _ in range(args.repeat):
            times["DuckDB query"].append(timed(duck, env))
            times["chiiki, plain data set"].append(timed(ours_plain, env))
            times["chiiki, registered version"].append(timed(ours_built, env))
        a = pl.read_parquet(root / "duck.parquet").sort("company_id")
        for name in ("ours", "built"):
            b = pl.read_parquet(root / f"{name}.parquet").sort("company_id")
            joined = a.join(b, on="company_id", suffix="_c")
            assert joined.height == a.height == b.height, (joined.height, a.height, b.height)
            for col in ("connector_degree", "hub_degree"):
                diff = (joined[col].fill_null(0) - joined[f"{col}_c"].fill_null(0)).abs().max()
                assert diff < 1e-12, (name, col, diff)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        for label, ts in times.items():
            print(f"{label}: best {min(ts):.2f} s, median {sorted(ts)[len(ts) // 2]:.2f} s (of {len(ts)})")
        print(f"degrees agree to 1e-12; load average {load}; {time.ctime()}")


if __name__ == "__main__":
    main()
