"""Jinja2 filters for numbers and codes as Japanese readers expect them."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from jinja2 import Environment

from chiiki.plans.labels import PLAN_TYPE_LABELS, STATE_LABELS
from chiiki.plans.times import format_jst
from chiiki.reference import fields, jsic, municipalities, prefecture_names
from chiiki.services.access import ROLE_LABELS
from chiiki.services.io_tables import for_screen
from chiiki.web.help_texts import HELP

PLAN_STATE_LABELS = STATE_LABELS
"""The plan domain's own state names (:mod:`chiiki.plans.labels`, as are ``PLAN_TYPE_LABELS``), so
every page and the Excel export name a state alike."""
PLAN_STATE_COLOURS = {
    "draft": "#d9d9d9",
    "submitted": "#9ecae1",
    "under_review": "#fdd49e",
    "approved": "#74c476",
    "returned": "#fc9272",
    "monitoring": "#31a354",
    "closed": "#969696",
}


def num(v: object, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return f"{v:,.{digits}f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)


def pct(v: object, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return f"{float(v) * 100:.{digits}f}%"


def amount(v: object, unit: str = "千円") -> str:
    """An amount in ``unit`` (千円 or 百万円) written in 千円 / 百万円 / 億円 / 兆円 as fits: at least
    one digit before the point in the largest unit it reaches (12.3億円, 4,560百万円 → 45.6億円)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    yen = float(v) * {"千円": 1e3, "百万円": 1e6, "億円": 1e8}.get(unit, 1.0)
    for name, size in (("兆円", 1e12), ("億円", 1e8), ("百万円", 1e6)):
        if abs(yen) >= size:
            x = yen / size
            return f"{x:,.1f}{name}" if abs(x) < 100 else f"{x:,.0f}{name}"
    return f"{yen / 1e3:,.0f}千円"


def municipality_names() -> dict[str, str]:
    m = municipalities()
    return dict(zip(m["municipality_code"], m["name"], strict=True))


def jsic_names() -> dict[str, str]:
    j = jsic("middle")
    return dict(zip(j["code"], j["name"], strict=True))


def field_names() -> dict[int, str]:
    f = fields()
    return dict(zip(f["field_id"], f["name"], strict=True))


def register(env: Environment) -> None:
    prefs, industries = prefecture_names(), jsic_names()
    env.filters["num"] = num
    env.filters["pct"] = pct
    env.filters["amount"] = amount
    munis = municipality_names()
    env.filters["muni"] = lambda code: munis.get((code or "")[:5], code or "—") if code else "—"
    env.filters["jst"] = format_jst  # times in JST with the zone named (issue #12 §6)
    env.filters["pref"] = lambda code: prefs.get(code or "", code or "—")
    env.filters["jsic"] = lambda code: f"{code} {industries.get(code or '', '')}".strip() if code else "—"
    env.filters["role"] = lambda r: ROLE_LABELS.get(r, r)
    env.filters["plan_type"] = lambda t: PLAN_TYPE_LABELS.get(t, t)
    env.filters["plan_state"] = lambda s: PLAN_STATE_LABELS.get(s, s)
    env.filters["screen"] = for_screen
    env.globals["qs"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")})
    env.globals["prefecture_names"] = prefs
    env.globals["jsic_names"] = industries
    env.globals["field_names"] = field_names()
    env.globals["plan_state_colours"] = PLAN_STATE_COLOURS
    env.globals["help_texts"] = HELP
