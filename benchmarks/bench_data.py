"""Benchmark: `chiiki synth` at national scale and `chiiki validate` on its output (issue: foundation).

Runs the real CLI commands in subprocesses and reads their wall time and peak memory (RSS of the
child, from ``resource.getrusage``). Usage::

    .venv/bin/python benchmarks/bench_data.py [--firms 700000] [--workdir /tmp/chiiki-bench]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHIIKI = [sys.executable, "-m", "chiiki.cli.main"]


def run(args: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS of children in GiB so far)."""
    start = time.perf_counter()
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=700_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/chiiki-bench"))
    args = parser.parse_args()
    out = args.workdir / f"synth-{args.firms}"
    shutil.rmtree(out, ignore_errors=True)
    synth_s, synth_gib = run([*CHIIKI, "synth", "--firms", str(args.firms), "--out", str(out), "--seed", "1"])
    manifest = json.loads((out / "chiiki-manifest.json").read_text())
    links = manifest["files"]["transactions.parquet"]["rows"]
    validate_s, peak_gib = run([*CHIIKI, "validate", str(out)])
    result = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "firms": args.firms,
        "company_rows": manifest["files"]["companies.parquet"]["rows"],
        "link_rows": links,
        "synth_seconds": round(synth_s, 1),
        "synth_peak_gib": round(synth_gib, 2),
        "validate_seconds": round(validate_s, 1),
        "validate_link_rows_per_second": round(links / validate_s),
        "peak_gib_any_child": round(peak_gib, 2),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
