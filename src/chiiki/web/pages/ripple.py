"""波及効果: a scenario form (final demand by sector), the results table by stage and measure and a
chart of production by sector and stage (issue #7 §2; SPEC §5). Aggregates: every logged-in user may
compute with the table they choose (national 2015 by default, own uploads, estimated regional
tables; :mod:`chiiki.services.io_tables`); a plan's owner may save the scenario to the plan (:func:`chiiki.store.parts.save_ripple_scenario`,
audited)."""

from __future__ import annotations

import math

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.io import DEFAULT_C
from chiiki.plans import workflow
from chiiki.services.access import Principal
from chiiki.services.datasets import analytics_for
from chiiki.services.io_tables import NATIONAL_TABLE_ID, TableChoice, load_table, table_choices
from chiiki.services.ripple import DemandIn, RippleIn, run_ripple
from chiiki.store.errors import StoreError
from chiiki.store.models import Plan
from chiiki.store.parts import save_ripple_scenario
from chiiki.web.charts import stacked_bar_svg
from chiiki.web.downloads import download_response
from chiiki.web.pages.common import flash, redirect, render
from chiiki.web.ripple_views import MEASURES, jobs_wide, production_by_sector, summary_wide

router = APIRouter(include_in_schema=False)

ROWS = 5


def saveable_plans(db, principal: Principal) -> list[Plan]:  # noqa: ANN001 - Session
    """Plans the user may attach a scenario to (owner; draft, returned, approved or monitoring)."""
    if not principal.can_create_plans:
        return []
    plans = db.query(Plan).order_by(Plan.id.desc()).all()
    return [
        p for p in plans
        if workflow.owns(principal, p) and p.state in ("draft", "returned", "approved", "monitoring")
    ]  # fmt: skip


def regional_choices(state, db, principal: Principal) -> list[tuple[str, str]]:  # noqa: ANN001
    """Estimated tables the page offers: the user's prefecture and municipality (default method)."""
    from chiiki.io.regional import DEFAULT_DELTA, DEFAULT_METHOD  # noqa: PLC0415
    from chiiki.reference import prefecture_names  # noqa: PLC0415

    if state.web.census is None and not analytics_for(state, db, principal).available:
        return []
    label = f"{DEFAULT_METHOD.upper()}、δ = {DEFAULT_DELTA:g}"
    out = []
    if principal.home_prefecture:
        name = prefecture_names().get(principal.home_prefecture, principal.home_prefecture)
        out.append(
            (
                f"regional:{principal.home_prefecture}:{DEFAULT_METHOD}:{DEFAULT_DELTA:g}",
                f"{name}の推計表（{label}）",
            )
        )
    if principal.municipality_code:
        out.append((f"regional:{principal.municipality_code}:{DEFAULT_METHOD}:{DEFAULT_DELTA:g}",
                    f"あなたの市区町村の推計表（{label}）"))  # fmt: skip
    return out


def _table(state, db, principal: Principal, table_id: str, imports_zero: bool):  # noqa: ANN001, ANN202
    """(loaded table or None, problem) for the form."""
    try:
        return load_table(state, db, principal, table_id, imports_zero=imports_zero), None
    except StoreError as exc:
        if imports_zero:
            return None, str(exc)
        try:  # a table without imports: show its sectors and limits, and ask for the statement
            return load_table(state, db, principal, table_id, imports_zero=True), str(exc)
        except StoreError:
            return None, str(exc)


def loaded_sectors(
    state, db, principal: Principal, table_id: str, imports_zero: bool
) -> list[tuple[str, str]]:  # noqa: ANN001
    """(label, code) of the table's sectors: a demand handed to the comparison page names codes."""
    from chiiki.io.regional.concordance import sector_codes  # noqa: PLC0415

    table = load_table(state, db, principal, table_id, imports_zero=imports_zero).table
    return list(zip(table.sectors, sector_codes(table), strict=True))


def _form_page(request: Request, principal: Principal, state, db, *, table_id: str, form: dict, **extra):  # noqa: ANN001, ANN202
    loaded, problem = _table(state, db, principal, table_id, bool(form.get("imports_zero")))
    choices = table_choices(state, db, principal, regional=regional_choices(state, db, principal))
    if loaded is None and not any(c.id == table_id for c in choices):
        choices.append(TableChoice(table_id, table_id, "other"))
    return render(
        request, "ripple.html", principal, nav="ripple", table_id=table_id, choices=choices, loaded=loaded,
        sectors=list(loaded.table.sectors) if loaded else [], problem=problem, form=form,
        rows=ROWS, plans=saveable_plans(db, principal), measures=MEASURES, **extra,
    )  # fmt: skip


