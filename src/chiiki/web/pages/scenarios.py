"""シナリオ比較: scenario templates as forms (建設投資, 観光・イベント, 新工場, 設備投資, 移輸出),
up to five scenarios side by side with ranges (消費転換係数 low/high, import ratios ± x %, the LQ
method of an estimated table), their 人材需要, and saving them with a plan (SPEC §5, §7.3–§7.4;
issue #14 items 3–5). The scenarios being compared live in the user's session until saved; a saved
scenario is a plan's ripple scenario (audited, :func:`chiiki.store.parts.save_ripple_scenario`) with
its inputs and ranges."""

from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response

from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.io import DEFAULT_C
from chiiki.io.ranges import MAX_COMPARED
from chiiki.services.io_tables import NATIONAL_TABLE_ID, load_table, table_choices
from chiiki.services.scenarios import (
    EXPORT_ROWS,
    FORM_TEMPLATES,
    compare,
    describe,
    form_fields,
    sector_options,
    spec_from_form,
    talent_rows,
    template_label,
)
from chiiki.store.errors import StoreError
from chiiki.store.parts import save_ripple_scenario
from chiiki.web.pages.common import flash, redirect, render
from chiiki.web.pages.ripple import regional_choices, saveable_plans

router = APIRouter(include_in_schema=False)

SESSION_KEY = "scenarios"


def _specs(request: Request) -> list[dict]:
    return list(request.session.get(SESSION_KEY) or [])


def _float(
    raw: str | None, default: float | None, label: str, errors: list[str], *, high: float = 1.0
) -> float | None:
    text = (raw or "").strip()
    if not text:
        return default
    try:
        value = float(text)
        if not 0 <= value <= high:
            raise ValueError
    except ValueError:
        errors.append(f"{label}「{text}」は 0〜{high:g} の数値で入力してください。")
        return default
    return value


def settings_of(params) -> tuple[dict, list[str]]:  # noqa: ANN001 - query or form mapping
    """The comparison's settings from the query (or form) and any errors, in Japanese."""
    errors: list[str] = []
    s = {
        "table": str(params.get("table") or NATIONAL_TABLE_ID)[:300],
        "imports_zero": params.get("imports_zero") == "true",
        "c": _float(params.get("c"), DEFAULT_C, "消費転換係数 c", errors),
        "c_low": _float(params.get("c_low"), None, "消費転換係数の下限", errors),
        "c_high": _float(params.get("c_high"), None, "消費転換係数の上限", errors),
        "import_change": (
            _float(params.get("import_change"), 0.0, "輸入係数の変化幅（%）", errors, high=99) or 0.0
        )
        / 100,
        "vary_methods": params.get("vary_methods") == "true",
    }
    return s, errors


def _page(request: Request, principal, state, db, *, status_code: int = 200, errors=(), **extra):  # noqa: ANN001, ANN202
    settings, problems = settings_of(request.query_params if request.method == "GET" else {})
    settings.update(extra.pop("settings", {}))
    template = request.query_params.get("template") or extra.pop("template", None) or "construction"
    if template not in FORM_TEMPLATES:
        template = "construction"
    specs = _specs(request)
    errors = [*errors, *problems]
    comparison, loaded, sectors = None, None, []
    try:
        loaded = load_table(state, db, principal, settings["table"], imports_zero=settings["imports_zero"])
        sectors = sector_options(loaded)
        if specs and not problems:
            comparison = compare(state, db, principal, specs, table_id=settings["table"],
                                 imports_zero=settings["imports_zero"], c=settings["c"], c_low=settings["c_low"],
                                 c_high=settings["c_high"], import_change=settings["import_change"],
                                 vary_methods=settings["vary_methods"])  # fmt: skip
    except StoreError as exc:
        errors.append(str(exc))
        status_code = 422
    rows = []
    if comparison is not None:
        rows = comparison.compared.to_dicts()
    return render(
        request, "scenarios.html", principal, nav="ripple", status_code=status_code, errors=errors,
        settings=settings, chosen=template, templates=[(k, template_label(k)) for k in FORM_TEMPLATES],
        fields=form_fields(template), specs=[(i, s["name"], describe(s)) for i, s in enumerate(specs)],
        max_compared=MAX_COMPARED, comparison=comparison, rows=rows, loaded=loaded, sectors=sectors,
        export_rows=EXPORT_ROWS, talent=talent_rows(comparison.talent) if comparison else [],
        choices=table_choices(state, db, principal, regional=regional_choices(state, db, principal)),
        plans=saveable_plans(db, principal), query=request.url.query, **extra,
    )  # fmt: skip


