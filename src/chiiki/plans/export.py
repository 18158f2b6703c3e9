"""Writing a plan document (:func:`chiiki.store.documents.plan_document`) to Excel, laid out as a
submission attachment, and to JSON; reading the JSON back (issue #6 §7).

Workbook sheets, in order: 概要 (overview), 要件 (requirements checklist), KPI (baseline, yearly
targets, then actuals with status), 重点支援企業 (priority firms with their indicators at
selection), 候補プロジェクト (A plans), 経済波及効果 (ripple scenarios: totals by stage and measure),
支援策 (matching support measures and why). A demo plan says デモデータ at the top of every sheet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from chiiki.data.writers import safe_cell
from chiiki.plans.labels import DEMO_LABEL
from chiiki.plans.times import format_jst
from chiiki.reference import prefecture_names

SHEETS = ("概要", "要件", "KPI", "重点支援企業", "候補プロジェクト", "経済波及効果", "支援策")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
MONEY = "#,##0"
DECIMAL = "#,##0.0"


def _title(ws: Worksheet, doc: dict[str, Any], text: str) -> int:
    """Title in A1, demo label in A2; returns the first free row (4)."""
    ws["A1"] = f"{doc['plan']['title']} — {text}"
    ws["A1"].font = Font(bold=True, size=14)
    if doc["plan"]["is_demo"]:
        ws["A2"] = f"※{DEMO_LABEL}（合成データによる例示であり、実在の計画・企業ではありません）"
        ws["A2"].font = Font(bold=True, color="C00000")
    return 4


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w


def _overview(ws: Worksheet, doc: dict[str, Any]) -> None:
    p = doc["plan"]
    row = _title(ws, doc, "計画の概要")
    items = [
        ("計画ID", p["id"]),
        ("計画類型", p["type_label"]),
        ("計画名", p["title"]),
        ("策定主体", f"{p['owner']}（{p['owner_level_label']}）"),
        ("計画期間", f"{p['period_start']}〜{p['period_end']}年度"),
        (
            "重点分野（17の戦略分野）",
            "、".join(f"{i} {n}" for i, n in zip(p["focus_fields"], p["focus_field_names"], strict=True)),
        ),
        ("地域資源", "、".join(p["local_resources"])),
        ("状態", p["state_label"]),
        ("計画の概要", p["description"]),
        ("作成者", p["created_by"]),
    ]
    _header(ws, row, ["項目", "内容"])
    for i, (label, value) in enumerate(items, start=row + 1):
        ws.cell(row=i, column=1, value=label).font = BOLD
        ws.cell(row=i, column=2, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [26, 90])


def _requirements(ws: Worksheet, doc: dict[str, Any]) -> None:
    row = _title(ws, doc, "計画要件チェックリスト")
    _header(ws, row, ["番号", "要件", "判定方法", "状態", "根拠", "自動判定の説明", "審査コメント"])
    for i, r in enumerate(doc["requirements"], start=1):
        values = [
            i,
            r["label"],
            "自動" if r["is_auto"] else "審査",
            r["status_label"],
            r["evidence"],
            r["auto_explanation"],
            r["reviewer_comment"],
        ]
        for col, v in enumerate(values, start=1):
            ws.cell(row=row + i, column=col, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [6, 50, 10, 10, 40, 60, 30])


def _kpis(ws: Worksheet, doc: dict[str, Any]) -> None:
    p = doc["plan"]
    row = _title(ws, doc, "KPI（目標値）")
    years = list(range(p["period_start"], p["period_end"] + 1))
    _header(
        ws,
        row,
        [
            "KPI",
            "単位",
            "基準年度",
            "基準値",
            *[f"{y}年度 目標" for y in years],
            "目標の設定方法",
            "基準値の算出方法",
        ],
    )
    for i, k in enumerate(doc["kpis"], start=row + 1):
        targets = {t["fiscal_year"]: t["value"] for t in k["targets"]}
        fmt = MONEY
        values = [
            k["label"],
            k["unit"],
            k["baseline_year"],
            rounded(k["baseline"], k["unit"]),
            *[rounded(targets.get(y), k["unit"]) for y in years],
            k["target_rule"],
            k["baseline_source"],
        ]
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col, value=v)
            if isinstance(v, int | float) and col > 3:
                cell.number_format = fmt
    row = row + len(doc["kpis"]) + 2
    ws.cell(row=row, column=1, value="実績と達成状況").font = Font(bold=True, size=12)
    _header(ws, row + 1, ["KPI", "年度", "目標", "実績", "状況", "説明"])
    r = row + 2
    for k in doc["kpis"]:
        fmt = MONEY
        for s in k["status"]:
            values = [
                k["label"],
                s["fiscal_year"],
                rounded(s["target"], k["unit"]),
                rounded(s["actual"], k["unit"]),
                s["status_label"],
                s["explanation"],
            ]
            for col, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=col, value=v)
                if col in (3, 4) and v is not None:
                    cell.number_format = fmt
            r += 1
    _widths(ws, [16, 8, 10, 16] + [16] * len(years) + [36, 60])


SNAPSHOT_LABELS = {
    "score": ("総合スコア", 1), "connector_degree": ("コネクター度", "pct"), "hub_degree": ("ハブ度", "pct"),
    "connector_percentile": ("コネクター度の順位（パーセンタイル）", 1), "hub_percentile": ("ハブ度の順位（パーセンタイル）", 1),
    "sales": ("売上高（千円）", 0), "employees": ("従業者数（人）", 0), "payroll": ("給与総額（千円）", 0),
    "operating_profit": ("営業利益（千円）", 0), "out_sales": ("域外販売額（千円）", 0),
    "in_purchases": ("域内仕入額（千円）", 0), "in_sales": ("域内販売額（千円）", 0),
    "out_purchases": ("域外仕入額（千円）", 0), "municipality_code": ("所在市区町村コード", None),
    "prefecture_code": ("都道府県コード", None), "jsic_code": ("産業（JSIC中分類）", None),
    "fiscal_year": ("年度", None),
}  # fmt: skip
"""Japanese headers of a priority firm's indicators at selection, and how each is rounded (digits,
``pct`` for a share shown as a percentage, None for a code)."""


def rounded(value: Any, unit: str | int | None) -> Any:
    """A figure as the export shows it: 千円 and 人 whole, one decimal for scores and percentiles,
    shares to 4 decimals (shown as %)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    if unit == "pct":
        return round(float(value), 6)
    if unit in ("千円", "人", "件", 0):
        return int(round(value))
    if isinstance(unit, int):
        return round(float(value), unit)
    return value


