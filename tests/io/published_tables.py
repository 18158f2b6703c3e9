"""A hand-worked 3-sector prefectural table, written in the layouts prefectures publish (issue #11).

``HAND`` holds the blocks (百万円 or any unit); :func:`published_rows` lays them out as a sheet's rows
with title and unit rows, labels as "code name" in one cell, in code and name columns, or in code and
name rows, exports and imports separate (輸出・移出, （控除）輸入・（控除）移入) or combined (移輸出,
（控除）移輸入), and every total row and column computed from the blocks. Writers save them as .xlsx
(openpyxl) or CSV in any encoding.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl

SECTORS = [("01", "農業"), ("02", "製造業"), ("03", "サービス")]
Z = np.array([[10, 30, 5], [20, 100, 40], [10, 50, 60]], dtype=float)
FD_NAMES = ["民間消費支出", "一般政府消費支出", "県内総固定資本形成", "調整項"]
FD = np.array([[40, 0, 5, 0], [100, 0, 80, 2], [150, 60, 20, -1]], dtype=float)
EX = np.array([[10, 20], [150, 60], [10, 30]], dtype=float)  # 輸出, 移出
IM = np.array([[-15, -5], [-120, -32], [-30, -59]], dtype=float)  # （控除）輸入, （控除）移入
VA_NAMES = ["雇用者所得", "営業余剰", "（控除）経常補助金"]
VA = np.array([[30, 120, 100], [35, 110, 100], [-5, -10, -5]], dtype=float)
X = np.array([100, 400, 300], dtype=float)
M_HAND = np.array([20 / 90, 152 / 342, 89 / 349])
"""Import ratios by hand: −imports / (intermediate demand + final demand incl. 調整項)."""


@dataclass(frozen=True)
class Style:
    """How a publisher lays the table out."""

    labels: str = (
        "two_rows"  # code/name rows and columns; "one_cell" ("code name"); "mixed" (one row, two columns)
    )
    trade: str = "separate"  # or "combined"
    title_rows: tuple[str, ...] = ("令和2年 ○○県産業連関表 取引基本表（生産者価格評価）", "（単位：百万円）")
    separator: str = " "  # between code and name in one cell
    name_spaces: bool = False  # alignment spaces inside names (農　　業)
    half_width_brackets: bool = False
    region: str = "県内"


def _name(name: str, style: Style) -> str:
    if style.half_width_brackets:
        name = name.replace("（", "(").replace("）", ")")
    if style.name_spaces and len(name) == 2:
        name = name[0] + "\u3000\u3000" + name[1]
    return name


def _columns(style: Style) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Column labels and the matrix of the sector rows under them (totals computed)."""
    r = style.region
    zs, fs = Z.sum(1, keepdims=True), FD.sum(1, keepdims=True)
    if style.trade == "combined":
        ex_labels, ex, im_labels, im = (
            [("66", "移輸出")],
            EX.sum(1, keepdims=True),
            [("71", "（控除）移輸入")],
            IM.sum(1, keepdims=True),
        )
    else:
        ex_labels, ex = [("61", "輸出"), ("62", "移出")], EX
        im_labels, im = [("67", "（控除）輸入"), ("68", "（控除）移入")], IM
    es, ms = ex.sum(1, keepdims=True), im.sum(1, keepdims=True)
    labels = list(SECTORS) + [("39", "内生部門計")]
    labels += [(str(41 + k), n) for k, n in enumerate(FD_NAMES)] + [
        ("58", f"{r}最終需要計"),
        ("59", f"{r}需要合計"),
    ]
    blocks = [Z, zs, FD, fs, zs + fs, ex]
    labels += ex_labels
    if style.trade == "separate":
        labels += [("63", "移輸出計")]
        blocks.append(es)
    labels += [("64", "最終需要計"), ("65", "需要合計")] + im_labels
    blocks += [fs + es, zs + fs + es, im]
    if style.trade == "separate":
        labels += [("69", "（控除）移輸入計")]
        blocks.append(ms)
    labels += [("72", "最終需要部門計"), ("73", f"{r}生産額")]
    blocks += [fs + es + ms, zs + fs + es + ms]
    return [(c, _name(n, style)) for c, n in labels], np.hstack(blocks)


def published_rows(style: Style = Style(), *, z: np.ndarray | None = None) -> list[list[object]]:
    """The sheet as rows of cells (str, float or None). ``z`` replaces the flows without updating the
    published totals (an unbalanced table)."""
    columns, sector_block = _columns(style)
    if z is not None:
        sector_block = sector_block.copy()
        sector_block[:, :3] = z
    n_cols = len(columns)
    inner = sector_block.sum(0)
    rows: list[tuple[tuple[str, str], list[float | None]]] = []
    for (code, name), line in zip(SECTORS, sector_block, strict=True):
        rows.append(((code, _name(name, style)), list(line)))
    rows.append((("39", "内生部門計"), list(inner)))
    blank = [None] * (n_cols - 4)
    for k, name in enumerate(VA_NAMES):
        rows.append(((str(40 + k), _name(name, style)), [*VA[k], VA[k].sum(), *blank]))
    va = VA.sum(0)
    rows.append((("54", "粗付加価値部門計"), [*va, va.sum(), *blank]))
    rows.append((("55", f"{style.region}生産額"), [*(inner[:3] + va), inner[3] + va.sum(), *blank]))

    out: list[list[object]] = [[t] for t in style.title_rows] + [[]]
    if style.labels == "one_cell":
        out.append(["", *(f"{c}{style.separator}{n}" for c, n in columns)])
        out += [[f"{c}{style.separator}{n}", *line] for (c, n), line in rows]
    elif style.labels == "mixed":
        out.append(["コード", "部門名", *(f"{c}{style.separator}{n}" for c, n in columns)])
        out += [[c, n, *line] for (c, n), line in rows]
    else:
        out.append(["", "", *(c for c, _ in columns)])
        out.append(["", "", *(n for _, n in columns)])
        out += [[c, n, *line] for (c, n), line in rows]
    return out


def write_xlsx(
    rows: list[list[object]], path: Path, sheet: str = "取引基本表", extra: dict | None = None
) -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    for name, more in (extra or {}).items():
        ws = book.create_sheet(name)
        for row in more:
            ws.append(row)
    book.save(path)
    return path


def write_csv(rows: list[list[object]], path: Path, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            ["" if v is None else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in row]
        )
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def no_import_rows() -> list[list[object]]:
    """A 2-sector prefectural table published without import columns, balanced (X = Z + F + E):
    A = [[0.1, 0.1], [0.3, 0.2]], 民間消費支出 and 雇用者所得 present."""
    return [
        ["○○県産業連関表（輸入の列なし）"],
        ["（単位：百万円）"],
        ["", "01 農業", "02 工業", "民間消費支出", "移輸出", "県内生産額"],
        ["01 農業", 10.0, 20.0, 50.0, 20.0, 100.0],
        ["02 工業", 30.0, 40.0, 80.0, 50.0, 200.0],
        ["雇用者所得", 40.0, 90.0],
        ["営業余剰", 20.0, 50.0],
        ["県内生産額", 100.0, 200.0],
    ]
