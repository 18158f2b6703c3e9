"""The regional report (SPEC §4, §7; issue #14 item 7): for a prefecture or a municipality, one
document with firms and industry structure (特化係数, 稼ぐ力), 地域経済循環 and net exports by industry,
connector/hub firms within the reader's scope, candidate strategic fields and the ripple of the
region's plans — every figure with its source and year.

:func:`regional_report` gathers a neutral :class:`Report` (sections of paragraphs and tables) for a
reader; :func:`report_html` and :func:`report_pdf` render it (the PDF with reportlab and an embedded
Japanese font, IPAゴシック). The web page, its PDF button and ``chiiki io report`` share them.
Suppression and firm-level scope are the pages' own (SPEC §0.1): small cells are withheld from
readers not entitled to the firm data, and firm names appear only for entitled readers.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.industry import IndustryDataError
from chiiki.plans import workflow
from chiiki.reference import jsic, prefecture_names
from chiiki.services.access import Principal, may_see_firm_figures
from chiiki.services.datasets import analytics_for
from chiiki.services.industry import (
    earning_power_table,
    field_suggestions,
    industry_suppression,
    lq_table,
    suppress,
)
from chiiki.services.regional import RegionQuery, circulation_of, estimate, suppressed_sectors
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError
from chiiki.store.models import Plan

JST = ZoneInfo("Asia/Tokyo")
FONT_PATHS = (
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)
"""IPAゴシック (fonts-ipafont-gothic), embedded in the PDF."""
TOP = 10


@dataclass
class ReportTable:
    title: str
    columns: list[str]
    rows: list[list[object]]
    source: str


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)


@dataclass
class Report:
    title: str
    region_code: str
    region_name: str
    generated: str
    reader: str
    sections: list[Section]


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "秘匿"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _jsic_names() -> dict[str, str]:
    j = jsic("middle")
    return dict(zip(j["code"], j["name"], strict=True))


def _region(code: str) -> tuple[str, str | None, str]:
    """(prefecture, municipality or None, name) of a report region (prefecture or municipality)."""
    from chiiki.io.regional import resolve_region  # noqa: PLC0415

    text = (code or "").strip()
    if not text:
        raise InvalidInputError(
            "レポートの地域（都道府県コード 07 または市区町村コード 07203）を指定してください。"
        )
    try:
        area = resolve_region(text)
    except Exception as exc:  # noqa: BLE001 - IOTableError: one Japanese message
        raise InvalidInputError(str(exc)) from exc
    if area.kind == "prefecture":
        return area.code, None, area.name
    if area.kind == "municipality":
        return area.prefectures[0], area.code, f"{prefecture_names()[area.prefectures[0]]}{area.name}"
    raise InvalidInputError(
        "地域レポートは都道府県か市区町村について作ります（ブロックは都道府県ごとに作ってください）。"
    )


def _firms_section(analytics, principal: Principal, pref: str, min_cell: int) -> tuple[Section, int]:  # noqa: ANN001
    fy = analytics.firm_year(None)
    firms = fy.region(pref)
    source = f"出典: 企業データ（{analytics.ref.label}）{fy.year}年度"
    matrix = analytics.industry.matrix()
    names = _jsic_names()
    s = Section("1. 企業と産業構造")
    total_sales = float(firms["sales"].fill_null(0).sum()) / 1e3 if "sales" in firms.columns else 0.0
    s.paragraphs.append(
        f"{prefecture_names()[pref]}の企業 {firms.height:,} 社、従業者 {int(firms['employees'].fill_null(0).sum()):,} 人、"
        f"売上高 {total_sales:,.0f} 百万円（{source}）。"
    )
    suppression = industry_suppression(principal, analytics, pref=pref, year=fy.year, min_count=min_cell)
    lq = suppress(
        lq_table(matrix, pref=pref, measure="employees", year=fy.year), suppression, ["value", "share", "lq"]
    )
    lq = lq.filter((pl.col("value") > 0) | pl.col("suppressed"))
    shown = lq.filter(~pl.col("suppressed")).head(TOP)
    s.tables.append(ReportTable(
        f"特化係数（従業者数、上位{TOP}産業、JSIC 中分類）", ["産業", "従業者数（人）", "特化係数"],
        [[f"{r['industry_code']} {names.get(r['industry_code'], '')}", _fmt(r["value"], 0), _fmt(r["lq"], 2)]
         for r in shown.to_dicts()],
        f"{source}（特化係数 = 地域の構成比 ÷ 全国の構成比）",
    ))  # fmt: skip
    if suppression is not None and suppression.note:
        s.paragraphs.append(suppression.note)
    try:
        ep = suppress(
            earning_power_table(matrix, pref=pref),
            suppression,
            ["employees", "employment_share", "lq", "log_lq"],
        )
        ep = (
            ep.filter(~pl.col("suppressed") & pl.col("log_lq").is_not_null())
            .sort("log_lq", descending=True)
            .head(TOP)
        )
        s.tables.append(ReportTable(
            "稼ぐ力（特化係数の対数が大きい産業）", ["産業", "従業者の比率", "log(特化係数)", "区分"],
            [[f"{r['industry_code']} {names.get(r['industry_code'], '')}", f"{r['employment_share']:.1%}",
              _fmt(r["log_lq"], 2), r.get("label") or ""] for r in ep.to_dicts()],
            f"{source}（RESAS 型の稼ぐ力の見える化、特化係数は修正なし）",
        ))  # fmt: skip
    except (IndustryDataError, ValueError) as exc:
        s.paragraphs.append(f"稼ぐ力: {exc}")
    return s, fy.year


def _circulation_section(state, db, principal: Principal, code: str) -> Section:  # noqa: ANN001
    s = Section("2. 地域経済循環と産業別の純移輸出")
    est = estimate(state, db, principal, RegionQuery(region=code))
    circ = circulation_of(est.regional.table)
    source = f"出典: {est.label}。地域の従業者数: {est.basis}。{est.credit}"
    s.paragraphs.append(
        f"地域経済循環率 {circ.rate:.1f}%（生産 {circ.production:,.0f} ÷ 分配 {circ.distribution:,.0f}、{circ.unit}）。"
        "通勤・財産所得・財政移転の流出入は表に含まれないため 0 としています。すべて推計値です。"
    )
    s.tables.append(ReportTable(
        "生産・分配・支出", ["区分", "項目", f"金額（{circ.unit}）"],
        [[r["区分"], r["項目"], _fmt(r["金額"])] for r in circ.summary.to_dicts()], source,
    ))  # fmt: skip
    hidden = {
        n
        for n, m in zip(
            est.regional.table.sectors,
            suppressed_sectors(est, principal, state.web.min_cell_firms),
            strict=True,
        )
        if m
    }
    net = circ.net_exports.filter(~pl.col("部門").is_in(list(hidden)))
    col = f"純移輸出（{circ.unit}）"
    rows = net.head(5).to_dicts() + net.tail(5).to_dicts() if net.height > 10 else net.to_dicts()
    s.tables.append(ReportTable(
        "域外から稼ぐ産業と域外に依存する産業（純移輸出の上位・下位5部門）", ["部門", col, "区分"],
        [[r["部門"], _fmt(r[col], 0), r["区分"]] for r in rows], source,
    ))  # fmt: skip
    if hidden:
        s.paragraphs.append(f"企業数の少ない {len(hidden)} 部門は秘匿しています。")
    return s


def _connector_section(analytics, principal: Principal, pref: str) -> Section:  # noqa: ANN001
    s = Section("3. コネクター企業・ハブ企業")
    fy = analytics.firm_year(None)
    if not may_see_firm_figures(principal, analytics.ref.name, pref):
        s.paragraphs.append(
            "企業別のデータを閲覧する権限がないため、企業名と指標は載せていません（担当地域の職員・経済産業局・審査担当のみ）。"
        )
        return s
    firms = fy.region(pref)
    source = f"出典: 企業データ（{analytics.ref.label}）{fy.year}年度の取引（コネクター度・ハブ度は企業分析の画面と同じ指標）"
    for column, rank, label in (
        ("connector_degree", "connector_rank", "コネクター度"),
        ("hub_degree", "hub_rank", "ハブ度"),
    ):
        if rank not in firms.columns:
            continue
        top = firms.filter(pl.col(rank).is_not_null()).sort(rank).head(TOP)
        s.tables.append(ReportTable(
            f"{label}の上位{TOP}社", ["順位", "企業", label],
            [[int(r[rank]), r.get("name") or r["company_id"], _fmt(r[column], 3)] for r in top.to_dicts()], source,
        ))  # fmt: skip
    return s


def _fields_section(analytics, principal: Principal, pref: str, min_cell: int, year: int) -> Section:  # noqa: ANN001
    s = Section("4. 重点分野の候補")
    matrix = analytics.industry.matrix()
    try:
        suggestions, notes = field_suggestions(matrix, pref=pref, measure="employees")
    except (IndustryDataError, ValueError) as exc:
        s.paragraphs.append(f"重点分野の候補: {exc}")
        return s
    suppression = industry_suppression(principal, analytics, pref=pref, year=year, min_count=min_cell)
    shown = suppress(suggestions, suppression, ["lq", "growth", "score"], key="field_id").head(5)
    s.tables.append(ReportTable(
        "重点分野の候補（上位5分野）", ["順位", "分野", "スコア"],
        [[r["rank"], r["field_name"], _fmt(r["score"], 2)] for r in shown.to_dicts()],
        f"出典: 企業データ（{analytics.ref.label}）の従業者数、分野の特化係数と伸び",
    ))  # fmt: skip
    s.paragraphs.extend(notes)
    return s


def _plans_section(db: Session, principal: Principal, pref: str, municipality: str | None) -> Section:
    s = Section("5. 地域の計画の波及効果")
    query = select(Plan).where(Plan.prefecture_code == pref).order_by(Plan.id)
    plans = [p for p in db.scalars(query) if workflow.can_view(principal, p)]
    if municipality:
        plans = [p for p in plans if p.municipality_code in (None, municipality)]
    rows = []
    for plan in plans:
        for sc in plan.ripple_scenarios:
            total = sum(float(r.get("value") or 0) for r in sc.results
                        if r.get("stage") == "総合効果" and r.get("measure") == "生産誘発額")  # fmt: skip
            table = (sc.inputs or {}).get("table") or "—"
            rows.append(
                [plan.title, sc.name, _fmt(total), sc.unit, f"{table}（{sc.created_at:%Y年%m月%d日}）"]
            )
    if rows:
        s.tables.append(ReportTable(
            "計画に保存された波及効果のシナリオ（総合効果の生産誘発額）", ["計画", "シナリオ", "生産誘発額", "単位", "表（計算日）"],
            rows, "出典: 各シナリオが使った産業連関表（表の欄）と計画の記録",
        ))  # fmt: skip
    else:
        s.paragraphs.append("閲覧できる計画に、保存された波及効果のシナリオはありません。")
    return s


def regional_report(state: AppState, db: Session, principal: Principal, code: str) -> Report:
    """The report of region ``code`` (prefecture or municipality) as ``principal`` may read it."""
    pref, municipality, name = _region(code)
    analytics = analytics_for(state, db, principal)
    sections: list[Section] = []
    year = None
    if analytics.available:
        firms, year = _firms_section(analytics, principal, pref, state.web.min_cell_firms)
        if municipality:
            firms.paragraphs.insert(0, "企業と産業構造は都道府県全体の値です。")
        sections.append(firms)
    else:
        sections.append(Section("1. 企業と産業構造", ["企業データがないため、この節はありません。"]))
    sections.append(_circulation_section(state, db, principal, municipality or pref))
    if analytics.available:
        sections.append(_connector_section(analytics, principal, pref))
        sections.append(_fields_section(analytics, principal, pref, state.web.min_cell_firms, year))
    sections.append(_plans_section(db, principal, pref, municipality))
    now = datetime.now(UTC).astimezone(JST).strftime("%Y年%m月%d日 %H:%M（日本時間）")
    return Report(f"地域レポート — {name}", municipality or pref, name, now, principal.username, sections)


# ---- rendering ---------------------------------------------------------------------------------
def report_html(report: Report) -> str:
    """The report as an HTML fragment (escaped; the page puts it in its layout)."""
    e = html.escape
    out = [f'<article id="regional-report"><h1>{e(report.title)}</h1>',
           f'<p class="note">作成: {e(report.generated)}、閲覧者 {e(report.reader)} の権限の範囲で作成</p>']  # fmt: skip
    for section in report.sections:
        out.append(f"<section><h2>{e(section.title)}</h2>")
        out += [f"<p>{e(p)}</p>" for p in section.paragraphs]
        for t in section.tables:
            out.append(f"<h3>{e(t.title)}</h3><table><thead><tr>"
                       + "".join(f"<th>{e(c)}</th>" for c in t.columns) + "</tr></thead><tbody>")  # fmt: skip
            out += ["<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>" for row in t.rows]
            out.append(f'</tbody></table><p class="note source">{e(t.source)}</p>')
        out.append("</section>")
    out.append("</article>")
    return "\n".join(out)


def report_document(report: Report) -> str:
    """A standalone HTML document (``chiiki io report --out x.html``)."""
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px}.note{color:#555;font-size:90%}</style></head><body>"
        + report_html(report)
        + "</body></html>"
    )


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    name = "IPAGothic"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    path = next((p for p in FONT_PATHS if p.exists()), None)
    if path is None:
        raise InvalidInputError(
            "PDF に埋め込む日本語フォント（IPAゴシック）がサーバーにありません。管理者に fonts-ipafont-gothic の導入を依頼してください。"
        )
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (A4, IPAゴシック embedded)."""
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: PLC0415

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=colors.grey)
    h1 = ParagraphStyle("h1", parent=body, fontSize=15, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=body, fontSize=10, leading=14, spaceBefore=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    e = html.escape
    story = [Paragraph(e(report.title), h1),
             Paragraph(e(f"作成: {report.generated}、閲覧者 {report.reader} の権限の範囲で作成"), small)]  # fmt: skip
    for section in report.sections:
        story.append(Paragraph(e(section.title), h2))
        story += [Paragraph(e(p), body) for p in section.paragraphs]
        for t in section.tables:
            story.append(Paragraph(e(t.title), h3))
            data = [[Paragraph(e(str(c)), cell) for c in t.columns]]
            data += [[Paragraph(e(str(v)), cell) for v in row] for row in t.rows]
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
            story += [table, Paragraph(e(t.source), small), Spacer(1, 3 * mm)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=report.title, author="Chiiki Mirai",
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)  # fmt: skip
    doc.build(story)
    return buf.getvalue()


def local_state(settings=None, web=None) -> AppState:  # noqa: ANN001 - StoreSettings, WebSettings
    """An application state for a command-line report on the configured store (no web server)."""
    from chiiki.services.analytics import AnalyticsRegistry  # noqa: PLC0415
    from chiiki.services.jobs import InProcessRunner  # noqa: PLC0415
    from chiiki.services.settings import load_web_settings  # noqa: PLC0415
    from chiiki.services.throttle import LoginLimiter  # noqa: PLC0415
    from chiiki.store.engine import create_engine_from_settings, make_session_factory, read_only  # noqa: PLC0415
    from chiiki.store.settings import get_settings  # noqa: PLC0415

    settings = settings or get_settings()
    web = web or load_web_settings()
    engine = create_engine_from_settings(settings)
    return AppState(
        settings=settings, web=web, engine=engine, sessions=make_session_factory(engine),
        read_sessions=make_session_factory(read_only(engine)), limiter=LoginLimiter(web),
        runner=InProcessRunner(engine), analytics=AnalyticsRegistry(),
    )  # fmt: skip