def _firms(ws: Worksheet, doc: dict[str, Any]) -> None:
    row = _title(ws, doc, "重点支援企業（選定時の指標）")
    keys: list[str] = []
    for f in doc["priority_firms"]:
        keys += [
            k
            for k in f["snapshot"]
            if k not in keys and k not in ("name", "company_id", "reasons", "selected")
        ]
    keys = [k for k in keys if k in SNAPSHOT_LABELS]
    header = [SNAPSHOT_LABELS[k][0] for k in keys]
    _header(
        ws,
        row,
        ["順位", "企業ID", "企業名", "総合スコア", "選定理由", *header, "選定日時", "選定に使ったスコア表"],
    )
    for i, f in enumerate(doc["priority_firms"], start=row + 1):
        snap = [rounded(f["snapshot"].get(k), SNAPSHOT_LABELS[k][1]) for k in keys]
        values = [
            f["rank"], f["company_id"], f["name"], rounded(f["score"], 1), "、".join(f["reasons"]), *snap,
            format_jst(f["selected_at"]), f["score_run"],
        ]  # fmt: skip
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col, value=v)
            kind = SNAPSHOT_LABELS[keys[col - 6]][1] if 6 <= col < 6 + len(keys) else None
            if kind == "pct" and isinstance(v, float):
                cell.number_format = "0.00%"
            elif isinstance(v, int) and col > 1:
                cell.number_format = MONEY
            elif isinstance(v, float):
                cell.number_format = DECIMAL
    _widths(ws, [6, 14, 30, 10, 50])


def _projects(ws: Worksheet, doc: dict[str, Any]) -> None:
    row = _title(ws, doc, "候補プロジェクト（都道府県からの提案）")
    _header(
        ws,
        row,
        [
            "都道府県",
            "プロジェクト名",
            "戦略分野",
            "投資見込額（千円）",
            "事前調整中の省庁（開始日）",
            "賃上げ計画",
            "賃上げ率（年）",
            "提出者",
        ],
    )
    for i, c in enumerate(doc["candidate_projects"], start=row + 1):
        ministries = "、".join(f"{m['name']}（{m['since']}〜）" for m in c["ministries"])
        field = f"{c['field_id']} {c['field_name']}" if c["field_id"] is not None else ""
        values = [
            prefecture_names().get(c["prefecture_code"], c["prefecture_code"]),
            c["title"],
            field,
            c["investment_amount"],
            ministries,
            c["wage_plan"],
            c["wage_growth_rate"],
            c["submitted_by"],
        ]
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col, value=v)
            if col == 4:
                cell.number_format = MONEY
            if col == 7 and v is not None:
                cell.number_format = "0.00%"
    _widths(ws, [10, 40, 24, 18, 40, 40, 12, 14])


