"""Firm analytics over the current data set (SPEC §3.1–3.2): the コネクター度・ハブ度 ranking and a
firm's page. Firm-level data only within the user's scope (SPEC §0)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from chiiki.api.schemas import ErrorOut, FirmDetailOut, FirmOut, Page, PartnerOut
from chiiki.http.deps import ApiUser, DatasetId, Db, State
from chiiki.services.access import AccessDeniedError, Principal, require_firm_scope
from chiiki.services.analytics import firm_detail
from chiiki.services.datasets import analytics_for

router = APIRouter(
    prefix="/firms", tags=["企業分析"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
)

PrefCode = Annotated[
    str, Query(pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$", description="都道府県コード（2桁、例: 07）")
]
Year = Annotated[int | None, Query(ge=1900, le=2100, description="年度（省略時は最新）")]


def _lookup(state: State, db: Db, principal: Principal, year: int | None, dataset: int | None):  # noqa: ANN202
    analytics = analytics_for(state, db, principal, dataset)
    try:
        return analytics, analytics.firm_year(year)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/connector-hub", response_model=Page[FirmOut], responses={404: {"model": ErrorOut}})
def connector_hub_ranking(
    principal: ApiUser,
    state: State,
    db: Db,
    pref: PrefCode,
    year: Year = None,
    dataset: DatasetId = None,
    jsic: Annotated[str | None, Query(pattern=r"^\d{2}$", description="JSIC中分類（2桁）")] = None,
    municipality: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    q: Annotated[str | None, Query(max_length=100, description="企業名の一部または企業ID")] = None,
    top_percent: Annotated[
        float | None, Query(gt=0, le=100, description="両方の度合いが上位p%の企業のみ")
    ] = None,
    sort: Literal[
        "connector_degree", "hub_degree", "score", "sales", "employees", "out_sales", "in_purchases", "name"
    ] = "connector_degree",
    order: Literal["desc", "asc"] = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[FirmOut]:
    """都道府県内の企業のコネクター度・ハブ度ランキング（ページ分割）。"""
    require_firm_scope(principal, pref)
    _, fy = _lookup(state, db, principal, year, dataset)
    rows, total = fy.ranking_page(
        pref, sort=sort, descending=order == "desc", page=page, per_page=per_page,
        municipality_code=municipality, jsic_code=jsic, query=q, connector_hub_top_percent=top_percent,
    )  # fmt: skip
    return Page[FirmOut](
        items=rows.to_dicts(), total=total, page=page, per_page=per_page, notes=list(fy.notes)
    )


@router.get("/{company_id}", response_model=FirmDetailOut, responses={404: {"model": ErrorOut}})
def firm(
    principal: ApiUser,
    state: State,
    db: Db,
    company_id: Annotated[str, Path(max_length=100)],
    year: Year = None,
    dataset: DatasetId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FirmDetailOut:
    """企業1社の指標と、域内の仕入先・域外の販売先（取引額つき）。"""
    analytics, fy = _lookup(state, db, principal, year, dataset)
    detail = firm_detail(fy, analytics.links(fy.year), company_id)
    not_found = f"企業ID {company_id} は{fy.year}年度のデータにないか、閲覧する権限がありません。"
    if detail is None:
        raise HTTPException(404, not_found)
    try:
        require_firm_scope(principal, detail.firm["prefecture_code"])
    except AccessDeniedError as exc:
        raise HTTPException(404, not_found) from exc  # do not reveal that an out-of-scope firm exists
    return FirmDetailOut(
        firm=FirmOut(**detail.firm),
        in_region_suppliers=[PartnerOut(**r) for r in detail.in_region_suppliers.head(limit).to_dicts()],
        out_of_region_customers=[
            PartnerOut(**r) for r in detail.out_of_region_customers.head(limit).to_dicts()
        ],
        notes=list(fy.notes),
    )
