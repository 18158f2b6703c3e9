"""Input–output tables and regional economics (SPEC §5, §7; issue #11 items 5–6, issue #14 items 1–2):
``/api/v1/io/tables`` (the tables a ripple may use, own tables uploaded in published layouts, their
recognition reports), ``/api/v1/io/regional`` (an estimated regional table) and
``/api/v1/io/circulation`` (地域経済循環). Aggregates; own tables within their scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db, State
from chiiki.io.regional import DEFAULT_DELTA, DEFAULT_METHOD
from chiiki.services.io_tables import (
    for_screen,
    load_table,
    preview_upload,
    report_from_dict,
    retire_table,
    store_upload,
    table_choices,
    table_row,
    upload_label,
)
from chiiki.services.regional import (
    circulation_of,
    download_bytes,
    estimate,
    parse_query,
    sector_rows,
    suppressed_sectors,
)
from chiiki.store.errors import InvalidInputError

router = APIRouter(
    prefix="/io",
    tags=["産業連関表・地域経済"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)


class TableOut(BaseModel):
    id: str = Field(description="表の ID（POST /api/v1/io/ripple の table に指定）")
    label: str
    kind: str = Field(description="national（全国表）/ upload（登録した表）/ regional（推計表）/ server")


class ReportOut(BaseModel):
    table_id: str | None = Field(None, description="登録した表の ID（dry_run や登録しなかったときは null）")
    label: str | None = None
    stored: bool
    report: dict = Field(
        description="読み取った内容（部門、付加価値・最終需要・移輸出入・合計、照合、できないこと）"
    )
    limits: list[str]
    problems: list[str]


@router.get("/tables", response_model=list[TableOut])
def list_tables(principal: ApiUser, state: State, db: Db) -> list[dict]:
    """波及効果に使える産業連関表の一覧（全国2015年表が既定、閲覧できる都道府県の登録表）。"""
    return [c.__dict__ for c in table_choices(state, db, principal)]


@router.post(
    "/tables",
    response_model=ReportOut,
    status_code=201,
    responses={
        200: {"model": ReportOut},
        400: {"model": ErrorOut, "description": "マルチパートの本文が壊れている"},
    },
)
async def upload_table(
    principal: ApiUser,
    state: State,
    db: Db,
    file: Annotated[UploadFile, File(description="公表形式の産業連関表（CSV / Excel）")],
    sheet: Annotated[str | None, Form(max_length=200, description="Excel のシート名")] = None,
    title: Annotated[str | None, Form(max_length=300, description="表の名前")] = None,
    dry_run: Annotated[bool, Form(description="true なら読み取り結果だけを返し、登録しない")] = False,
) -> JSONResponse:
    """都道府県の産業連関表をアップロードし、読み取った内容を返して次の版として登録します（都道府県職員のみ）。"""
    from chiiki.services.access import AccessDeniedError  # noqa: PLC0415
    from chiiki.services.io_tables import can_upload_tables  # noqa: PLC0415

    if not can_upload_tables(principal):
        raise AccessDeniedError(
            f"産業連関表の登録は都道府県の担当者だけが行えます（あなたの権限: {principal.role_label}）。"
        )
    preview = preview_upload(
        state, principal, filename=file.filename or "", data=await file.read(), sheet=sheet
    )
    if preview.report is None:
        sheets = f" シート: {', '.join(preview.sheets)}。" if preview.sheets else ""
        raise InvalidInputError(
            for_screen(preview.error or "表を読めません。") + sheets + " ".join(preview.error_lines)
        )
    body = {"report": preview.report.as_dict(), "limits": [for_screen(x) for x in preview.report.limits],
            "problems": list(preview.report.problems)}  # fmt: skip
    if dry_run or not preview.storable:
        return JSONResponse({"stored": False, "table_id": None, "label": None, **body},
                            status_code=200 if preview.storable else 422)  # fmt: skip
    row = store_upload(state, db, principal, token=preview.token, sheet=preview.sheet, title=title or "")
    return JSONResponse({"stored": True, "table_id": f"upload-{row.id}", "label": upload_label(row), **body},
                        status_code=201)  # fmt: skip


@router.get("/tables/{table_id}", response_model=ReportOut)
def get_table(principal: ApiUser, state: State, db: Db, table_id: str) -> dict:
    """表の読み取り結果（national または upload-番号）。"""
    if table_id.startswith("upload-") and table_id[7:].isdigit():
        row = table_row(db, principal, int(table_id[7:]))
        report = report_from_dict(row.report)
        label = upload_label(row)
    else:
        loaded = load_table(state, db, principal, table_id, imports_zero=True)
        if loaded.report is None:
            raise InvalidInputError(
                "推計表には読み取り結果がありません。GET /api/v1/io/regional を使ってください。"
            )
        report, label = loaded.report, loaded.label
    return {"table_id": table_id, "label": label, "stored": True, "report": report.as_dict(),
            "limits": [for_screen(x) for x in report.limits], "problems": list(report.problems)}  # fmt: skip


@router.post("/tables/{table_id}/retire", response_model=TableOut)
def retire(principal: ApiUser, db: Db, table_id: str) -> dict:
    """登録した表の版を使わないようにします（記録は残ります、都道府県職員のみ）。"""
    if not (table_id.startswith("upload-") and table_id[7:].isdigit()):
        raise InvalidInputError("使わないようにできるのは登録した表（upload-番号）だけです。")
    row = retire_table(db, principal, int(table_id[7:]))
    return {"id": table_id, "label": upload_label(row), "kind": "upload"}


class RegionalOut(BaseModel):
    region: str
    region_name: str
    method: str
    table_id: str = Field(description="この推計表で波及効果を計算するときの table")
    description: str
    basis: str
    credit: str
    unit: str
    notes: list[str]
    suppressed: int = Field(description="企業数が少なく値を秘匿した部門の数")
    sectors: list[dict]


Region = Annotated[
    str | None,
    Query(max_length=40, description="都道府県（07）、市区町村（07201）、ブロック（tohoku / 東北）"),
]
Municipalities = Annotated[
    str | None, Query(max_length=4000, description="独自地域の市区町村コード（カンマ区切り）")
]


@router.get("/regional", response_model=RegionalOut, responses={200: {"content": {"text/csv": {}}}})
def regional_table(
    principal: ApiUser,
    state: State,
    db: Db,
    region: Region = None,
    municipalities: Municipalities = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    method: Annotated[str, Query(max_length=10, description="slq / cilq / flq / aflq")] = DEFAULT_METHOD,
    delta: Annotated[float, Query(ge=0, lt=1, description="FLQ・AFLQ の δ")] = DEFAULT_DELTA,
    format: Annotated[
        str, Query(pattern="^(json|csv|xlsx)$", description="json / csv（縦持ち）/ xlsx")
    ] = "json",  # noqa: A002
):  # noqa: ANN201
    """地域の産業連関表を全国表と地域の従業者数から推計します（SLQ・CILQ・FLQ・AFLQ）。"""
    query = parse_query(region, municipalities, method, delta, name)
    est = estimate(state, db, principal, query)
    if format != "json":
        content, media, filename = download_bytes(est, principal, state.web.min_cell_firms, format)
        return Response(
            content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )
    rows, hidden = sector_rows(est, principal, state.web.min_cell_firms)
    area = "+".join(query.municipalities) if query.municipalities else est.region.code
    return {
        "region": est.region.code, "region_name": est.region.name, "method": est.regional.settings.label,
        "table_id": f"regional:{area}:{query.method}:{query.delta:g}" + (f":{query.name}" if query.name and query.municipalities else ""),
        "description": est.regional.method_text, "basis": est.basis, "credit": est.credit,
        "unit": est.regional.table.unit, "notes": list(est.regional.notes), "suppressed": hidden, "sectors": rows,
    }  # fmt: skip


class CirculationOut(BaseModel):
    table: str
    unit: str
    production: float
    distribution: float
    expenditure: float
    rate: float = Field(description="地域経済循環率（%）= 生産 ÷ 分配 × 100")
    summary: list[dict]
    net_exports: list[dict]
    limits: list[str]


@router.get("/circulation", response_model=CirculationOut)
def circulation(
    principal: ApiUser,
    state: State,
    db: Db,
    table: Annotated[
        str | None, Query(max_length=300, description="表の ID（省略時は region から推計）")
    ] = None,
    region: Region = None,
    municipalities: Municipalities = None,
    method: Annotated[str, Query(max_length=10)] = DEFAULT_METHOD,
    delta: Annotated[float, Query(ge=0, lt=1)] = DEFAULT_DELTA,
    commuting_income: Annotated[
        float, Query(ge=-1e12, le=1e12, description="通勤による雇用者所得の純流入（表の単位）")
    ] = 0.0,
    property_income: Annotated[float, Query(ge=-1e12, le=1e12, description="財産所得の純流入")] = 0.0,
    other_income: Annotated[
        float, Query(ge=-1e12, le=1e12, description="その他の所得の純流入（財政移転など）")
    ] = 0.0,
) -> dict:
    """地域経済循環: 生産（付加価値）・分配（所得）・支出、地域経済循環率、産業別の純移輸出。"""
    from chiiki.io.circulation import CirculationSettings  # noqa: PLC0415

    flows = CirculationSettings(commuting_income, property_income, other_income)
    hidden: set[str] = set()
    if table:
        loaded = load_table(state, db, principal, table, imports_zero=True)
        t, label, limits = loaded.table, loaded.label, [for_screen(x) for x in loaded.limits]
    else:
        est = estimate(state, db, principal, parse_query(region, municipalities, method, delta))
        t, label, limits = est.regional.table, est.label, []
        mask = suppressed_sectors(est, principal, state.web.min_cell_firms)
        hidden = {s for s, m in zip(t.sectors, mask, strict=True) if m}
    circ = circulation_of(t, flows)
    net = circ.net_exports.to_dicts()
    for row in net:
        if row["部門"] in hidden:
            row.update({k: None for k in row if k != "部門"})
    return {"table": label, "unit": circ.unit, "production": circ.production, "distribution": circ.distribution,
            "expenditure": circ.expenditure, "rate": circ.rate, "summary": circ.summary.to_dicts(),
            "net_exports": net, "limits": limits}  # fmt: skip


class ScenariosIn(BaseModel):
    table: str = Field(
        "national", min_length=1, max_length=300, description="表の ID（GET /api/v1/io/tables）"
    )
    imports_zero: bool = False
    scenarios: list[dict] = Field(
        min_length=1, max_length=5,
        description='テンプレートのシナリオ（最大5つ）: {"name": …, "template": "construction" | "tourism" | "plant" | '
        '"equipment" | "exports" | "demand", …}（chiiki io scenarios --spec と同じ形、docs/io.md）',
    )  # fmt: skip
    c: float = Field(0.7243, ge=0, le=1, description="消費転換係数（中央値）")
    c_low: float | None = Field(None, ge=0, le=1)
    c_high: float | None = Field(None, ge=0, le=1)
    import_change: float = Field(0.0, ge=0, lt=1, description="輸入係数の変化幅（0.1 = ±10%）")
    vary_methods: bool = Field(False, description="推計表のとき、SLQ・CILQ・FLQ・AFLQ の違いも範囲に含める")


class ScenariosOut(BaseModel):
    table: str
    credit: str | None
    cases: int = Field(description="範囲を求めた組み合わせの数")
    compared: list[dict] = Field(description="段階・指標ごとの各シナリオの中央値と範囲（下限 〜 上限）")
    ranges: list[dict] = Field(description="シナリオ・段階・指標ごとの low / central / high")
    talent_demand: list[dict] = Field(description="人材需要（事業・段階・産業別の就業誘発数、人）")
    notes: list[str]


@router.post("/scenarios", response_model=ScenariosOut)
def scenarios(principal: ApiUser, state: State, db: Db, body: ScenariosIn) -> dict:
    """テンプレート（建設・観光/イベント・新工場・設備投資・移輸出）のシナリオを範囲付きで並べて比べます。"""
    from chiiki.services.ripple import clean  # noqa: PLC0415
    from chiiki.services.scenarios import compare  # noqa: PLC0415

    result = compare(
        state, db, principal, body.scenarios, table_id=body.table, imports_zero=body.imports_zero, c=body.c,
        c_low=body.c_low, c_high=body.c_high, import_change=body.import_change, vary_methods=body.vary_methods,
    )  # fmt: skip
    return {
        "table": result.loaded.label, "credit": result.loaded.credit, "cases": result.cases,
        "compared": clean(result.compared.to_dicts()), "ranges": clean(result.ranges.to_dicts()),
        "talent_demand": clean(result.talent.to_dicts()) if result.talent is not None else [],
        "notes": result.notes,
    }  # fmt: skip