def ripple_summary(results: list[dict[str, Any]]) -> pl.DataFrame:
    """Totals over sectors of a stored ripple result: ``scenario, measure`` rows, one column per stage."""
    if not results:
        return pl.DataFrame()
    frame = pl.DataFrame(results)
    stages = list(dict.fromkeys(frame["stage"].to_list()))
    measures = list(dict.fromkeys(frame["measure"].to_list()))
    summary = frame.group_by("scenario", "measure", "stage", maintain_order=True).agg(pl.col("value").sum())
    wide = summary.pivot(on="stage", index=["scenario", "measure"], values="value")
    order = pl.DataFrame({"measure": measures, "_o": list(range(len(measures)))})
    return (
        wide.join(order, on="measure")
        .sort("scenario", "_o")
        .drop("_o")
        .select("scenario", "measure", *stages)
    )


def ripple_inputs(inputs: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, float]]]:
    """A stored scenario's inputs in words (SPEC §5): the assumptions (table, region, 消費転換係数,
    how the demand is met) and the final-demand increase per sector."""
    prefs = prefecture_names()
    assumptions: list[tuple[str, Any]] = []
    if inputs.get("table"):
        assumptions.append(("産業連関表", inputs["table"]))
    if inputs.get("prefecture_code"):
        assumptions.append(("地域", prefs.get(inputs["prefecture_code"], inputs["prefecture_code"])))
    if inputs.get("c") is not None:
        assumptions.append(("消費転換係数", inputs["c"]))
    if "local_output" in inputs:
        assumptions.append((
            "需要の扱い",
            "すべて域内の生産とみなす（直接効果 = 需要額）" if inputs["local_output"] else "域内の需要（一部は移輸入で賄われる）",
        ))  # fmt: skip
    demand = [
        (str(d.get("sector")), float(d.get("value") or 0.0))
        for d in inputs.get("demand") or []
        if isinstance(d, dict) and d.get("value")
    ]
    return assumptions, demand


def _ripple(ws: Worksheet, doc: dict[str, Any]) -> None:
    row = _title(ws, doc, "経済波及効果")
    for s in doc["ripple_scenarios"]:
        ws.cell(
            row=row, column=1, value=f"シナリオ: {s['name']}（単位: {s['unit']}、就業誘発数は人）"
        ).font = Font(bold=True, size=12)
        if s["note"]:
            ws.cell(row=row + 1, column=1, value=s["note"])
        row += 2
        assumptions, demand = ripple_inputs(s.get("inputs") or {})
        if assumptions or demand:
            ws.cell(row=row, column=1, value="入力（前提）").font = BOLD
            for label, value in assumptions:
                row += 1
                ws.cell(row=row, column=1, value=label)
                ws.cell(row=row, column=2, value=value)
            if demand:
                row += 1
                _header(ws, row, ["部門", f"最終需要の増加（{s['unit']}）"])
                for sector, value in demand:
                    row += 1
                    ws.cell(row=row, column=1, value=sector)
                    ws.cell(row=row, column=2, value=round(value, 1)).number_format = DECIMAL
            row += 2
        summary = ripple_summary(s["results"])
        if summary.is_empty():
            ws.cell(row=row, column=1, value="（結果なし）")
            row += 2
            continue
        _header(ws, row, ["シナリオ", "指標", *summary.columns[2:]])
        for values in summary.iter_rows():
            row += 1
            for col, v in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col, value=round(v, 1) if isinstance(v, float) else v)
                if isinstance(v, float):
                    cell.number_format = DECIMAL
        row += 2
    if not doc["ripple_scenarios"]:
        ws.cell(row=row, column=1, value="（波及効果のシナリオは登録されていません）")
    _widths(ws, [24, 20, 16, 16, 16, 16])


def _measures(ws: Worksheet, doc: dict[str, Any]) -> None:
    row = _title(ws, doc, "活用する支援策")
    _header(ws, row, ["区分", "支援策", "適用理由"])
    for i, m in enumerate(doc["support_measures"], start=row + 1):
        for col, v in enumerate((m["category"], m["name"], m["reason"]), start=1):
            ws.cell(row=i, column=col, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [24, 50, 60])


