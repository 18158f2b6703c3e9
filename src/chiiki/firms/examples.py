"""A toy economy of 8 firms in 3 prefectures over 3 years, for docs, doctests and hand-worked tests.

Fiscal 2024 links (千円): A→E 100, B→E 50, B→A 30, C→A 20, D→B 10 (Fukushima 07: A, B, C, D),
E→F 40, F→G 60 (Tokyo 13: E, F), G→H 25, H→A 15 (Niigata 15: G, H), plus one link from an unknown
firm X→A 5, one with a missing amount C→D and one self-link A→A 7. 2022 and 2023 carry the same
links; only the companies' figures change, so growth indicators can be worked by hand.
"""

from __future__ import annotations

import polars as pl

from chiiki.data.contract import Dataset

_FIRMS = [
    # id, name, pref, muni, jsic, sales 22/23/24, profit 22/23/24, employees 22/23/24
    ("A", "会津精密", "07", "07202", "28", (900, 950, 1000), (40, 50, 90), (100, 110, 121)),
    ("B", "郡山部品", "07", "07203", "24", (480, 490, 500), (20, 20, 20), (50, 50, 50)),
    ("C", "いわき化成", "07", "07204", "16", (250, 280, 300), (10, 15, 40), (30, 30, 30)),
    ("D", "福島運輸", "07", "07201", "44", (220, 210, 200), (30, 25, 10), (20, 19, 18)),
    ("E", "東京電機", "13", "13101", "29", (1800, 1900, 2000), (150, 160, 170), (300, 300, 310)),
    ("F", "品川商事", "13", "13109", "50", (700, 760, 800), (30, 35, 40), (80, 82, 84)),
    ("G", "新潟金属", "15", "15100", "24", (380, 390, 400), (12, 14, 16), (40, 41, 42)),
    ("H", "長岡機械", "15", "15202", "26", (280, 290, 300), (9, 9, 9), (35, 35, 35)),
]

_LINKS = [
    ("A", "E", 100),
    ("B", "E", 50),
    ("B", "A", 30),
    ("C", "A", 20),
    ("D", "B", 10),
    ("E", "F", 40),
    ("F", "G", 60),
    ("G", "H", 25),
    ("H", "A", 15),
    ("X", "A", 5),
    ("C", "D", None),
    ("A", "A", 7),
]

YEARS = (2022, 2023, 2024)


def toy_economy() -> Dataset:
    """The 8-firm toy economy as a :class:`chiiki.data.Dataset` typed as in SPEC §2."""
    rows = []
    for fid, name, pref, muni, jsic, sales, profit, emp in _FIRMS:
        for k, year in enumerate(YEARS):
            rows.append((fid, None, name, pref, muni, jsic, year, sales[k], profit[k], emp[k], emp[k] * 4000))
    companies = pl.DataFrame(
        rows,
        schema={
            "company_id": pl.Utf8,
            "corporate_number": pl.Utf8,
            "name": pl.Utf8,
            "prefecture_code": pl.Utf8,
            "municipality_code": pl.Utf8,
            "jsic_code": pl.Utf8,
            "fiscal_year": pl.Int64,
            "sales": pl.Int64,
            "operating_profit": pl.Int64,
            "employees": pl.Int64,
            "payroll": pl.Int64,
        },
        orient="row",
    )
    transactions = pl.DataFrame(
        [(s, c, y, a) for y in YEARS for s, c, a in _LINKS],
        schema={"supplier_id": pl.Utf8, "customer_id": pl.Utf8, "fiscal_year": pl.Int64, "amount": pl.Int64},
        orient="row",
    )
    return Dataset(companies, transactions)
