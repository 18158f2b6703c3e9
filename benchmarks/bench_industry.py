"""Benchmark of industry analytics (SPEC §4, issue #5): all indicators for 47 prefectures × 536
JSIC 小分類 in at most 1 s. Prints the measured numbers (best of ``REPEAT`` runs).

Run: ``.venv/bin/python benchmarks/bench_industry.py``
"""

from __future__ import annotations

import time

import numpy as np
import polars as pl

from chiiki.industry import complexity, earning_power, location_quotient, suggest_fields
from chiiki.industry.frame import MEASURES
from chiiki.reference import jsic, prefectures

REPEAT = 5


def synthetic_frame(seed: int = 1) -> pl.DataFrame:
    """47 × 536 × 4 measures, log-normal values with 30 % zero cells."""
    rng = np.random.default_rng(seed)
    regions = prefectures()["prefecture_code"].to_list()
    industries = jsic("minor")["code"].to_list()
    n, k = len(regions), len(industries)
    frames = []
    for m in MEASURES:
        X = rng.lognormal(5, 2, (n, k)) * (rng.random((n, k)) < 0.7)
        frames.append(
            pl.DataFrame(
                {
                    "region_code": np.repeat(regions, k).tolist(),
                    "industry_code": np.tile(industries, n).tolist(),
                    "measure": m,
                    "value": X.ravel(),
                }
            )
        )
    return pl.concat(frames)


def best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    frame = synthetic_frame()
    n_reg, n_ind = frame["region_code"].n_unique(), frame["industry_code"].n_unique()
    steps = {
        "location_quotient (4 measures)": lambda: location_quotient(frame),
        "earning_power (one prefecture)": lambda: earning_power(frame, region="07"),
        "complexity (RCA, proximity, density, ECI/PCI)": lambda: complexity(frame, measure="employees"),
        "suggest_fields (17 fields)": lambda: suggest_fields(frame, prefecture="07"),
    }
    print(
        f"industry benchmark: {n_reg} regions × {n_ind} industries × {len(MEASURES)} measures, "
        f"best of {REPEAT}"
    )
    total = 0.0
    for name, fn in steps.items():
        fn()  # warm-up (reference tables are cached)
        t = best(fn)
        total += t
        print(f"  {name:<48} {t * 1000:8.1f} ms")
    print(f"  {'all indicators':<48} {total * 1000:8.1f} ms  (target ≤ 1000 ms)")


if __name__ == "__main__":
    main()
