"""What a reader may see of a plan's firm-level figures (SPEC §0, §0.1; issue #10 §1).

A priority firm's figures (sales, employees, degrees, score …) come from a licensed data set: only
users entitled to that data set see them (:func:`chiiki.services.access.may_see_firm_figures`).
Everyone else who may see the plan sees the firm's name, its rank, that it was selected and why.

Aggregates over the plan's firms (the totals of the firm list, KPI baselines computed from the firm
data, their targets and actuals) are shown to a reader who cannot see every firm only when the firms
hidden from them number at least ``min_cell`` (default 3): the reader could otherwise subtract the
firms they do see from the total and learn the hidden ones (complementary suppression, §0.1). With no
firm hidden, nothing is suppressed.

:func:`scope_plan_document` applies this to the plan document of :mod:`chiiki.store.documents`,
which every page, export and report of a plan renders, so one rule covers them all.
"""

from __future__ import annotations

import copy
from typing import Any

from chiiki.services.access import NATIONAL_DATASET, Principal, may_see_firm_figures

HIDDEN_FIGURES = ("company_id", "score")
"""Keys of a priority-firm entry emptied for a reader not entitled to its data set."""
FIRM_TOTALS = {"sales": "売上高（千円）", "employees": "従業者数（人）"}


def _dataset_name(entry: dict[str, Any]) -> str:
    """The licence a figure comes from; firms picked before data sets were recorded came from the
    national one (the only data set there was)."""
    return (entry.get("dataset") or {}).get("name") or NATIONAL_DATASET


def _firms_summary(firms: list[dict[str, Any]], hidden: int, min_cell: int) -> dict[str, Any]:
    shown = hidden == 0 or hidden >= min_cell
    totals: dict[str, Any] = {}
    for key, label in FIRM_TOTALS.items():
        values = [f["snapshot"].get(key) for f in firms if f["snapshot"].get(key) is not None]
        totals[key] = {"label": label, "value": sum(values) if shown and values else None}
    return {"count": len(firms), "hidden": hidden, "suppressed": not shown, "totals": totals}


def _suppress_kpi(kpi: dict[str, Any]) -> dict[str, Any]:
    out = dict(kpi, baseline=None, suppressed=True)
    out["targets"] = [dict(t, value=None) for t in kpi["targets"]]
    out["actuals"] = [dict(a, value=None) for a in kpi["actuals"]]
    out["status"] = [dict(r, target=None, actual=None, explanation=None) for r in kpi["status"]]
    return out


def scope_plan_document(doc: dict[str, Any], reader: Principal, *, min_cell: int = 3) -> dict[str, Any]:
    """``doc`` as ``reader`` may see it (see the module docstring); never changes ``doc`` itself.

    Adds ``priority_firms_summary`` and, when something was hidden, ``scope_note`` (Japanese)."""
    out = copy.deepcopy(doc)
    firms = out["priority_firms"]
    hidden_by_dataset: dict[str, int] = {}
    for firm in firms:
        visible = may_see_firm_figures(reader, _dataset_name(firm), firm.get("prefecture_code"))
        firm["figures_hidden"] = not visible
        if not visible:
            hidden_by_dataset[_dataset_name(firm)] = hidden_by_dataset.get(_dataset_name(firm), 0) + 1
            firm.update(dict.fromkeys(HIDDEN_FIGURES), snapshot={})
    hidden = sum(hidden_by_dataset.values())
    out["priority_firms_summary"] = _firms_summary(doc["priority_firms"], hidden, min_cell)
    suppressed_kpis = []
    for i, kpi in enumerate(out["kpis"]):
        from_firms = kpi.get("dataset_id") is not None
        n_hidden = hidden_by_dataset.get(_dataset_name(kpi), 0) if from_firms else 0
        if n_hidden and n_hidden < min_cell:
            out["kpis"][i] = _suppress_kpi(kpi)
            suppressed_kpis.append(kpi["label"])
        else:
            out["kpis"][i] = dict(kpi, suppressed=False)
    notes = []
    if hidden:
        notes.append(
            f"重点支援企業 {hidden} 社の企業別の数値（売上高・従業者数・コネクター度・ハブ度・スコア）は、"
            "その企業データの利用が許諾された方にだけ表示されます（企業名・選定理由は表示しています）。"
        )
    if out["priority_firms_summary"]["suppressed"] or suppressed_kpis:
        notes.append(
            f"表示できない企業が{min_cell}社未満のため、その企業の数値が推測できないよう"
            + (f"KPI（{'・'.join(suppressed_kpis)}）の値と" if suppressed_kpis else "")
            + "企業の合計を秘匿しています。"
        )
    if notes:
        out["scope_note"] = "".join(notes)
    return out
