"""Benchmark of the map core (issue #13: a prefecture choropleth page ≤ 300 ms end to end, so a map
must render in a few tens of ms). Prints first-call (cold: decode, project, lay out) and warm times
(best and median of ``REPEAT`` runs), SVG sizes and the load average.

Run: ``.venv/bin/python benchmarks/bench_maps.py`` (a fresh process: the first calls are cold).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import polars as pl

from chiiki.maps import (
    block_choropleth,
    choropleth,
    flow_map,
    japan_view,
    jenks_breaks,
    municipality_choropleth,
    prefecture_choropleth,
    prefecture_view,
)
from chiiki.reference import municipalities, prefectures

REPEAT = 30


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def warm(fn) -> tuple[float, float]:
    times = [timed(fn)[0] for _ in range(REPEAT)]
    return min(times), statistics.median(times)


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main() -> None:
    rng = np.random.default_rng(1)
    prefs = prefectures().select("prefecture_code", pl.Series("sales", rng.integers(10**6, 10**9, 47)))
    munis = municipalities().select("municipality_code", pl.Series("firms", rng.integers(0, 5_000, 1916)))
    print(f"map benchmark, best / median of {REPEAT} warm runs; load average {loadavg()} at start")

    def national():
        return prefecture_choropleth(
            prefs, value_column="sales", label="売上高", unit="千円", href="/maps/{code}"
        )

    def drill(code: str):
        return lambda: municipality_choropleth(
            munis, prefecture=code, value_column="firms", label="企業数", unit="社", href="/m/{code}"
        )

    cold = [
        ("national prefecture choropleth (first call: decode + project + layout)", national),
        ("first drill-down, 07 福島県 (decodes all municipalities)", drill("07")),
    ]
    for name, fn in cold:
        t, _ = timed(fn)
        print(f"  cold {name:<70} {t * 1000:8.1f} ms")
    t, _ = timed(lambda: [prefecture_view(c) for c in prefectures()["prefecture_code"]])
    print(f"  cold {'all 47 prefecture views (wards), built once each':<70} {t * 1000:8.1f} ms")
    t, _ = timed(lambda: japan_view("municipality"))
    print(f"  cold {'national municipality view (1,741 regions)':<70} {t * 1000:8.1f} ms")

    edges = pl.DataFrame(
        {
            "source": rng.choice(munis["municipality_code"], 300).tolist(),
            "target": rng.choice(munis["municipality_code"], 300).tolist(),
            "amount": rng.lognormal(10, 2, 300),
            "estimated": rng.random(300) < 0.3,
        }
    )
    warm_steps = {
        "national prefecture choropleth (47)": national,
        "drill-down 07 福島県 (59)": drill("07"),
        "drill-down 01 北海道 (188)": drill("01"),
        "drill-down 13 東京都 (62, 3 insets)": drill("13"),
        "block 東北 (6)": lambda: block_choropleth(
            prefs, block="tohoku", value_column="sales", label="売上高", unit="千円"
        ),
        "national municipality choropleth, Jenks (1,741)": lambda: choropleth(
            japan_view("municipality"), munis, value_column="firms", label="企業数", unit="社", method="jenks"
        ),
        "flow map, 300 municipality flows on the national map": lambda: flow_map(
            japan_view(), edges, label="取引額", estimated_column="estimated"
        ),
        "jenks_breaks alone, 1,916 values, 5 classes": lambda: jenks_breaks(munis["firms"].to_numpy(), 5),
    }
    for name, fn in warm_steps.items():
        best, median = warm(fn)
        size = fn()
        extra = f"  SVG {len(size.encode()) / 1024:6.1f} KiB" if isinstance(size, str) else ""
        print(f"  warm {name:<70} {best * 1000:6.1f} / {median * 1000:6.1f} ms{extra}")
    print(f"load average {loadavg()} at end")


if __name__ == "__main__":
    main()
