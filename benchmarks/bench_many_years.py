"""Many fiscal years (issue #15 §5): a data set of several years is imported, then its analyses are
built one year at a time; the peak memory of the build is bounded by one year, not by the data set.

For each number of years it generates the synthetic economy, imports it as a version (validated,
Parquet) and builds its analyses, each step in a fresh process so that ``ru_maxrss`` is that step's
own peak:

    python benchmarks/bench_many_years.py --firms 100000 --years 1,10
    python benchmarks/bench_many_years.py --firms 700000 --years 10     # national scale, 50 M links
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = r"""
import json, resource, sys, time
from pathlib import Path
step, root, firms, years = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
if step == "synth":
    from chiiki.data.datasets import write_dataset
    from chiiki.data.synth import generate_economy
    ds = generate_economy(n_firms=firms, years=tuple(range(2025 - years, 2025)), seed=1)
    write_dataset(ds, root / "raw", fmt="parquet")
    out = {"links": ds.transactions.height}
elif step == "import":
    from chiiki.data.datasets import import_dataset
    out = {"version": import_dataset(root / "raw", root / "store", name="bench").version}
else:
    from chiiki.services.analysis_files import build_analyses
    version = next(p for p in (root / "store").glob("**/companies.parquet")).parent
    out = {"years_built": len(build_analyses(version)["years"])}
out |= {"seconds": round(time.perf_counter() - t0, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
print(json.dumps(out))
"""


def run_step(step: str, root: Path, firms: int, years: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", STEP, step, str(root), str(firms), str(years)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--years", default="1,10", help="comma-separated numbers of fiscal years")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    for years in [int(y) for y in args.years.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            row = {"firms": args.firms, "years": years}
            for step in ("synth", "import", "build"):
                row[step] = run_step(step, root, args.firms, years)
            print(json.dumps(row, ensure_ascii=False))
    print(
        f"peak of this driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB; {time.ctime()}"
    )


if __name__ == "__main__":
    main()