def _a_records(ws: Worksheet, doc: dict[str, Any]) -> None:
    """A plans (issue #12 §4): the bureau's screening of each candidate project, then the 有識者検討会."""
    records = doc.get("records") or {}
    row = _title(ws, doc, "候補プロジェクトの審査と有識者検討会")
    _header(
        ws, row, ["プロジェクト", "審査日時", "審査担当", "合計点", "満点", "点数の目安", "判断", "コメント"]
    )
    for c in records.get("candidates", []):
        for sc in c.get("screenings", []) or [{}]:
            row += 1
            values = [
                c["title"], format_jst(sc.get("at")) if sc else "未審査", sc.get("reviewer"), sc.get("total"),
                sc.get("max_total"), sc.get("recommendation_label"), sc.get("decision_label"), sc.get("comment"),
            ]  # fmt: skip
            for col, v in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    ws.cell(row=row, column=1, value="有識者検討会").font = Font(bold=True, size=12)
    _header(ws, row + 1, ["開催日", "会議", "委員", "主な意見", "決定事項"])
    for i, m in enumerate(records.get("meetings", []), start=row + 2):
        values = [m["held_on"], m["title"], "、".join(m["members"]), m["opinions"], m["decisions"]]
        for col, v in enumerate(values, start=1):
            ws.cell(row=i, column=col, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [36, 22, 14, 10, 8, 12, 14, 50])


def _c_records(ws: Worksheet, doc: dict[str, Any]) -> None:
    """C plans (issue #12 §4): the 相談窓口, the yearly counts and the consultation log."""
    records = doc.get("records") or {}
    row = _title(ws, doc, "相談窓口と相談の記録")
    _header(ws, row, ["窓口", "担当部署", "連絡先", "開設日"])
    for d in records.get("desks", []):
        row += 1
        for col, v in enumerate((d["name"], d["department"], d["contact"], d["opened_on"]), start=1):
            ws.cell(row=row, column=col, value=v)
    row += 2
    _header(ws, row, ["年度", "相談件数（件）"])
    for c in records.get("counts", []):
        row += 1
        ws.cell(row=row, column=1, value=c["fiscal_year"])
        ws.cell(row=row, column=2, value=c["count"]).number_format = MONEY
    row += 2
    _header(ws, row, ["相談日", "年度", "窓口", "相談者", "内容", "対応・結果"])
    for c in records.get("consultations", []):
        row += 1
        values = (c["held_on"], c["fiscal_year"], c["desk"], c["client"], c["topic"], c["outcome"])
        for col, v in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=v)
    _widths(ws, [30, 20, 24, 20, 40, 40])


RECORD_SHEETS = {"A": ("候補プロジェクトの審査", _a_records), "C": ("相談窓口", _c_records)}
"""Sheets added after 支援策 when the document carries the plan's records."""


def write_plan_xlsx(doc: dict[str, Any], path: Path) -> Path:
    """Write the plan as a workbook with the sheets of :data:`SHEETS` (候補プロジェクト only for A),
    and, when ``doc["records"]`` is there, the A or C records sheet (:data:`RECORD_SHEETS`)."""
    wb = Workbook()
    wb.remove(wb.active)
    writers = {
        "概要": _overview,
        "要件": _requirements,
        "KPI": _kpis,
        "重点支援企業": _firms,
        "候補プロジェクト": _projects,
        "経済波及効果": _ripple,
        "支援策": _measures,
    }
    for name in SHEETS:
        if name == "候補プロジェクト" and doc["plan"]["plan_type"] != "A":
            continue
        writers[name](wb.create_sheet(name), doc)
    extra = RECORD_SHEETS.get(doc["plan"]["plan_type"])
    if extra is not None and doc.get("records"):
        extra[1](wb.create_sheet(extra[0]), doc)
    _neutralise(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _neutralise(wb: Workbook) -> None:
    """No cell evaluates (issue #10 §7): the export writes no formula, so a cell openpyxl took for
    one is text a user typed (a plan title, a firm name) and is written as neutralised text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or isinstance(cell.value, str):
                    value = safe_cell(str(cell.value))
                    cell.value = value
                    cell.data_type = "s"


def write_plan_json(doc: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    return path


def read_plan_json(path: Path) -> dict[str, Any]:
    """A plan document from a JSON file (Japanese error when it is not one)."""
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: 計画の JSON として読み込めません（{exc}）。") from exc
    if not isinstance(doc, dict) or "plan" not in doc:
        raise ValueError(
            f"{path}: 計画の JSON ではありません（chiiki plans export --format json の出力を指定してください）。"
        )
    return doc


def read_sheet(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """All rows of one sheet of an exported workbook (for checks and tests)."""
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
