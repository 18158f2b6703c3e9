"""Templates of the two firm-data tables for offices to fill in (SPEC §2; issue #11 §1).

Per table: an Excel workbook (sheet 説明 with instructions in Japanese, then the data sheet 企業 or
取引 with the headers, text-formatted code columns and data validation: prefecture list, code lengths,
whole numbers for years and amounts) and a header-only CSV in UTF-8 (with BOM, so Excel opens it
right) and in Shift_JIS (CP932). The headers are the contract's Japanese labels, which the synonym
table of :mod:`chiiki.data.headers` places, so a filled template imports as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from chiiki.data.contract import COMPANIES, TRANSACTIONS, Column, TableContract

DATA_SHEETS = {"companies": "企業", "transactions": "取引"}
INSTRUCTIONS_SHEET = "説明"
LAST_ROW = 1_048_575
"""Data validation covers the whole sheet below the header (0-based last row of a workbook)."""


@dataclass(frozen=True)
class Help:
    """What the instructions sheet says of one column, and the rule the data sheet enforces."""

    text: str
    example: str
    rule: dict | None = None


PREFECTURE_CODES = [f"{i:02d}" for i in range(1, 48)]

HELP: dict[str, Help] = {
    "company_id": Help("企業を一意に表す記号（社内の企業コードなど）。取引の表の企業IDと同じものを使います。", "C0001"),
    "corporate_number": Help(
        "国税庁の法人番号（13桁）。分からなければ空欄。", "7000012050002",
        {"validate": "length", "criteria": "==", "value": 13},
    ),
    "name": Help("商号（企業名）。", "会津精密株式会社"),
    "prefecture_code": Help(
        "本社（事業所）の都道府県コード2桁（01〜47）。", "07",
        {"validate": "list", "source": PREFECTURE_CODES},
    ),
    "municipality_code": Help(
        "市区町村コード（JIS X 0402 の5桁、検査数字付きの6桁も可）。", "07202",
        {"validate": "length", "criteria": "between", "minimum": 5, "maximum": 6},
    ),
    "jsic_code": Help(
        "日本標準産業分類（第14回改定）の中分類コード2桁。", "26",
        {"validate": "length", "criteria": "==", "value": 2},
    ),
    "fiscal_year": Help(
        "決算年度（西暦4桁）。1社1年度1行です。", "2024",
        {"validate": "integer", "criteria": "between", "minimum": 1900, "maximum": 2100},
    ),
    "sales": Help("売上高（千円、整数）。", "120000", {"validate": "integer", "criteria": ">=", "value": 0}),
    "operating_profit": Help(
        "営業利益（千円、整数。赤字は負の値）。", "8000",
        {"validate": "integer", "criteria": "between", "minimum": -(10**15), "maximum": 10**15},
    ),
    "employees": Help("従業者数（人、整数）。", "40", {"validate": "integer", "criteria": ">=", "value": 0}),
    "payroll": Help("給与総額（人件費、千円、整数）。", "160000", {"validate": "integer", "criteria": ">=", "value": 0}),
    "supplier_id": Help("売った側（仕入先）の企業ID。企業の表の企業IDです。", "C0001"),
    "customer_id": Help("買った側（販売先）の企業ID。企業の表の企業IDです。", "C0002"),
    "amount": Help(
        "その年度の取引額（千円、整数）。分からなければ空欄（推計します）。", "5000",
        {"validate": "integer", "criteria": ">=", "value": 0},
    ),
}  # fmt: skip
"""Per contract column: help text, an example value and the Excel data-validation rule."""

COMMON_NOTES = (
    "1行目の見出しは変えずに、2行目から1行に1件ずつ入力してください。",
    "金額はすべて千円単位の整数です（円単位のファイルは取り込むときに単位「円」を選べます）。",
    "コード（都道府県・市区町村・産業分類・法人番号）は文字列として入力してください（先頭の0を残します）。",
    "保存は Excel ブック（.xlsx）か CSV（UTF-8 または Shift_JIS）。ファイル名は companies / transactions にします"
    "（Web のアップロードでは名前は自由です）。",
    "検証でエラーが1件でもあれば何も取り込みません。エラーの行番号は、見出し行を1行目として数えます。",
)


def template_headers(contract: TableContract) -> list[str]:
    """The headers a template carries: the contract's Japanese labels."""
    return [c.label for c in contract.columns]


def _is_code(col: Column) -> bool:
    return col.kind == "code" or col.name.endswith("_id")


def template_xlsx(contract: TableContract) -> bytes:
    """The Excel template of ``contract`` (instructions sheet, then the data sheet)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    number = book.add_format({"num_format": "#,##0"})
    guide = book.add_worksheet(INSTRUCTIONS_SHEET)
    guide.write(0, 0, f"{contract.label}の表（{contract.name}）の記入方法", bold)
    for i, note in enumerate(COMMON_NOTES, start=2):
        guide.write(i, 0, f"・{note}")
    top = len(COMMON_NOTES) + 3
    for j, title in enumerate(("見出し", "必須", "内容", "記入例")):
        guide.write(top, j, title, head)
    for i, col in enumerate(contract.columns, start=top + 1):
        info = HELP[col.name]
        guide.write_row(i, 0, [col.label, "必須" if col.required else "任意", info.text, info.example], wrap)
    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 6)
    guide.set_column(2, 2, 70)
    guide.set_column(3, 3, 18)
    sheet = book.add_worksheet(DATA_SHEETS[contract.name])
    for j, col in enumerate(contract.columns):
        sheet.write_string(0, j, col.label, head)
        sheet.set_column(j, j, max(12, len(col.label) * 2), text if _is_code(col) else number)
        info = HELP[col.name]
        if info.rule is not None:
            rule = {
                **info.rule,
                "input_title": col.label[:32],
                "input_message": info.text[:255],
                "error_title": "入力内容を確認してください",
                "error_message": f"{info.text} 例: {info.example}"[:255],
            }
            sheet.data_validation(1, j, LAST_ROW, j, rule)
    sheet.freeze_panes(1, 0)
    sheet.activate()
    book.close()
    return buf.getvalue()


def template_csv(contract: TableContract, encoding: str) -> bytes:
    """The header-only CSV template: ``utf-8`` (written with a BOM) or ``cp932`` (Shift_JIS)."""
    line = ",".join(template_headers(contract)) + "\r\n"
    return line.encode("utf-8-sig" if encoding == "utf-8" else "cp932")


TEMPLATES: dict[str, tuple[TableContract, str]] = {
    f"{c.name}-template{suffix}": (c, kind)
    for c in (COMPANIES, TRANSACTIONS)
    for suffix, kind in ((".xlsx", "xlsx"), ("-utf8.csv", "utf-8"), ("-sjis.csv", "cp932"))
}
"""File name → (table, kind) of every template offered (CLI ``chiiki template``, web /data/templates)."""

LABELS = {"xlsx": "Excel", "utf-8": "CSV（UTF-8）", "cp932": "CSV（Shift_JIS）"}


def template_bytes(filename: str) -> bytes:
    """The bytes of the template ``filename`` (a key of :data:`TEMPLATES`)."""
    contract, kind = TEMPLATES[filename]
    return template_xlsx(contract) if kind == "xlsx" else template_csv(contract, kind)


def write_templates(directory: Path) -> list[Path]:
    """Write every template into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for filename in TEMPLATES:
        path = directory / filename
        path.write_bytes(template_bytes(filename))
        paths.append(path)
    return paths
