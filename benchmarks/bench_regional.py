"""Benchmark of the regional tables and ranges (SPEC §7, issue 14). Targets: a municipal table at 185
sectors ≤ 1 s; every municipality's table (about 1,700) ≤ 5 minutes; a ripple with ranges for 1,000
scenarios ≤ 1 s after load. Prints each number with the load average before and after.

Inputs: the 2015 185-sector national table and the 2014 census from ../shared/data (or
``CHIIKI_SHARED_DATA``), and a synthetic firm data set (``--firms``, default 100,000) for the
municipal shares.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_regional.py [--firms 100000]``

On the shared 2-core machine, OpenBLAS's threads on 185 × 185 problems fight the other processes: an
LU factorisation measured 0.46 ms with one thread and 8.6 ms with two under load ≈ 13 (and up to
190 ms inside the table checks). The script prints the setting it ran with and, for the long loop,
the CPU time beside the wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from chiiki.data.synth import generate_economy
from chiiki.industry import matrix_from_census
from chiiki.io import IOSettings, read_io_table
from chiiki.io.ranges import RangeSettings, ripple_ranges
from chiiki.io.regional import (
    RegionalSettings,
    employment_basis,
    regionalize,
    resolve_region,
    sector_employment,
)
from chiiki.io.scenario import demand_scenarios
from chiiki.reference import municipalities

SHARED = Path(os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def load() -> str:
    return "{} {} {}".format(*os.getloadavg())


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=100_000)
    args = parser.parse_args()
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset (one per core)")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, OPENBLAS_NUM_THREADS={blas}"
    )
    t0 = time.perf_counter()
    national = read_io_table(
        SHARED / "japan_io_2015_185" / "io2015_185_takeda_wide.csv",
        unit="十億円",
        settings=IOSettings(income_row="賃金・俸給", consumption_column="家計消費支出"),
    )
    census = matrix_from_census(SHARED / "regional_census_2012_2014.csv")
    companies = generate_economy(n_firms=args.firms, years=(2024,), seed=1).companies
    print(
        f"load (185-sector table, census, {args.firms:,} synthetic firms): {time.perf_counter() - t0:.1f} s"
    )

    city = companies.group_by("municipality_code").len().sort("len", descending=True)["municipality_code"][0]

    def one_municipality():
        region = resolve_region(city)
        basis = employment_basis([region], census=census, companies=companies)
        return regionalize(national, basis, region)

    before = load()
    single = best(one_municipality)
    print(
        f"one municipal table, 185 sectors (region, census × firm shares, LQ, balance, checks): {single * 1000:.0f} ms  [load {before} → {load()}]"
    )

    codes = municipalities().filter(pl.col("kind").is_in(["municipality", "designated_city"]))[
        "municipality_code"
    ]
    t0 = time.perf_counter()
    every = [resolve_region(c) for c in codes]
    print(
        f"resolving {len(every):,} municipalities (designated cities with their wards): {time.perf_counter() - t0:.1f} s"
    )
    covered = {r[:2] for r in census["region_code"].unique()}
    for label, regions, source in (
        ("every municipality, firm data alone (national data set)", every, {}),
        (
            "municipalities of the 42 census prefectures, census × firm shares",
            [r for r in every if r.prefectures[0] in covered],
            {"census": census},
        ),
    ):
        before = load()
        t0, cpu0 = time.perf_counter(), time.process_time()
        basis = employment_basis(regions, companies=companies, **source)
        sectors = sector_employment(national, basis)
        t_basis = time.perf_counter() - t0
        tables = 0
        for region in regions:
            if basis.row(region.code).sum() > 0:
                regionalize(national, basis, region, sectors=sectors)
                tables += 1
        total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        print(
            f"{label}: {tables:,} tables of {len(regions):,} areas (the rest have no employee in the data) in {total:.1f} s, CPU {cpu:.1f} s "
            f"(employment {t_basis:.1f} s, tables {total - t_basis:.1f} s, {1000 * (total - t_basis) / max(tables, 1):.0f} ms each)  [load {before} → {load()}]"
        )

    region = resolve_region(city)
    estimated = one_municipality()
    variant = regionalize(
        national, employment_basis([region], census=census, companies=companies), region,
        settings=RegionalSettings(method="slq"),
    ).table  # fmt: skip
    rng = np.random.default_rng(0)
    F = rng.random((national.n, 1_000)) * (rng.random((national.n, 1_000)) < 0.05)
    scenarios = demand_scenarios(F, [f"S{i}" for i in range(1_000)])
    ranges = RangeSettings(c_low=0.6, c_high=0.8, import_change=0.1)
    before = load()
    nine = best(lambda: ripple_ranges(estimated.table, scenarios, settings=ranges), repeat=3)
    eighteen = best(
        lambda: ripple_ranges(estimated.table, scenarios, settings=ranges, variants={"SLQ": variant}),
        repeat=3,
    )
    print(
        f"ripple with ranges, 1,000 scenarios × 185 sectors: 9 combinations (c, m ± 10 %) {nine * 1000:.0f} ms; "
        f"18 (and a second method) {eighteen * 1000:.0f} ms  [load {before} → {load()}]"
    )


if __name__ == "__main__":
    main()
