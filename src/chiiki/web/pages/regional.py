"""地域経済: an estimated regional input–output table for any region — a prefecture, a municipality,
a block or the user's own set of municipalities — by SLQ, CILQ, FLQ or AFLQ (δ a setting), with its
download, and the region's 地域経済循環 (生産・分配・支出, 地域経済循環率, net exports by industry)
from the estimated table or from a table the user chose (national, own upload). SPEC §7.1–§7.2;
issue #14 items 1–2. Aggregates: every logged-in user; sectors of few firms are withheld from users
not entitled to the firm data (:mod:`chiiki.services.regional`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.io.regional import DEFAULT_DELTA, DEFAULT_METHOD
from chiiki.services.io_tables import load_table, table_choices
from chiiki.services.regional import (
    circulation_of,
    download_bytes,
    estimate,
    method_choices,
    parse_query,
    sector_rows,
    suppressed_sectors,
)
from chiiki.store.errors import StoreError
from chiiki.web.pages.common import redirect, render

router = APIRouter(include_in_schema=False)


def circulation_view(circ, hidden: frozenset[str] = frozenset()) -> dict:  # noqa: ANN001 - Circulation
    """Summary rows and net exports by industry (figures of ``hidden`` sectors withheld)."""
    unit = circ.unit
    net = circ.net_exports.rename({f"移輸出（{unit}）": "exports", f"移輸入（{unit}）": "imports",
                                   f"純移輸出（{unit}）": "net"}).to_dicts()  # fmt: skip
    for row in net:
        if row["部門"] in hidden:
            row.update(exports=None, imports=None, net=None, 区分="秘匿")
    return {"c": circ, "summary": circ.summary.to_dicts(), "net": net}


INCOME_LABELS = {
    "commuting_income": "通勤による雇用者所得の純流入",
    "property_income": "財産所得の純流入",
    "other_income": "その他の所得の純流入（財政移転など）",
}


def income_settings(values: dict[str, str | None]):  # noqa: ANN201 - CirculationSettings
    """Income flows across the border the table does not show, from the form (table unit; a
    Japanese error for a value that is not a number)."""
    import math  # noqa: PLC0415

    from chiiki.io.circulation import CirculationSettings  # noqa: PLC0415
    from chiiki.store.errors import InvalidInputError  # noqa: PLC0415

    out = {}
    for key, raw in values.items():
        text = (raw or "").replace(",", "").strip()
        if not text:
            continue
        try:
            out[key] = float(text)
            if not math.isfinite(out[key]):
                raise ValueError
        except ValueError:
            raise InvalidInputError(
                f"「{INCOME_LABELS[key]}」の値「{raw}」は数値ではありません。表の単位（百万円）の数値で、流出はマイナスで入力してください。"
            ) from None
    return CirculationSettings(**out)


@router.get("/regional")
def regional_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    region: str | None = None,
    municipalities: str | None = None,
    name: str | None = None,
    method: str | None = None,
    delta: str | None = None,
    table: str | None = None,
    download: str | None = None,
    commuting_income: str | None = None,
    property_income: str | None = None,
    other_income: str | None = None,
) -> Response:
    """The form, and — when a region (or a table) is given — the table and its circulation."""
    form = {"region": region if region is not None else (principal.municipality_code or principal.home_prefecture or ""),
            "municipalities": municipalities or "", "name": name or "", "method": (method or DEFAULT_METHOD).lower(),
            "delta": delta if delta not in (None, "") else f"{DEFAULT_DELTA:g}", "table": table or ""}  # fmt: skip
    incomes = {
        "commuting_income": commuting_income,
        "property_income": property_income,
        "other_income": other_income,
    }
    form.update({k: v or "" for k, v in incomes.items()})
    ctx: dict = {"form": form, "methods": method_choices(), "choices": table_choices(state, db, principal)}
    asked = region is not None or municipalities or table
    status = 200
    if asked:
        try:
            flows = income_settings(incomes)
            if table:
                loaded = load_table(state, db, principal, table, imports_zero=True)
                ctx["loaded"] = loaded
                ctx["circ"] = circulation_view(circulation_of(loaded.table, flows))
            else:
                query = parse_query(region, municipalities, method, delta, name)
                est = estimate(state, db, principal, query)
                if download:
                    content, media, filename = download_bytes(
                        est, principal, state.web.min_cell_firms, download
                    )
                    return Response(content, media_type=media,
                                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip
                rows, hidden = sector_rows(est, principal, state.web.min_cell_firms)
                mask = suppressed_sectors(est, principal, state.web.min_cell_firms)
                names = frozenset(s for s, m in zip(est.regional.table.sectors, mask, strict=True) if m)
                ctx.update(est=est, rows=rows, hidden=hidden, unit=est.regional.table.unit,
                           circ=circulation_view(circulation_of(est.regional.table, flows), names),
                           download_qs=request.url.query)  # fmt: skip
        except StoreError as exc:
            ctx["error"] = str(exc)
            status = 422
    return render(request, "regional.html", principal, nav="regional", status_code=status, **ctx)


@router.get("/regional/firm")
def firm_io_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    company_id: str | None = None,
    amount: str | None = None,
    table: str | None = None,
) -> Response:
    """A firm's investment through its in-region suppliers beside the IO ripple of its sector."""
    from chiiki.services.access import AccessDeniedError  # noqa: PLC0415
    from chiiki.services.firm_io import firm_and_io  # noqa: PLC0415

    form = {"company_id": (company_id or "").strip()[:100], "amount": amount or "", "table": table or ""}
    ctx: dict = {"form": form, "choices": table_choices(state, db, principal)}
    status = 200
    if form["company_id"]:
        try:
            value = float((amount or "").replace(",", ""))
        except ValueError:
            value = float("nan")
        try:
            ctx["result"] = firm_and_io(state, db, principal, company_id=form["company_id"], amount=value,
                                        table_id=form["table"] or None)  # fmt: skip
        except AccessDeniedError as exc:
            ctx["error"], status = exc.message, exc.status_code
        except StoreError as exc:
            ctx["error"], status = str(exc), 404 if exc.__class__.__name__ == "NotFoundError" else 422
    return render(request, "firm_io.html", principal, nav="regional", status_code=status, **ctx)


