"""Rebuild the shipped national 2015 37-sector table ``src/chiiki/io/data/japan_io_2015_37.csv``.

Run by a developer, never at run time (SPEC §1: no network at run time):

    python scripts/build_national_io.py ../shared/data/japan_io_2015_37/soumu_000629595_io2015_37sector_tool.xlsx

It copies sheet ⑤取引基本表 of 総務省's 簡易計算ツール (平成27年産業連関表, 統合大分類37部門, 百万円) in its
published layout — title, unit note, credit line, a code row and a name row, code and name columns,
the subtotal rows and columns — up to the 国内生産額 column (the tool's own import-ratio columns are
left out), so the package reads it with the same reader as any published table.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

from python_calamine import CalamineWorkbook

OUT = Path(__file__).resolve().parents[1] / "src" / "chiiki" / "io" / "data" / "japan_io_2015_37.csv"
SHEET = "⑤取引基本表"
SHA256 = "6dbcfa3b380ef8f03910e54087d5186026b72a651a4089303decc960f0c9acc6"
TITLE = "平成27年（2015年）産業連関表　取引基本表（生産者価格評価）（統合大分類37部門）"
UNIT = "（単位：百万円）"
CREDIT = "出典：総務省『平成27年（2015年）産業連関表』（経済波及効果簡易計算ツール 統合大分類37部門）を加工して作成"


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def build(workbook: Path) -> int:
    digest = hashlib.sha256(workbook.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{workbook}: sha256 {digest} is not the published file's {SHA256}")
    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    names = [_cell(v) for v in rows[3]]
    last = names.index("国内生産額")  # the 97 column; the tool's own ratio columns follow
    table = [
        [_cell(v) for v in row[: last + 1]] for row in rows[2:] if any(_cell(v) for v in row[: last + 1])
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([[TITLE], [UNIT], [CREDIT], []])
        writer.writerows(table)
    return len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path, help="soumu_000629595_io2015_37sector_tool.xlsx")
    args = parser.parse_args()
    print(f"{OUT}: {build(args.workbook)} rows")


if __name__ == "__main__":
    main()
