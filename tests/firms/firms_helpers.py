"""Small frame builders for firm analytics tests (a uniquely named module, not conftest)."""

from __future__ import annotations

import polars as pl


def make_companies(
    rows: list[tuple[str, str, int]], *, year: int = 2024, muni: dict | None = None
) -> pl.DataFrame:
    """Companies frame from (company_id, prefecture_code, sales) rows."""
    muni = muni or {}
    return pl.DataFrame(
        {
            "company_id": [r[0] for r in rows],
            "corporate_number": [None] * len(rows),
            "name": [f"社{r[0]}" for r in rows],
            "prefecture_code": [r[1] for r in rows],
            "municipality_code": [muni.get(r[0], r[1] + "201") for r in rows],
            "jsic_code": ["24"] * len(rows),
            "fiscal_year": [year] * len(rows),
            "sales": [r[2] for r in rows],
            "operating_profit": [10] * len(rows),
            "employees": [5] * len(rows),
            "payroll": [100] * len(rows),
        },
        schema_overrides={"corporate_number": pl.Utf8},
    )


def make_links(rows: list[tuple[str, str, int | None]], *, year: int = 2024) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "supplier_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "fiscal_year": [year] * len(rows),
            "amount": [r[2] for r in rows],
        },
        schema={"supplier_id": pl.Utf8, "customer_id": pl.Utf8, "fiscal_year": pl.Int64, "amount": pl.Int64},
    )
