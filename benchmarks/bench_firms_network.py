"""Benchmark of the firm-network views (issue 13 items 2–4 and 7, issue 15 items 5 and 7) at national
scale. Not a test: prints measured numbers.

    .venv/bin/python benchmarks/bench_firms_network.py [--firms 700000] [--data DIR] [--repeat 3]
                                                       [--only dependence,fireworks,...]

Writes (or reuses with ``--data``) the synthetic economy of ``benchmarks/bench_firms.py``
(``generate_economy(n_firms, years=(2022, 2023, 2024), seed=1)`` stored by ``write_dataset``) and
runs each measurement in a fresh child process, so that its peak memory (ru_maxrss) is its own. The
data is loaded as the CLI loads it (the year's frames with the integer company codes) before any
clock starts: the targets are "after the data is loaded".

- ``dependence``: 商流圏 within 3 tiers (target ≤ 1 s) for the firm with the largest in-region
  purchases, the largest out-of-region sales and a median trading firm — cold (build_network +
  supply_graph + walk, from the loaded frames) and warm (on a kept :class:`SupplyGraph`);
- ``fireworks``: a firm's two-tier 花火図 (target ≤ 500 ms) for the same firms, cold and warm, plus
  the industry view of Tokyo and the prefecture view of Fukushima and of all 47 × 47 pairs;
- ``ripple_all``: the firm ripple of a national shock (every firm +1,000 千円), with its spectral check;
- ``trends``: ``yearly_indicators`` over the 3 years (degrees and score per year) and the series;
- ``synth``: ``chiiki synth --firms N`` under ``/usr/bin/time -v`` (target ≤ 4 GB peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_firms import _loadavg  # benchmarks/ is the script's folder, first on sys.path

YEAR = 2024


def _load(data: Path, years: list[int] | None = None):
    from chiiki.cli.firms import load_dataset

    ys = years or [YEAR]
    return load_dataset(data, company_years=ys, link_years=ys, coded=True)


def _probe_firms(net) -> dict[str, str]:
    """The firms measured: the largest buyer in-region (a hub), the largest seller out of region (a
    connector) and the median firm by link count among firms with links."""
    import numpy as np

    from chiiki.firms.connector_hub import degrees_from_network

    f = degrees_from_network(net).firms
    hub = f.sort("in_purchases", descending=True).get_column("company_id")[0]
    connector = f.sort("out_sales", descending=True).get_column("company_id")[0]
    deg = np.bincount(net.supplier, minlength=net.n_firms) + np.bincount(net.customer, minlength=net.n_firms)
    trading = np.flatnonzero(deg > 0)
    median = trading[np.argsort(deg[trading], kind="stable")[trading.size // 2]]
    return {"hub": hub, "connector": connector, "median": net.firms.get_column("company_id")[int(median)]}


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _child(kind: str, data: Path) -> dict:
    import polars as pl

    import chiiki.firms  # noqa: F401 - imported before the clock
    from chiiki.firms.graph import supply_graph
    from chiiki.firms.network import build_network

    extra: dict = {}
    if kind in ("dependence", "fireworks"):
        from chiiki.firms.dependence import supplier_dependence
        from chiiki.firms.fireworks import firm_fireworks, industry_flows, prefecture_flows

        ds = _load(data)
        net0 = build_network(ds.companies, ds.transactions, year=YEAR)
        probes = _probe_firms(net0)
        del net0
        t_net, net = _timed(lambda: build_network(ds.companies, ds.transactions, year=YEAR))
        t_graph, graph = _timed(lambda: supply_graph(net))
        extra |= {"build_network_s": t_net, "supply_graph_s": t_graph, "links": int(net.supplier.size)}
        for label, firm in probes.items():
            if kind == "dependence":
                cold, r = _timed(
                    lambda firm=firm: supplier_dependence(
                        ds.companies, ds.transactions, year=YEAR, company_id=firm, tiers=3, delta=1e6
                    )
                )
                warm, _ = _timed(
                    lambda firm=firm: supplier_dependence(
                        None, None, year=YEAR, company_id=firm, tiers=3, delta=1e6, graph=graph
                    )
                )
                sizes = dict(r.by_tier.select("tier", "n_firms").iter_rows())
            else:
                cold, r = _timed(
                    lambda firm=firm: firm_fireworks(
                        ds.companies, ds.transactions, year=YEAR, company_id=firm
                    )
                )
                warm, _ = _timed(
                    lambda firm=firm: firm_fireworks(None, None, year=YEAR, company_id=firm, graph=graph)
                )
                sizes = {"nodes": r.nodes.height, "edges": r.edges.height}
            extra[label] = {"firm": firm, "cold_s": cold, "warm_s": warm, **sizes}
        if kind == "fireworks":
            extra["industry_13_s"], r = _timed(
                lambda: industry_flows(None, None, year=YEAR, region_code="13", network=net)
            )
            extra["industry_13_edges"] = r.edges.height
            extra["prefecture_07_s"], _ = _timed(
                lambda: prefecture_flows(None, None, year=YEAR, prefecture_code="07", network=net)
            )
            extra["prefecture_all_s"], _ = _timed(
                lambda: prefecture_flows(None, None, year=YEAR, network=net)
            )
        seconds = max(v["cold_s"] for v in extra.values() if isinstance(v, dict))
    elif kind == "ripple_all":
        from chiiki.firms import firm_ripple

        ds = _load(data)
        ids = ds.companies.filter(pl.col("fiscal_year") == YEAR).get_column("company_id")
        seconds, r = _timed(
            lambda: firm_ripple(ds.companies, ds.transactions, year=YEAR, firms=ids, delta=1000.0)
        )
        extra |= {
            "firms": r.firms.height,
            "multiplier": r.total / r.direct,
            "spectral": f"{r.spectral.method} ρ ≤ {r.spectral.radius:.3f}",
        }
    elif kind == "trends":
        from chiiki.firms.trends import firm_trend, prefecture_trend, yearly_indicators

        ds = _load(data, [2022, 2023, YEAR])
        seconds, yearly = _timed(lambda: yearly_indicators(ds.companies, ds.transactions))
        firm = yearly.firms.get_column("company_id")[0]
        extra["firm_trend_s"], _ = _timed(lambda: firm_trend(yearly, firm))
        extra["prefecture_trend_s"], _ = _timed(lambda: prefecture_trend(yearly))
        extra["rows"] = yearly.firms.height
    else:
        raise SystemExit(f"unknown kind {kind}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "peak_mb": peak_mb, **extra}


def _synth(firms: int) -> dict:
    """``chiiki synth --firms N`` under GNU time: wall time and peak RSS of the command."""
    with tempfile.TemporaryDirectory(prefix="bench_synth_") as tmp:
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "chiiki.cli.main", "synth", "--firms", str(firms)]
        out = subprocess.run(
            [*cmd, "--out", str(Path(tmp) / "out")], capture_output=True, text=True, check=True
        )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", out.stderr).group(1)
    minutes, _, secs = wall.rpartition(":")
    return {"kind": "synth", "seconds": float(secs) + 60 * float(minutes or 0), "peak_mb": rss / 1024}


def _run_child(kind: str, data: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data", str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


KINDS = ("dependence", "fireworks", "ripple_all", "trends", "synth")


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
    kinds = args.only.split(",") if args.only else list(KINDS)
    data = args.data
    if any(k != "synth" for k in kinds) and (data is None or not (data / "transactions.parquet").exists()):
        from chiiki.data.datasets import write_dataset
        from chiiki.data.synth import generate_economy

        data = data or Path(tempfile.mkdtemp(prefix="bench_firms_network_"))
        write_dataset(generate_economy(n_firms=args.firms, years=(2022, 2023, YEAR), seed=1), data)
        print(f"generated {args.firms:,} firms → {data}")
    print(
        f"date: {time.strftime('%Y-%m-%d %H:%M')}, cpus: {os.cpu_count()}, load average at start: {_loadavg()}"
    )
    for kind in kinds:
        runs = []
        for _ in range(args.repeat if kind != "synth" else 1):
            load = _loadavg()
            runs.append({**(_synth(args.firms) if kind == "synth" else _run_child(kind, data)), "load": load})
        best = min(runs, key=lambda r: r["seconds"])
        info = {k: v for k, v in best.items() if k not in ("kind", "seconds", "peak_mb")}
        times = ", ".join(f"{r['seconds']:.3f}" for r in runs)
        print(
            f"{kind:12s} best of {len(runs)}: {best['seconds']:.3f} s ({times}), peak {best['peak_mb']:.0f} MB"
        )
        for key, value in info.items():
            print(f"    {key}: {value}")
    print(f"load average at end: {_loadavg()}")


if __name__ == "__main__":
    main()
