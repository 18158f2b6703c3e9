"""加点 lookup of a list of applicants (issue #12 §2): time to match 1,000 applicants (法人番号, id,
「(株)…」 names, full-width names and unknown names) against a synthetic economy and compute their
points. Usage: ``python benchmarks/bench_bonus_batch.py [n_firms]`` (default 20,000)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from chiiki.server.testing import import_synthetic
from chiiki.services import bonus
from chiiki.services.access import Principal
from chiiki.services.analytics import Analytics
from chiiki.services.datasets import current_dataset_ref
from chiiki.store import create_engine_from_settings, session_scope, upgrade
from chiiki.store.settings import StoreSettings


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def main(n_firms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = StoreSettings(data_dir=Path(tmp))
        engine = create_engine_from_settings(settings)
        upgrade(engine)
        import_synthetic(Path(tmp), n_firms=n_firms, settings=settings)
        with session_scope(engine) as db:
            analytics = Analytics(current_dataset_ref(db, Path(tmp)))
        firms = analytics.firm_year().firms.filter(pl.col("corporate_number").is_not_null()).head(950)
        queries = []
        for i, r in enumerate(firms.iter_rows(named=True)):
            queries.append(
                [r["corporate_number"], r["company_id"], f"(株){r['name']}", full_width(r["name"])][i % 4]
            )
        queries += [f"架空商事{i:03d}" for i in range(50)]
        with session_scope(engine) as db:
            bonus.lookup(
                analytics, db, Principal("r", "reviewer"), queries[:10]
            )  # warm: the year's table mapped
            start = time.perf_counter()
            result = bonus.lookup(analytics, db, Principal("r", "reviewer"), queries)
            elapsed = time.perf_counter() - start
        engine.dispose()
    print(
        f"{n_firms:,} firms, {len(queries):,} applicants: {elapsed:.2f} s (sure {result.sure}, not found {result.not_found})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
