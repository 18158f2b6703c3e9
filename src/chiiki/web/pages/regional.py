"""地域経済: an estimated regional input–output table for any region — a prefecture, a municipality,
a block or the user's own set of municipalities — by SLQ, CILQ, FLQ or AFLQ (δ a setting), with its
download, and the region's 地域経済循環 (生産・分配・支出, 地域経済循環率, net exports by industry)
from the estimated table or from a table the user chose (national, own upload). SPEC §7.1–§7.2;
issue #14 items 1–2. Aggregates: every logged-in user; sectors of few firms are withheld from users
not entitled to the firm data (:mod:`chiiki.services.regional`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import Db, PageUser, State
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
from chiiki.web.pages.common import render

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
) -> Response:
    """The form, and — when a region (or a table) is given — the table and its circulation."""
    form = {"region": region if region is not None else (principal.municipality_code or principal.home_prefecture or ""),
            "municipalities": municipalities or "", "name": name or "", "method": (method or DEFAULT_METHOD).lower(),
            "delta": delta if delta not in (None, "") else f"{DEFAULT_DELTA:g}", "table": table or ""}  # fmt: skip
    ctx: dict = {"form": form, "methods": method_choices(), "choices": table_choices(state, db, principal)}
    asked = region is not None or municipalities or table
    status = 200
    if asked:
        try:
            if table:
                loaded = load_table(state, db, principal, table, imports_zero=True)
                ctx["loaded"] = loaded
                ctx["circ"] = circulation_view(circulation_of(loaded.table))
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
                           circ=circulation_view(circulation_of(est.regional.table), names),
                           download_qs=request.url.query)  # fmt: skip
        except StoreError as exc:
            ctx["error"] = str(exc)
            status = 422
    return render(request, "regional.html", principal, nav="regional", status_code=status, **ctx)
