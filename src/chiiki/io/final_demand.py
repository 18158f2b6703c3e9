"""Kinds of final-demand columns, read from their names (SPEC §5, §7.1–7.2).

Tables name their columns freely (72_民間消費支出, hhco_家計消費支出, 42_県内総固定資本形成 …); the
regionalisation (which driver scales a column) and the 地域経済循環 (消費・投資・政府支出) need to
know what each column is. The first matching rule wins:

| kind | name contains |
|---|---|
| ``business`` 家計外消費支出 | 家計外 |
| ``government`` 政府支出 | 一般政府, 公的 |
| ``investment`` 投資 | 固定資本形成, 在庫 |
| ``household`` 民間消費 | 消費支出 |
| ``other`` その他 (調整項 …) | anything else |
"""

from __future__ import annotations

KINDS = ("business", "household", "government", "investment", "other")
KIND_LABELS = {
    "business": "家計外消費支出",
    "household": "民間消費支出",
    "government": "一般政府支出",
    "investment": "民間投資",
    "other": "その他の最終需要",
}
_RULES = (
    ("business", ("家計外",)),
    ("government", ("一般政府", "公的")),
    ("investment", ("固定資本形成", "在庫")),
    ("household", ("消費支出",)),
)


def final_demand_kind(name: str) -> str:
    """The kind of a final-demand column from its name (rules in the module docstring)."""
    for kind, parts in _RULES:
        if any(part in name for part in parts):
            return kind
    return "other"
