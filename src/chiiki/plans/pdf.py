"""A plan as a printable submission (issue #12 §5): a PDF rendered with ReportLab, a Japanese
TrueType font embedded (IPA ゴシック from Debian's fonts-ipafont-gothic, or a font named by the
caller).

Sections, in order: 表紙 (cover), 1 概要, 2 要件と根拠, 3 KPI (a table and a chart per KPI),
4 重点支援企業 (B and C plans; the figures the reader may see — the document comes already scoped by
:func:`chiiki.services.disclosure.scope_plan_document`) or, for A plans, 候補プロジェクトと局の審査 and
有識者検討会, for C plans also 相談窓口, then 波及効果 (the scenarios' inputs and totals) and
審査結果 (screenings and the workflow history, times in JST).

Input: the plan document of :func:`chiiki.store.documents.plan_document` (scoped) and, optionally,
the A/C records of :func:`chiiki.services.plan_records.records_document` under ``doc["records"]``.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chiiki.plans.export import ripple_inputs
from chiiki.plans.labels import DEMO_LABEL, STATE_LABELS
from chiiki.plans.times import format_jst
from chiiki.plans.workflow import TRANSITIONS
from chiiki.reference import prefecture_names

FONT_NAME = "ChiikiJapanese"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
)
"""Japanese TrueType fonts of Debian packages, in order of preference (``CHIIKI_PDF_FONT`` first)."""
STAGES = ("直接効果", "第1次間接効果", "第2次間接効果", "総合効果")
MEASURES = ("生産誘発額", "粗付加価値誘発額", "雇用者所得誘発額", "就業誘発数")
CELL_CHARS = 1500
"""Longer texts are cut in the PDF (a table row taller than a page cannot be laid out)."""


class FontMissingError(RuntimeError):
    """No Japanese TrueType font was found; the message says what to install."""


def find_japanese_font(candidates: Iterable[str] | None = None) -> Path:
    """The first Japanese TrueType font that exists: ``CHIIKI_PDF_FONT``, then :data:`FONT_CANDIDATES`."""
    env = os.environ.get("CHIIKI_PDF_FONT")
    paths = [env] if env else []
    paths += list(candidates if candidates is not None else FONT_CANDIDATES)
    for p in paths:
        if p and Path(p).is_file():
            return Path(p)
    raise FontMissingError(
        "PDF に埋め込む日本語フォントが見つかりません。サーバーに IPA フォントを入れてください"
        "（Debian/Ubuntu: apt-get install fonts-ipafont-gothic）。別のフォントを使う場合は環境変数 "
        "CHIIKI_PDF_FONT に TrueType フォント（.ttf）のパスを指定してください。"
        f"探した場所: {'、'.join(p for p in paths if p)}"
    )


def _register(font: Path) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = f"{FONT_NAME}-{abs(hash(str(font))) % 10**8}"
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont(name, str(font)))
        except TTFError as exc:
            raise FontMissingError(
                f"フォント {font} を PDF に埋め込めません（{exc}）。TrueType（.ttf）の日本語フォントを指定してください。"
            ) from exc
    return name


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _digits(unit: str) -> int:
    return 1 if unit in ("%", "百万円") else 0


class _Builder:
    """Styles and the flowables of one document."""

    def __init__(self, font: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.font = font
        self.colors = colors
        base = {"fontName": font, "wordWrap": "CJK", "leading": 14, "fontSize": 9.5}
        self.body = ParagraphStyle("body", **base)
        self.small = ParagraphStyle("small", **(base | {"fontSize": 8, "leading": 11}))
        self.note = ParagraphStyle(
            "note", **(base | {"fontSize": 8, "leading": 11, "textColor": colors.grey})
        )
        self.h1 = ParagraphStyle(
            "h1", **(base | {"fontSize": 15, "leading": 20, "spaceBefore": 10, "spaceAfter": 6})
        )
        self.h2 = ParagraphStyle(
            "h2", **(base | {"fontSize": 11.5, "leading": 16, "spaceBefore": 8, "spaceAfter": 4})
        )
        self.title = ParagraphStyle("title", **(base | {"fontSize": 22, "leading": 30, "alignment": 1}))
        self.center = ParagraphStyle("center", **(base | {"fontSize": 12, "leading": 18, "alignment": 1}))
        self.story: list[Any] = []

    def p(self, text: Any, style: Any = None) -> Any:
        from xml.sax.saxutils import escape

        from reportlab.platypus import Paragraph

        text = str(text if text is not None else "")
        if len(text) > CELL_CHARS:
            text = text[:CELL_CHARS] + "…（以下略。全文は画面または Excel 出力でご覧ください）"
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.body)

    def add(self, *flowables: Any) -> None:
        self.story.extend(flowables)

    def heading(self, text: str, level: int = 1) -> None:
        self.add(self.p(text, self.h1 if level == 1 else self.h2))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
              numeric: Sequence[int] = ()) -> None:  # fmt: skip
        from reportlab.lib.units import mm
        from reportlab.platypus import Table, TableStyle

        cells = [[self.p(h, self.small) for h in header]]
        cells += [[self.p(c, self.small) for c in row] for row in rows] or [
            [self.p("（なし）", self.small)] + [""] * (len(header) - 1)
        ]
        t = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1, splitInRow=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, self.colors.HexColor("#9aa5b1")),
            ("BACKGROUND", (0, 0), (-1, 0), self.colors.HexColor("#ddebf7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]  # fmt: skip
        t.setStyle(TableStyle(style))
        self.add(t)

    def chart(self, years: list[int], series: dict[str, list[float | None]], unit: str) -> None:
        """A line chart of targets and actuals by fiscal year."""
        from reportlab.graphics.charts.legends import Legend
        from reportlab.graphics.charts.lineplots import LinePlot
        from reportlab.graphics.shapes import Drawing, String
        from reportlab.graphics.widgets.markers import makeMarker

        data = [
            [(y, v) for y, v in zip(years, values, strict=True) if v is not None]
            for values in series.values()
        ]
        if not any(data) or len(years) < 2:
            return
        names = [n for n, d in zip(series, data, strict=True) if d]
        data = [d for d in data if d]
        drawing = Drawing(440, 170)
        plot = LinePlot()
        plot.x, plot.y, plot.width, plot.height = 55, 30, 300, 120
        plot.data = data
        palette = [self.colors.HexColor("#1f6fb2"), self.colors.HexColor("#e07b39")]
        for i in range(len(data)):
            plot.lines[i].strokeColor = palette[i % 2]
            plot.lines[i].strokeWidth = 1.5
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3)
            if names[i] == "目標":
                plot.lines[i].strokeDashArray = (4, 3)
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = min(years) - 0.3, max(years) + 0.3
        plot.xValueAxis.valueSteps = years
        plot.xValueAxis.labelTextFormat = "%d"
        plot.xValueAxis.labels.fontName = plot.yValueAxis.labels.fontName = self.font
        plot.xValueAxis.labels.fontSize = plot.yValueAxis.labels.fontSize = 7
        plot.yValueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
        values = [v for d in data for _, v in d]
        low, high = min(values), max(values)
        pad = (high - low) * 0.15 or abs(high) * 0.1 or 1.0
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = low - pad, high + pad
        drawing.add(plot)
        legend = Legend()
        legend.x, legend.y = 370, 140
        legend.fontName, legend.fontSize = self.font, 8
        legend.colorNamePairs = [(palette[i % 2], names[i]) for i in range(len(data))]
        drawing.add(legend)
        drawing.add(String(55, 155, f"単位: {unit}", fontName=self.font, fontSize=7))
        self.add(drawing)


def _cover(b: _Builder, doc: dict[str, Any], generated: datetime) -> None:
    from reportlab.platypus import PageBreak, Spacer

    p = doc["plan"]
    b.add(
        Spacer(1, 120), b.p(p["type_label"], b.center), Spacer(1, 12), b.p(p["title"], b.title), Spacer(1, 30)
    )
    for line in (
        f"策定主体: {p['owner']}（{p['owner_level_label']}）",
        f"計画期間: {p['period_start']}〜{p['period_end']}年度",
        f"状態: {p['state_label']}",
        f"作成日時: {format_jst(generated)}",
    ):
        b.add(b.p(line, b.center))
    if p.get("is_demo"):
        b.add(
            Spacer(1, 20),
            b.p(f"※{DEMO_LABEL}（合成データによる例示であり、実在の計画・企業ではありません）", b.center),
        )
    if doc.get("scope_note"):
        b.add(Spacer(1, 20), b.p(doc["scope_note"], b.note))
    b.add(PageBreak())


def _overview(b: _Builder, doc: dict[str, Any]) -> None:
    p = doc["plan"]
    b.heading("1 概要")
    fields = "、".join(f"{i} {n}" for i, n in zip(p["focus_fields"], p["focus_field_names"], strict=True))
    b.table(
        ["項目", "内容"],
        [
            ("計画類型", p["type_label"]),
            ("計画名", p["title"]),
            ("策定主体", p["owner"]),
            ("計画期間", f"{p['period_start']}〜{p['period_end']}年度"),
            ("重点分野（17の戦略分野）", fields or "—"),
            ("地域資源", "、".join(p["local_resources"]) or "—"),
            ("状態", p["state_label"]),
            ("計画の概要", p["description"] or "—"),
        ],  # fmt: skip
        [40, 130],
    )


def _requirements(b: _Builder, doc: dict[str, Any]) -> None:
    b.heading("2 要件と根拠")
    rows = []
    for r in doc["requirements"]:
        basis = "\n".join(x for x in (r["evidence"], r["auto_explanation"]) if x)
        rows.append(
            (
                r["label"],
                "自動" if r["is_auto"] else "審査担当",
                r["status_label"],
                basis or "—",
                r["reviewer_comment"] or "—",
            )
        )
    b.table(["要件", "判定", "状態", "根拠・説明", "審査コメント"], rows, [48, 14, 14, 62, 32])


def _kpis(b: _Builder, doc: dict[str, Any]) -> None:
    b.heading("3 KPI（目標と実績）")
    if not doc["kpis"]:
        b.add(b.p("KPI はまだ設定されていません。"))
    for k in doc["kpis"]:
        d = _digits(k["unit"])
        b.heading(f"{k['label']}（{k['unit']}）", 2)
        if k.get("suppressed"):
            b.add(b.p("この KPI の値は、閲覧できない企業の数値が推測できないよう秘匿しています。", b.note))
            continue
        b.add(
            b.p(
                f"基準値: {_num(k['baseline'], d)} {k['unit']}（{k['baseline_year'] or '—'}年度、{k['baseline_source'] or '出典なし'}）",
                b.small,
            )
        )
        if k["target_rule"]:
            b.add(b.p(f"目標の考え方: {k['target_rule']}", b.small))
        rows = [
            (s["fiscal_year"], _num(s["target"], d), _num(s["actual"], d), s["status_label"])
            for s in k["status"]
        ]
        b.table(["年度", f"目標（{k['unit']}）", f"実績（{k['unit']}）", "状況"], rows, [25, 45, 45, 55])
        targets = {t["fiscal_year"]: t["value"] for t in k["targets"]}
        actuals = {a["fiscal_year"]: a["value"] for a in k["actuals"]}
        base = {k["baseline_year"]: k["baseline"]} if k["baseline_year"] and k["baseline"] is not None else {}
        years = sorted(set(targets) | set(actuals) | set(base))
        b.chart(
            years,
            {
                "目標": [targets.get(y, base.get(y)) for y in years],
                "実績": [actuals.get(y, base.get(y)) for y in years],
            },
            k["unit"],
        )


def _firms(b: _Builder, doc: dict[str, Any]) -> None:
    b.heading("4 重点支援企業")
    rows = []
    for f in doc["priority_firms"]:
        snap = f.get("snapshot") or {}
        hidden = f.get("figures_hidden")
        rows.append((
            f["rank"], f["name"] or "—", "非表示" if hidden else _num(f.get("score"), 1),
            "非表示" if hidden else _num(snap.get("sales")), "非表示" if hidden else _num(snap.get("employees")),
            "、".join(f["reasons"]) or "—",
        ))  # fmt: skip
    b.table(
        ["順位", "企業", "総合スコア", "売上高（千円）", "従業者数（人）", "選定理由"],
        rows,
        [12, 40, 18, 26, 22, 52],
    )
    summary = doc.get("priority_firms_summary") or {}
    if summary.get("count"):
        totals = "・".join(
            f"{t['label']} {'秘匿' if summary.get('suppressed') else _num(t['value'])}"
            for t in summary["totals"].values()
        )
        b.add(b.p(f"{summary['count']}社の合計: {totals}", b.small))
    if doc.get("scope_note"):
        b.add(b.p(doc["scope_note"], b.note))


def _a_records(b: _Builder, doc: dict[str, Any], records: dict[str, Any]) -> None:
    b.heading("4 候補プロジェクトと経済産業局の審査")
    prefs = prefecture_names()
    screened = records.get("candidates") or [{} for _ in doc["candidate_projects"]]
    rows = []
    for c, rec in zip(doc["candidate_projects"], screened, strict=False):
        last = (rec.get("screenings") or [None])[-1]
        result = (
            f"{last['decision_label']}（{_num(last['total'])} / {_num(last['max_total'])} 点、"
            f"点数の目安 {last['recommendation_label']}）{last['comment']}"
            if last
            else "未審査"
        )
        field = f"{c['field_id']} {c['field_name']}" if c["field_id"] else "—"
        rows.append((prefs.get(c["prefecture_code"], c["prefecture_code"]), c["title"], field,
                     _num(c["investment_amount"]), result))  # fmt: skip
    b.table(
        ["都道府県", "プロジェクト", "戦略分野", "投資見込額（千円）", "局の審査"], rows, [18, 45, 35, 27, 45]
    )
    b.heading("有識者検討会", 2)
    rows = [
        (
            m["held_on"],
            m["title"],
            "、".join(m["members"]) or "—",
            m["opinions"] or "—",
            m["decisions"] or "—",
        )
        for m in records.get("meetings", [])
    ]
    b.table(["開催日", "会議", "委員", "主な意見", "決定事項"], rows, [20, 30, 35, 45, 40])


def _c_records(b: _Builder, records: dict[str, Any]) -> None:
    b.heading("相談窓口", 2)
    rows = [
        (d["name"], d["department"] or "—", d["contact"] or "—", d["opened_on"] or "—")
        for d in records.get("desks", [])
    ]
    b.table(["窓口", "担当部署", "連絡先", "開設日"], rows, [50, 45, 45, 30])
    rows = [(c["fiscal_year"], _num(c["count"])) for c in records.get("counts", [])]
    b.table(["年度", "相談件数（件）"], rows, [30, 40])


def _ripple(b: _Builder, doc: dict[str, Any]) -> None:
    b.heading("5 経済波及効果")
    if not doc["ripple_scenarios"]:
        b.add(b.p("シナリオはまだありません。"))
    for s in doc["ripple_scenarios"]:
        b.heading(f"{s['name']}（{s['unit']}）", 2)
        assumptions, demand = ripple_inputs(s.get("inputs") or {})
        if assumptions:
            b.add(b.p("前提: " + "、".join(f"{k} {v}" for k, v in assumptions), b.small))
        if demand:
            b.table(
                ["部門", f"最終需要の増加（{s['unit']}）"], [(k, _num(v, 1)) for k, v in demand], [90, 50]
            )
        totals: dict[tuple[str, str], float] = {}
        for r in s["results"]:
            key = (r.get("stage"), r.get("measure"))
            totals[key] = totals.get(key, 0.0) + float(r.get("value") or 0.0)
        rows = [(stage, *(_num(totals.get((stage, m)), 1) for m in MEASURES)) for stage in STAGES]
        b.table(["段階", *MEASURES], rows, [30, 35, 35, 35, 35])
        if s.get("note"):
            b.add(b.p(s["note"], b.note))


def _review(b: _Builder, doc: dict[str, Any]) -> None:
    b.heading("6 審査結果")
    rows = [
        (format_jst(s["at"]), s["reviewer"], f"{_num(s['total'])} / {_num(s['max_total'])}", s["decision_label"],
         "、".join(s["reasons"]), s["comment"] or "—")
        for s in doc["screenings"]
    ]  # fmt: skip
    b.table(["日時", "審査担当", "合計点", "判定の目安", "理由", "コメント"], rows, [30, 22, 18, 18, 50, 32])
    b.heading("手続きの履歴", 2)
    labels = {a: t.label for a, t in TRANSITIONS.items()} | {"create": "作成", "import": "取込み"}
    rows = [
        (format_jst(h["at"]), labels.get(h["action"], h["action"]), STATE_LABELS.get(h["to_state"], h["to_state"]),
         h["actor"], h["comment"] or "—")
        for h in doc["state_history"]
    ]  # fmt: skip
    b.table(["日時", "操作", "状態", "担当", "コメント"], rows, [32, 25, 25, 28, 60])


def plan_pdf_bytes(
    doc: dict[str, Any], *, font: Path | None = None, generated: datetime | None = None
) -> bytes:
    """The plan document as PDF bytes (A4, the Japanese font embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    name = _register(font or find_japanese_font())
    b = _Builder(name)
    generated = generated or datetime.now(UTC)
    p = doc["plan"]
    _cover(b, doc, generated)
    _overview(b, doc)
    _requirements(b, doc)
    _kpis(b, doc)
    records = doc.get("records") or {}
    if p["plan_type"] == "A":
        _a_records(b, doc, records)
    else:
        _firms(b, doc)
        if p["plan_type"] == "C":
            _c_records(b, records)
    _ripple(b, doc)
    _review(b, doc)

    def footer(canvas, pdf) -> None:  # noqa: ANN001 - ReportLab callback
        canvas.saveState()
        canvas.setFont(name, 7.5)
        canvas.drawString(15 * mm, 10 * mm, f"{p['title']}（{p['type_label']}）")
        canvas.drawRightString(195 * mm, 10 * mm, f"{pdf.page} ページ")
        canvas.restoreState()

    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm,
        title=p["title"], author=p["owner"], subject=p["type_label"], creator="Chiiki Mirai 地域未来",
    )  # fmt: skip
    pdf.build(b.story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def write_plan_pdf(doc: dict[str, Any], path: Path, *, font: Path | None = None) -> Path:
    path = Path(path)
    path.write_bytes(plan_pdf_bytes(doc, font=font))
    return path
