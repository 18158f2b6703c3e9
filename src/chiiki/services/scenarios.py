"""Scenario templates as forms, ripples with ranges and up to five scenarios side by side (SPEC §5,
§7.3–§7.4; issue #14 items 3–5), for the シナリオ比較 page and ``POST /api/v1/io/scenarios``.

A scenario is a *spec* — ``{"name": …, "template": "construction" | "tourism" | "plant" |
"equipment" | "exports", …}`` exactly as ``chiiki io scenarios --spec`` reads it
(:func:`chiiki.io.templates.scenarios_from_spec`) — built from a template's form fields by
:func:`spec_from_form`. :func:`compare` runs them through the chosen table with ranges
(:func:`chiiki.io.ranges.ripple_ranges`: 消費転換係数 low/high, import ratios ± x %, and for an
estimated table the other LQ methods), side by side (:func:`chiiki.io.ranges.compare_scenarios`),
with the jobs they induce and their 人材需要 by industry when the table has employment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl
from sqlalchemy.orm import Session

from chiiki.io import DEFAULT_C, IOTableError
from chiiki.io.jobs import PERSONS, induced_jobs, talent_demand
from chiiki.io.ranges import MAX_COMPARED, RangeSettings, compare_scenarios, ripple_ranges
from chiiki.io.regional.concordance import sector_codes
from chiiki.io.templates import TEMPLATES, item_labels, scenarios_from_spec
from chiiki.services.access import Principal
from chiiki.services.io_tables import LoadedTable, for_screen, load_table
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError

FORM_TEMPLATES = ("construction", "tourism", "plant", "equipment", "exports")
EXPORT_ROWS = 3
DEMAND_ROWS = 5
"""Rows of a demand scenario handed over from the 波及効果 page (template ``demand``)."""
ALL_METHODS = ("slq", "cilq", "flq", "aflq")


def template_label(key: str) -> str:
    return TEMPLATES[key][1]


def form_fields(template: str) -> dict:
    """What a template's form asks: item amounts (label per item) and plain numbers."""
    if template == "construction":
        return {"items": item_labels("construction"), "unit_note": "表の単位（百万円）"}
    if template == "equipment":
        return {"items": item_labels("equipment"), "unit_note": "表の単位（百万円、購入者価格）"}
    if template == "tourism":
        return {"items": item_labels("tourism"), "organiser": item_labels("event"), "unit_note": "円/人"}
    if template in ("plant", "exports", "demand"):
        return {}
    raise InvalidInputError(
        f"テンプレート「{template}」はありません。建設投資・観光・新工場・設備投資・移輸出から選んでください。"
    )


