"""The firm-data contract of SPEC §2: column names, types and which are required.

Monetary amounts are integers in 千円 (thousand yen); codes are strings with leading zeros kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    """One column of a table in the contract."""

    name: str
    dtype: type[pl.DataType]
    required: bool
    label: str
    """Japanese name shown to users."""
    kind: str = "text"
    """text | code | year | amount | count: drives parsing and checks."""


@dataclass(frozen=True)
class TableContract:
    name: str
    label: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def schema(self) -> dict[str, type[pl.DataType]]:
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


COMPANIES = TableContract(
    "companies",
    "企業",
    (
        Column("company_id", pl.Utf8, True, "企業ID"),
        Column("corporate_number", pl.Utf8, False, "法人番号", "code"),
        Column("name", pl.Utf8, True, "企業名"),
        Column("prefecture_code", pl.Utf8, True, "都道府県コード", "code"),
        Column("municipality_code", pl.Utf8, True, "市区町村コード", "code"),
        Column("jsic_code", pl.Utf8, True, "産業分類コード（JSIC中分類）", "code"),
        Column("fiscal_year", pl.Int64, True, "年度", "year"),
        Column("sales", pl.Int64, True, "売上高（千円）", "amount"),
        Column("operating_profit", pl.Int64, False, "営業利益（千円）", "amount"),
        Column("employees", pl.Int64, False, "従業者数（人）", "count"),
        Column("payroll", pl.Int64, False, "給与総額（千円）", "amount"),
    ),
)

TRANSACTIONS = TableContract(
    "transactions",
    "取引",
    (
        Column("supplier_id", pl.Utf8, True, "仕入先（販売側）企業ID"),
        Column("customer_id", pl.Utf8, True, "販売先（購入側）企業ID"),
        Column("fiscal_year", pl.Int64, True, "年度", "year"),
        Column("amount", pl.Int64, False, "取引額（千円）", "amount"),
    ),
)

AMOUNT_ESTIMATED = "amount_estimated"
"""Optional Boolean column of ``transactions``: True where ``amount`` was estimated (SPEC §3.3)."""

CONTRACTS = {c.name: c for c in (COMPANIES, TRANSACTIONS)}


@dataclass(frozen=True)
class Dataset:
    """A validated firm data set: ``companies`` and ``transactions`` typed as in the contract."""

    companies: pl.DataFrame
    transactions: pl.DataFrame

    @property
    def years(self) -> list[int]:
        return sorted(self.companies["fiscal_year"].unique().to_list())

    @property
    def has_estimated_amounts(self) -> bool:
        t = self.transactions
        return AMOUNT_ESTIMATED in t.columns and bool(t[AMOUNT_ESTIMATED].any())