@router.get("/ripple")
def ripple_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    table: str | None = None,
    imports_zero: bool = False,
) -> Response:
    form = {
        "c": DEFAULT_C,
        "local_output": False,
        "imports_zero": imports_zero,
        "name": "シナリオ1",
        "demand": [],
    }
    return _form_page(request, principal, state, db, table_id=(table or NATIONAL_TABLE_ID)[:300], form=form)


@router.post("/ripple", dependencies=[Csrf])
async def ripple_compute(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    data = await request.form()
    table_id = str(data.get("table") or NATIONAL_TABLE_ID)[:300]
    imports_zero = data.get("imports_zero") == "true"
    name = str(data.get("name") or "シナリオ1").strip()[:100] or "シナリオ1"
    demand, errors = [], []
    for i in range(ROWS):
        sector, raw = str(data.get(f"sector_{i}") or ""), str(data.get(f"value_{i}") or "").replace(",", "")
        if not sector or not raw.strip():
            continue
        try:
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            errors.append(f"{i + 1}行目: 需要額「{raw}」は数値ではありません。半角数字で入力してください。")
            continue
        demand.append({"sector": sector, "value": value, "scenario": name})
    c_raw = str(data.get("c") or DEFAULT_C).strip()
    try:
        c = float(c_raw)
        if not 0 <= c <= 1:  # also refuses NaN
            raise ValueError
    except ValueError:
        c = DEFAULT_C
        errors.append(
            f"消費転換係数 c「{c_raw}」は 0〜1 の数値ではありません。0〜1 の小数で入力してください（例 {DEFAULT_C}）。"
        )
    form = {"c": c_raw, "local_output": data.get("local_output") == "true", "imports_zero": imports_zero,
            "name": name, "demand": demand}  # fmt: skip
    if not demand and not errors:
        errors.append("最終需要を1行以上入力してください（部門と金額）。")
    result = None
    if not errors:
        try:
            body = RippleIn(
                table=table_id, demand=[DemandIn(**d) for d in demand], c=c,
                local_output=form["local_output"], imports_zero=imports_zero,
            )  # fmt: skip
            result = run_ripple(state, db, principal, body)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            errors.extend(_messages(exc))
        except StoreError as exc:
            errors.append(str(exc))
    if result is None:
        return _form_page(request, principal, state, db, table_id=table_id, form=form, errors=errors,
                          status_code=422)  # fmt: skip
    plan_id = str(data.get("plan_id") or "")
    if plan_id.isdigit() and data.get("save") == "1":
        save_ripple_scenario(
            db, int(plan_id), actor=principal, name=name,
            inputs={"demand": pl.DataFrame(demand), "c": result.c, "local_output": result.local_output,
                    "table": result.table, "table_id": result.table_id, "imports_zero": imports_zero,
                    "credit": result.credit},
            results=result.summary if result.withheld_sectors else result.effects, unit=result.unit, note="; ".join(result.notes),
        )  # fmt: skip
        flash(request, f"シナリオ「{name}」を計画 {plan_id} に保存しました。")
        return redirect(f"/plans/{plan_id}#ripple")
    sectors, series = production_by_sector(result.effects)
    chart = stacked_bar_svg(
        sectors, series, title="部門別の生産誘発額（段階別）", unit=f"単位: {result.unit}"
    )
    codes = dict(loaded_sectors(state, db, principal, table_id, imports_zero))
    handover = [(codes.get(d["sector"], d["sector"]), d["value"]) for d in demand]
    wanted = str(data.get("download") or "")
    if wanted:
        key, _, fmt = wanted.partition(".")
        return download_response(
            key, fmt, tables={"summary": (f"波及効果_{name}", pl.DataFrame(summary_wide(result.summary))),
                              "effects": (f"波及効果_{name}_部門別", pl.DataFrame(result.effects))},
            charts={"chart": (f"波及効果_{name}", chart)},
        )  # fmt: skip
    return _form_page(
        request, principal, state, db, table_id=table_id, form=form, result=result, handover=handover,
        wide=summary_wide(result.summary), chart=chart, jobs=jobs_wide(result.jobs), jobs_major=jobs_wide(result.jobs_by_major, "産業大分類"),
    )  # fmt: skip


def _messages(exc: ValueError) -> list[str]:
    if isinstance(exc, ValidationError):
        return [
            f"入力値が正しくありません（{'.'.join(map(str, e['loc']))}: {e['msg']}）" for e in exc.errors()
        ]
    return [str(exc)]