@router.get("/scenarios")
def scenarios_page(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    return _page(request, principal, state, db)


@router.post("/scenarios/add", dependencies=[Csrf])
async def add_scenario(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    form = dict(await request.form())
    template = str(form.get("template") or "")
    query = str(form.get("query") or "")
    specs = _specs(request)
    try:
        if template not in (*FORM_TEMPLATES, "demand"):
            form_fields(template)  # raises the Japanese message
        if len(specs) >= MAX_COMPARED:
            raise_full()
        spec = spec_from_form(template, form)
        if any(s["name"] == spec["name"] for s in specs):
            spec["name"] = f"{spec['name']}（{len(specs) + 1}）"
    except StoreError as exc:
        return _page(request, principal, state, db, status_code=422, errors=[str(exc)], template=template)
    request.session[SESSION_KEY] = [*specs, spec]
    flash(request, f"シナリオ「{spec['name']}」を追加しました。")
    return redirect(f"/scenarios?{query}" if query else "/scenarios")


def raise_full() -> None:
    from chiiki.store.errors import InvalidInputError  # noqa: PLC0415

    raise InvalidInputError(
        f"比べられるシナリオは {MAX_COMPARED} つまでです。どれかを外してから追加してください。"
    )


@router.post("/scenarios/remove", dependencies=[Csrf])
async def remove_scenario(request: Request, principal: PageUser) -> Response:
    form = await request.form()
    index = str(form.get("index") or "")
    specs = _specs(request)
    if index == "all":
        specs = []
    elif index.isdigit() and int(index) < len(specs):
        specs.pop(int(index))
    request.session[SESSION_KEY] = specs
    query = str(form.get("query") or "")
    return redirect(f"/scenarios?{query}" if query else "/scenarios")


@router.post("/scenarios/save", dependencies=[Csrf])
async def save_scenarios(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    """Save every compared scenario with its ranges to a plan the user owns (audited)."""
    form = await request.form()
    settings, errors = settings_of(form)
    plan_id = str(form.get("plan_id") or "")
    specs = _specs(request)
    if not plan_id.isdigit():
        errors.append("保存先の計画を選んでください。")
    if errors:
        return _page(request, principal, state, db, status_code=422, errors=errors)
    try:
        comparison = compare(state, db, principal, specs, table_id=settings["table"],
                             imports_zero=settings["imports_zero"], c=settings["c"], c_low=settings["c_low"],
                             c_high=settings["c_high"], import_change=settings["import_change"],
                             vary_methods=settings["vary_methods"])  # fmt: skip
        for spec in specs:
            part = comparison.ranges.filter(pl.col("scenario") == spec["name"])
            results = part.select(
                "scenario", "stage", "measure", pl.col("central").alias("value"), "low", "high", "unit"
            )
            save_ripple_scenario(
                db, int(plan_id), actor=principal, name=spec["name"],
                inputs={"spec": spec, "table_id": comparison.loaded.id, "table": comparison.loaded.label,
                        "credit": comparison.loaded.credit, "ranges": {k: settings[k] for k in
                        ("c", "c_low", "c_high", "import_change", "vary_methods", "imports_zero")},
                        "cases": comparison.cases},
                results=results, unit=comparison.loaded.table.unit,
                note=f"範囲付き（{comparison.cases}通りの組み合わせの下限・中央・上限）。表: {comparison.loaded.label}",
            )  # fmt: skip
    except StoreError as exc:
        db.rollback()
        return _page(request, principal, state, db, status_code=exc_status(exc), errors=[str(exc)])
    flash(request, f"{len(specs)}件のシナリオを計画 {plan_id} に保存しました（範囲付き）。")
    return redirect(f"/plans/{plan_id}#ripple")


def exc_status(exc: StoreError) -> int:
    from chiiki.store.errors import PermissionDeniedError  # noqa: PLC0415

    return 403 if isinstance(exc, PermissionDeniedError) else 422
