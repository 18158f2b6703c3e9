"""Benchmark of the input–output engine (issue #4): 10,000 ripple scenarios on a 190-sector table, and
pymrio's ``calc_all`` on its test system beside ours. Prints the measured numbers.

Run: ``.venv/bin/python benchmarks/bench_io.py``
"""

from __future__ import annotations

import platform
import time

import numpy as np

from chiiki.io import IOTable, closed_inverse, ripple, ripple_stages, technical_coefficients


def synthetic_table(n: int = 190, seed: int = 0) -> IOTable:
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


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    table = synthetic_table()
    t_coef = best_of(lambda: synthetic_table().B, repeat=5)
    _ = table.B, table.h  # coefficients once, as after loading
    F = np.random.default_rng(1).uniform(0, 1_000, (table.n, 10_000))
    t_stages = best_of(lambda: ripple_stages(table, F), repeat=3)
    t_ripple = best_of(lambda: ripple(table, F), repeat=3)
    result = ripple(table, F)
    print(f"190 sectors: build table + A, m, B (LU solve)          {t_coef * 1e3:8.1f} ms")
    print(f"190 sectors x 10,000 scenarios: stages (arrays only)  {t_stages * 1e3:8.1f} ms")
    print(
        f"190 sectors x 10,000 scenarios: ripple (long frame)   {t_ripple * 1e3:8.1f} ms"
        f"  ({result.effects.height:,} rows)"
    )
    try:
        import pymrio
    except ImportError:
        print("pymrio not installed: comparison skipped")
        return
    mrio = pymrio.load_test()
    Z, x = mrio.Z.to_numpy(), (mrio.Z.sum(axis=1) + mrio.Y.sum(axis=1)).to_numpy()

    def pymrio_calc_all():
        m = pymrio.load_test()
        t0 = time.perf_counter()
        m.calc_all()
        return time.perf_counter() - t0

    t_pymrio = min(pymrio_calc_all() for _ in range(5))
    t_ours = best_of(lambda: closed_inverse(technical_coefficients(Z, x)), repeat=20)
    print(f"pymrio test system (48 sectors): pymrio calc_all       {t_pymrio * 1e3:8.2f} ms")
    print(
        f"pymrio test system (48 sectors): ours A and L          {t_ours * 1e3:8.2f} ms"
        f"  (ratio pymrio/ours {t_pymrio / t_ours:,.0f}x)"
    )


if __name__ == "__main__":
    main()
