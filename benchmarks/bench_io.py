"""Benchmark of the input–output engine (SPEC §5, issue #4): 10,000 ripple scenarios on a 190-sector
table (target ≤ 1 s after the table is loaded), and pymrio beside ours on pymrio's test system.
Prints the measured numbers with the load average before and after (the machine may be shared).

Run: ``.venv/bin/python benchmarks/bench_io.py``

pymrio is timed three ways so the ratio is read correctly: ``calc_all`` (what pymrio users call; it
also computes x, Y aggregates and every extension account, so it is *not* like-for-like with A and L
alone), and pymrio's own ``calc_A`` + ``calc_L`` on the same Z and x, once on NumPy arrays (the
like-for-like comparison with ours) and once on its labelled pandas frames.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from chiiki.io import IOTable, closed_inverse, ripple, ripple_stages, technical_coefficients

SECTORS = 190
SCENARIOS = 10_000


def synthetic_table(n: int = SECTORS, seed: int = 0) -> IOTable:
    """A balanced random table of ``n`` sectors with imports, exports, two final-demand columns and jobs."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1_000, 100_000, n)
    A = rng.uniform(0, 1, (n, n)) ** 4
    A *= rng.uniform(0.3, 0.7, n) / A.sum(axis=0)
    Z = A * X
    imports = -rng.uniform(0, 0.5, n) * Z.sum(axis=1)
    exports = rng.uniform(0, 0.3, n) * X
    fd = X - Z.sum(axis=1) - exports - imports
    va = X - Z.sum(axis=0)
    return IOTable(
        sectors=tuple(f"{i:03d}_部門{i}" for i in range(n)),
        Z=Z,
        final_demand=np.column_stack([0.7 * fd, 0.3 * fd]),
        final_demand_names=("民間消費支出", "一般政府消費支出"),
        exports=exports[:, None],
        export_names=("輸出",),
        imports=imports[:, None],
        import_names=("輸入",),
        value_added=np.vstack([0.5 * va, 0.5 * va]),
        value_added_names=("雇用者所得", "営業余剰"),
        employment=X / rng.uniform(5, 50, n),
    )


def timings(fn: Callable[[], object], repeat: int, inner: int = 1) -> tuple[float, float]:
    """(best, median) seconds per call over ``repeat`` rounds of ``inner`` calls each."""
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        rounds.append((time.perf_counter() - t0) / inner)
    return min(rounds), statistics.median(rounds)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def ms(pair: tuple[float, float], digits: int = 1) -> str:
    return f"best {pair[0] * 1e3:8.{digits}f} ms, median {pair[1] * 1e3:8.{digits}f} ms"


def main() -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, python {platform.python_version()}")
    print(f"load average before: {loadavg()}")
    table = synthetic_table()
    t_coef = timings(lambda: synthetic_table().B, repeat=5)
    _ = table.B, table.h, table.e  # coefficients once, as after loading
    F = np.random.default_rng(1).uniform(0, 1_000, (table.n, SCENARIOS))
    t_stages = timings(lambda: ripple_stages(table, F), repeat=5)
    t_ripple = timings(lambda: ripple(table, F), repeat=5)
    rows = ripple(table, F).effects.height
    print(f"{SECTORS} sectors: build table + A, m, B (LU solve)           {ms(t_coef)}")
    print(f"{SECTORS} x {SCENARIOS:,} scenarios: stages (arrays only)        {ms(t_stages)}")
    print(f"{SECTORS} x {SCENARIOS:,} scenarios: ripple incl. long frame     {ms(t_ripple)}  ({rows:,} rows)")
    print(f"load average after ripple: {loadavg()}")

    try:
        import pymrio
    except ImportError:
        print("pymrio not installed: comparison skipped")
        return
    mrio = pymrio.load_test()
    x_frame = pymrio.calc_x(mrio.Z, mrio.Y)
    Z, x = mrio.Z.to_numpy(), x_frame["indout"].to_numpy()

    def pymrio_calc_all() -> float:
        m = pymrio.load_test()  # a fresh system each time: calc_all skips what is already there
        t0 = time.perf_counter()
        m.calc_all()
        return time.perf_counter() - t0

    all_rounds = [pymrio_calc_all() for _ in range(7)]
    t_all = (min(all_rounds), statistics.median(all_rounds))
    t_py_np = timings(lambda: pymrio.calc_L(pymrio.calc_A(Z, x)), repeat=7, inner=200)
    t_py_pd = timings(lambda: pymrio.calc_L(pymrio.calc_A(mrio.Z, x_frame)), repeat=7, inner=50)
    t_ours = timings(lambda: closed_inverse(technical_coefficients(Z, x)), repeat=7, inner=200)
    np.testing.assert_allclose(
        closed_inverse(technical_coefficients(Z, x)), pymrio.calc_L(pymrio.calc_A(Z, x)), rtol=0, atol=1e-10
    )
    n = Z.shape[0]
    print(f"pymrio test system ({n} sectors):")
    print(f"  pymrio calc_all (x, A, L, Y aggregates, all extensions)   {ms(t_all, 3)}")
    print(f"  pymrio calc_A + calc_L, pandas frames (labelled)          {ms(t_py_pd, 3)}")
    print(f"  pymrio calc_A + calc_L, NumPy arrays                      {ms(t_py_np, 3)}")
    print(f"  ours technical_coefficients + closed_inverse, NumPy       {ms(t_ours, 3)}")
    print(
        f"  ratio (best): calc_all/ours {t_all[0] / t_ours[0]:,.0f}x (not like-for-like), "
        f"pandas calc_A+calc_L/ours {t_py_pd[0] / t_ours[0]:,.1f}x, "
        f"NumPy calc_A+calc_L/ours {t_py_np[0] / t_ours[0]:,.2f}x (like-for-like)"
    )
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