@router.get("/regional/report")
def report_page(
    request: Request, principal: PageUser, state: State, db: Db, region: str | None = None
) -> Response:
    """The regional report as a page, with a PDF button."""
    from chiiki.services.report import regional_report, report_html  # noqa: PLC0415

    code = (region or principal.municipality_code or principal.home_prefecture or "").strip()
    ctx: dict = {"region": code}
    status = 200
    try:
        ctx["body"] = report_html(regional_report(state, db, principal, code))
    except StoreError as exc:
        ctx["error"], status = str(exc), 422
    return render(request, "regional_report.html", principal, nav="regional", status_code=status, **ctx)


@router.get("/regional/report.pdf")
def report_pdf_download(principal: PageUser, state: State, db: Db, region: str | None = None) -> Response:
    from chiiki.services.report import regional_report, report_pdf  # noqa: PLC0415

    code = (region or principal.municipality_code or principal.home_prefecture or "").strip()
    report = regional_report(state, db, principal, code)
    return Response(report_pdf(report), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="regional_report_{report.region_code}.pdf"'})  # fmt: skip


@router.post("/regional/all", dependencies=[Csrf])
async def all_municipalities(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    """Every municipality's table (of a prefecture, or of Japan) as a background job."""
    from chiiki.services.regional import start_all_municipalities  # noqa: PLC0415

    form = await request.form()
    pref = str(form.get("prefecture") or "").strip() or None
    try:
        job_id = start_all_municipalities(state, db, principal, prefecture=pref,
                                          method=str(form.get("method") or DEFAULT_METHOD),
                                          delta=float(str(form.get("delta") or DEFAULT_DELTA)))  # fmt: skip
    except (StoreError, ValueError) as exc:
        ctx = {"form": {"region": "", "municipalities": "", "name": "", "method": DEFAULT_METHOD,
                        "delta": f"{DEFAULT_DELTA:g}", "table": ""}, "methods": method_choices(),
               "choices": table_choices(state, db, principal), "error": str(exc)}  # fmt: skip
        return render(request, "regional.html", principal, nav="regional", status_code=422, **ctx)
    return redirect(f"/jobs/{job_id}")