def _number(form: dict, key: str, label: str, *, required: bool = False, low: float = 0.0,
            high: float = 1e12) -> float | None:  # fmt: skip
    raw = str(form.get(key) or "").replace(",", "").strip()
    if not raw:
        if required:
            raise InvalidInputError(f"「{label}」を入力してください。")
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInputError(
            f"「{label}」の値「{raw}」は数値ではありません。半角数字で入力してください。"
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInputError(f"「{label}」の値 {raw} は {low:g} 以上 {high:g} 以下で入力してください。")
    return value


def _amounts(form: dict, prefix: str, labels: dict[str, str]) -> dict[str, float]:
    out = {}
    for item, label in labels.items():
        value = _number(form, f"{prefix}{item}", label)
        if value:
            out[item] = value
    return out


def spec_from_form(template: str, form: dict) -> dict:
    """A scenario spec from a template form's fields (Japanese :class:`InvalidInputError` on bad input)."""
    fields = form_fields(template)
    name = str(form.get("name") or "").strip()[:100] or template_label(template)
    spec: dict = {"name": name, "template": template}
    if template in ("construction", "equipment"):
        spec["amounts"] = _amounts(form, "amount_", fields["items"])
        if not spec["amounts"]:
            raise InvalidInputError("金額を1つ以上入力してください。")
    elif template == "tourism":
        spec["visitors"] = _number(form, "visitors", "来訪者数（人）", required=True)
        share = _number(form, "outside_share", "域外からの来訪者の割合（%）", low=0, high=100)
        spec["outside_share"] = 1.0 if share is None else share / 100.0
        spec["per_head"] = _amounts(form, "per_head_", fields["items"])
        spec["organiser"] = _amounts(form, "organiser_", fields["organiser"])
        if not spec["per_head"] and not spec["organiser"]:
            raise InvalidInputError("1人当たりの消費額か、イベントの運営費を1つ以上入力してください。")
    elif template == "plant":
        sector = str(form.get("sector") or "").strip()
        if not sector:
            raise InvalidInputError("新工場の部門を選んでください。")
        spec["sector"] = sector
        spec["output"] = _number(form, "output", "年間の生産額", required=True)
        for key, label in (("employment", "従業者数（人）"), ("payroll", "給与総額")):
            value = _number(form, key, label)
            if value is not None:
                spec[key] = value
    elif template in ("exports", "demand"):
        amounts: dict[str, float] = {}
        low = 0.0 if template == "exports" else -1e12
        for i in range(EXPORT_ROWS if template == "exports" else DEMAND_ROWS):
            sector = str(form.get(f"sector_{i}") or "").strip()
            value = _number(form, f"value_{i}", f"{i + 1}行目の金額", low=low)
            if sector and value:
                amounts[sector] = amounts.get(sector, 0.0) + value
        if not amounts:
            raise InvalidInputError("部門と金額を1行以上入力してください。")
        spec["amounts"] = amounts
        if template == "demand":
            spec["local_output"] = form.get("local_output") == "true"
    return spec


def describe(spec: dict) -> str:
    """One line about a spec for the list of scenarios."""
    label = template_label(spec["template"])
    if spec["template"] == "tourism":
        return f"{label}: 来訪者 {spec.get('visitors', 0):,.0f} 人（域外 {spec.get('outside_share', 1):.0%}）"
    if spec["template"] == "plant":
        return f"{label}: 部門 {spec['sector']}、生産額 {spec['output']:,.1f}"
    total = sum(spec.get("amounts", {}).values())
    return f"{label}: 合計 {total:,.1f}"


@dataclass(frozen=True)
class Comparison:
    """Side-by-side results (``compared``: 段階, 指標, 単位 and per scenario central and range),
    the long range frame, 人材需要 (or None without employment), notes and the table used."""

    loaded: LoadedTable
    names: list[str]
    compared: pl.DataFrame
    ranges: pl.DataFrame
    talent: pl.DataFrame | None
    cases: int
    notes: list[str]


def sector_options(loaded: LoadedTable) -> list[tuple[str, str]]:
    """(code, label) of the table's sectors, for the plant and exports forms."""
    return list(zip(sector_codes(loaded.table), loaded.table.sectors, strict=True))


def compare(
    state: AppState, db: Session, principal: Principal, specs: list[dict], *, table_id: str | None,
    imports_zero: bool = False, c: float = DEFAULT_C, c_low: float | None = None, c_high: float | None = None,
    import_change: float = 0.0, vary_methods: bool = False,
) -> Comparison:  # fmt: skip
    """Run ``specs`` (at most five) with ranges through the table ``table_id``."""
    if not specs:
        raise InvalidInputError("シナリオを1つ以上追加してください。")
    if len(specs) > MAX_COMPARED:
        raise InvalidInputError(f"並べて比べられるシナリオは {MAX_COMPARED} つまでです。")
    loaded = load_table(state, db, principal, table_id, imports_zero=imports_zero)
    variants = {}
    notes = list(loaded.notes)
    if vary_methods:
        if loaded.kind != "regional":
            raise InvalidInputError(
                "推計方法の違いを範囲に含められるのは推計した地域表を選んだときだけです。"
            )
        head, _, rest = loaded.id.partition(":")[2].partition(":")
        _method, _, tail = rest.partition(":")
        for m in ALL_METHODS:
            other = f"regional:{head}:{m}:{tail}"
            if other != loaded.id:
                variant = load_table(state, db, principal, other, imports_zero=imports_zero)
                variants[m.upper()] = variant.table
    try:
        scenarios = scenarios_from_spec(specs, source="シナリオ")
        settings = RangeSettings(c=c, c_low=c_low, c_high=c_high, import_change=import_change)
        result = ripple_ranges(loaded.table, scenarios, settings=settings, variants=variants)
        names = [s.name for s in scenarios]
        compared = compare_scenarios(result, names)
        talent = None
        if loaded.table.e is not None:
            jobs = induced_jobs(
                loaded.table, scenarios, c=c, majors=loaded.majors, major_codes=loaded.major_codes
            )
            talent = talent_demand(jobs, by="major" if jobs.by_major.height else "sector")
        for s in scenarios:
            notes.extend(f"{s.name}: {n}" for n in s.build(loaded.table).notes)
    except IOTableError as exc:
        raise InvalidInputError(for_screen(str(exc))) from exc
    if loaded.table.e is None:
        notes.append(
            "この表には従業者数の行がないため、就業誘発数・人材需要は計算していません（推計した地域表にはあります）。"
        )
    return Comparison(loaded, names, compared, result.frame, talent, len(result.cases), notes)


def talent_rows(talent: pl.DataFrame | None) -> list[dict]:
    """人材需要 per industry (総合効果, 計 over the scenarios), largest first."""
    if talent is None or talent.is_empty():
        return []
    column = "産業大分類" if "産業大分類" in talent.columns else "部門"
    return (
        talent.filter((pl.col("事業") == "計") & (pl.col("段階") == "総合効果"))
        .sort(PERSONS, descending=True)
        .select(pl.col(column).alias("label"), pl.col(PERSONS).alias("persons"))
        .to_dicts()
    )
