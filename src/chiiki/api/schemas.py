"""Request and response schemas of the REST API, separate per direction (Create / Update / Public)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ErrorOut(BaseModel):
    detail: str = Field(description="日本語のエラーメッセージ（何が・どこで・どうすればよいか）")
    status: int


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` and where it sits in the whole."""

    items: list[T]
    total: int
    page: int
    per_page: int
    notes: list[str] = []


class TokenIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class FirmOut(BaseModel):
    """A firm's コネクター度・ハブ度 and attributes for one fiscal year (SPEC §3.1, §3.2)."""

    company_id: str
    name: str | None = None
    prefecture_code: str | None = None
    municipality_code: str | None = None
    jsic_code: str | None = None
    fiscal_year: int
    sales: int | None = None
    employees: int | None = None
    operating_profit: int | None = None
    out_sales: float | None = None
    in_sales: float | None = None
    in_purchases: float | None = None
    out_purchases: float | None = None
    n_out_customers: int | None = None
    n_in_customers: int | None = None
    n_in_suppliers: int | None = None
    n_out_suppliers: int | None = None
    connector_degree: float | None = None
    hub_degree: float | None = None
    connector_rank: int | None = None
    hub_rank: int | None = None
    score: float | None = None
    uses_estimated: bool | None = None


class PartnerOut(BaseModel):
    company_id: str
    name: str | None = None
    prefecture_code: str | None = None
    municipality_code: str | None = None
    amount: float | None = None
    amount_estimated: bool | None = None


class FirmDetailOut(BaseModel):
    firm: FirmOut
    in_region_suppliers: list[PartnerOut]
    out_of_region_customers: list[PartnerOut]
    notes: list[str] = []


class RecordsOut(BaseModel):
    """A table as records, with Japanese column labels and notes."""

    items: list[dict[str, Any]]
    columns: dict[str, str] = {}
    notes: list[str] = []
