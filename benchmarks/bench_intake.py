"""Benchmark: validating a firm upload with Japanese headers (issue #11 §1, "Speed").

Writes a companies file (``--firms`` rows, the issue's Japanese headers) and a transactions file of
``--links`` rows (headers 仕入先企業ID, 販売先企業ID, 決算年度, 取引額（千円）) as CSV in Shift_JIS or
UTF-8, then times :func:`chiiki.data.validation.validate_directory` on them in this process: reading
(encoding check and decoding, delimiter, ragged-row check), placing the headers and every check.
Prints the link rows per second and the peak RSS. Usage::

    .venv/bin/python benchmarks/bench_intake.py [--links 5000000] [--firms 200000] [--encoding cp932]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

from chiiki import reference
from chiiki.data.validation import validate_directory

COMPANY_HEADERS = {
    "company_id": "企業ID", "corporate_number": "法人番号", "name": "商号", "prefecture_code": "都道府県コード",
    "municipality_code": "市区町村コード", "jsic_code": "業種コード", "fiscal_year": "年度", "sales": "売上高",
    "operating_profit": "営業利益", "employees": "従業員数", "payroll": "給与総額",
}  # fmt: skip
LINK_HEADERS = {
    "supplier_id": "仕入先企業ID",
    "customer_id": "販売先企業ID",
    "fiscal_year": "決算年度",
    "amount": "取引額（千円）",
}


def write_files(folder: Path, *, firms: int, links: int, encoding: str, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    munis = reference.municipalities().select("municipality_code", "prefecture_code")
    jsic = reference.jsic("middle")["code"].to_numpy()
    pick = rng.integers(0, munis.height, firms)
    ids = pl.Series([f"K{i:07d}" for i in range(firms)])
    companies = pl.DataFrame(
        {
            "company_id": ids,
            "corporate_number": pl.Series([None] * firms, dtype=pl.Utf8),
            "name": pl.Series([f"株式会社{i}" for i in range(firms)]),
            "prefecture_code": munis["prefecture_code"].gather(pick),
            "municipality_code": munis["municipality_code"].gather(pick),
            "jsic_code": jsic[rng.integers(0, jsic.size, firms)],
            "fiscal_year": np.full(firms, 2024),
            "sales": rng.lognormal(11, 1.5, firms).astype(np.int64),
            "operating_profit": rng.normal(1000, 500, firms).astype(np.int64),
            "employees": rng.integers(1, 300, firms),
            "payroll": rng.lognormal(10, 1.2, firms).astype(np.int64),
        }
    ).rename(COMPANY_HEADERS)
    transactions = pl.DataFrame(
        {
            "supplier_id": ids.gather(rng.integers(0, firms, links)),
            "customer_id": ids.gather(rng.integers(0, firms, links)),
            "fiscal_year": np.full(links, 2024),
            "amount": rng.lognormal(7, 1.5, links).astype(np.int64),
        }
    ).rename(LINK_HEADERS)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (("companies", companies), ("transactions", transactions)):
        text = frame.write_csv()
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=5_000_000)
    parser.add_argument("--firms", type=int, default=200_000)
    parser.add_argument("--encoding", default="cp932", choices=["cp932", "utf-8"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/chiiki-bench-intake"))
    args = parser.parse_args()
    folder = args.workdir / f"{args.encoding}-{args.links}"
    if not (folder / "transactions.csv").exists():
        write_files(folder, firms=args.firms, links=args.links, encoding=args.encoding)
    start = time.perf_counter()
    report = validate_directory(folder)
    elapsed = time.perf_counter() - start
    assert not report.has_errors, report.by_code()
    assert report.matches["transactions"].placed["仕入先企業ID"] == "supplier_id"
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
                "encoding": args.encoding,
                "company_rows": report.counts["companies"],
                "link_rows": report.counts["transactions"],
                "transactions_mb": round((folder / "transactions.csv").stat().st_size / 1e6, 1),
                "warnings": report.warnings.height,
                "validate_seconds": round(elapsed, 2),
                "link_rows_per_second": round(report.counts["transactions"] / elapsed),
                "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
            },
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
