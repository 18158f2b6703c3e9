"""波及効果: a scenario form (final demand by sector), the results table by stage and measure and a
chart of production by sector and stage (issue #7 §2; SPEC §5). Aggregates: every logged-in user may
compute; a plan's owner may save the scenario to the plan (:func:`chiiki.store.parts.save_ripple_scenario`,
audited)."""

from __future__ import annotations

import math

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.io import DEFAULT_C, IOTableError
from chiiki.plans import workflow
from chiiki.services.access import Principal
from chiiki.services.datasets import analytics_for
from chiiki.services.ripple import DemandIn, RippleIn, run_ripple
from chiiki.store.errors import StoreError
from chiiki.store.models import Plan
from chiiki.store.parts import save_ripple_scenario
from chiiki.web.charts import stacked_bar_svg
from chiiki.web.downloads import download_response
from chiiki.web.pages.common import flash, redirect, render
from chiiki.web.ripple_views import MEASURES, production_by_sector, summary_wide

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


def _sectors(state, db, principal: Principal, pref: str) -> tuple[list[str], str | None]:  # noqa: ANN001
    analytics = analytics_for(state, db, principal)
    if state.web.io_table is None and not analytics.available:
        return [], "産業連関表がありません。企業データを取り込むか、CHIIKI_IO_TABLE を設定してください。"
    try:
        table = analytics.industry.io_table(pref, path=state.web.io_table)
    except (IOTableError, LookupError, ValueError) as exc:
        return [], str(exc)
    return list(table.sectors), None


def _form_page(request: Request, principal: Principal, state, db, *, pref: str, form: dict, **extra):  # noqa: ANN001, ANN202
    sectors, problem = _sectors(state, db, principal, pref)
    return render(
        request, "ripple.html", principal, nav="ripple", pref=pref, sectors=sectors, problem=problem, form=form,
        rows=ROWS, plans=saveable_plans(db, principal), measures=MEASURES, **extra,
    )  # fmt: skip


@router.get("/ripple")
def ripple_page(
    request: Request, principal: PageUser, state: State, db: Db, pref: str | None = None
) -> Response:
    pref = pref if pref in _prefs() else (principal.home_prefecture or "07")
    form = {"c": DEFAULT_C, "local_output": False, "name": "シナリオ1", "demand": []}
    return _form_page(request, principal, state, db, pref=pref, form=form)


def _prefs() -> set[str]:
    return {f"{i:02d}" for i in range(1, 48)}


@router.post("/ripple", dependencies=[Csrf])
async def ripple_compute(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    data = await request.form()
    pref = str(data.get("pref") or "")
    if pref not in _prefs():
        pref = principal.home_prefecture or "07"
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
    form = {"c": c_raw, "local_output": data.get("local_output") == "true", "name": name, "demand": demand}
    if not demand and not errors:
        errors.append("最終需要を1行以上入力してください（部門と金額）。")
    result = None
    if not errors:
        try:
            body = RippleIn(
                prefecture_code=pref, demand=[DemandIn(**d) for d in demand], c=c,
                local_output=form["local_output"],
            )  # fmt: skip
            result = run_ripple(state, db, principal, body)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            errors.extend(_messages(exc))
        except StoreError as exc:
            errors.append(str(exc))
    if result is None:
        return _form_page(request, principal, state, db, pref=pref, form=form, errors=errors, status_code=422)
    plan_id = str(data.get("plan_id") or "")
    if plan_id.isdigit() and data.get("save") == "1":
        save_ripple_scenario(
            db, int(plan_id), actor=principal, name=name,
            inputs={"demand": pl.DataFrame(demand), "c": result.c, "local_output": result.local_output,
                    "table": result.table, "prefecture_code": pref},
            results=result.effects, unit=result.unit, note="; ".join(result.notes),
        )  # fmt: skip
        flash(request, f"シナリオ「{name}」を計画 {plan_id} に保存しました。")
        return redirect(f"/plans/{plan_id}#ripple")
    sectors, series = production_by_sector(result.effects)
    chart = stacked_bar_svg(
        sectors, series, title="部門別の生産誘発額（段階別）", unit=f"単位: {result.unit}"
    )
    wanted = str(data.get("download") or "")
    if wanted:
        key, _, fmt = wanted.partition(".")
        return download_response(
            key, fmt, tables={"summary": (f"波及効果_{name}", pl.DataFrame(summary_wide(result.summary))),
                              "effects": (f"波及効果_{name}_部門別", pl.DataFrame(result.effects))},
            charts={"chart": (f"波及効果_{name}", chart)},
        )  # fmt: skip
    return _form_page(
        request, principal, state, db, pref=pref, form=form, result=result, wide=summary_wide(result.summary),
        chart=chart,
    )  # fmt: skip


def _messages(exc: ValueError) -> list[str]:
    if isinstance(exc, ValidationError):
        return [
            f"入力値が正しくありません（{'.'.join(map(str, e['loc']))}: {e['msg']}）" for e in exc.errors()
        ]
    return [str(exc)]
