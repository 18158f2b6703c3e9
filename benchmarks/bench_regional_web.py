"""Benchmark of the regional pages (issue #14 §7 and §1, through the web app): the regional report as
HTML and PDF (target ≤ 30 s), a municipal table on the 地域経済 page (cold: employment, concordance,
LQs, balance and circulation), and a municipal table at 185 sectors from the 2015 national table
(target ≤ 1 s; the 185-sector table from ../shared/data or ``CHIIKI_SHARED_DATA``).

Run: ``OPENBLAS_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python benchmarks/bench_regional_web.py [--firms 5000]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

SHARED = Path(os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))


def load() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=5000)
    args = parser.parse_args()
    from web_helpers import logged_in

    from chiiki.data import read_dataset
    from chiiki.server.testing import seeded_app
    from chiiki.store import session_scope
    from chiiki.store.datasets import current_dataset

    print(f"load before: {load()}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    t0 = time.perf_counter()
    seeded = seeded_app(Path(tempfile.mkdtemp()), n_firms=args.firms)
    print(f"seeded app with {args.firms:,} firms: {time.perf_counter() - t0:.1f} s")
    client = logged_in(seeded.app, "fukushima", seeded.passwords["fukushima"])
    for name, url in (
        ("report HTML, cold (analyses, regional estimate, LQ, fields)", "/regional/report?region=07"),
        ("report HTML, warm", "/regional/report?region=07"),
        ("report PDF", "/regional/report.pdf?region=07"),
    ):
        seconds = timed(lambda url=url: client.get(url).raise_for_status())
        print(f"{name}: {seconds * 1000:,.0f} ms")
    with session_scope(seeded.app.state.chiiki.engine) as s:
        path = Path(current_dataset(s).path)
    companies = read_dataset(path).companies
    latest = companies.filter(pl.col("fiscal_year") == companies["fiscal_year"].max())
    muni = latest.group_by("municipality_code").len().sort("len", descending=True)["municipality_code"][0]
    seconds = timed(lambda: client.get(f"/regional?region={muni}&method=flq").raise_for_status())
    print(f"地域経済 page, municipality {muni}, 37 sectors, cold: {seconds * 1000:,.0f} ms")

    table185 = SHARED / "japan_io_2015_185" / "io2015_185_takeda_wide.csv"
    if table185.exists():
        from chiiki.io import read_io_table
        from chiiki.io.regional import RegionalSettings, employment_basis, regionalize, resolve_region

        national = read_io_table(table185, check_balance=False)

        def one() -> None:
            area = resolve_region(muni)
            basis = employment_basis([area], companies=companies)
            est = regionalize(national, basis, area, settings=RegionalSettings(method="flq", delta=0.05))
            _ = est.table.B

        best = min(timed(one) for _ in range(3))
        print(
            f"municipal table at {national.n} sectors (firm data employment, LQs, balance, open inverse): {best * 1000:,.0f} ms"
        )
    else:
        print(f"185-sector table not found under {SHARED}: skipped")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
