"""Turn a labelled block into an :class:`IOTable` and its :class:`ReadReport` (SPEC §5; issue #11
items 4 and 6).

Each row and column label gets a role (:mod:`chiiki.io.published.labels`). The sectors are the labels
that are no known row or column and appear on both axes; they are ordered as the columns are. Totals
are never read as data: each is compared with the sum of its parts (:data:`CHECKS`) and reported.
(控除) columns and rows written as positive numbers are taken as negative (and said so). A table
without any final-demand, export and import columns but with its output (such as the 12-sector
prefectural tables) gets one residual column (output − intermediate demand); without value-added rows
one residual row (output − intermediate inputs); its imports are then unknown (``imports_known`` False).
"""

from __future__ import annotations

import numpy as np

from chiiki.io.errors import IOTableError
from chiiki.io.published import labels as lb
from chiiki.io.published.layout import Layout
from chiiki.io.published.report import (
    Balance,
    Placed,
    ReadReport,
    balance,
    core_balance,
    table_limits,
    table_problems,
)
from chiiki.io.table import IOSettings, IOTable, find_label

RESIDUAL_DEMAND = "最終需要等（内訳なし：生産額－中間需要）"
RESIDUAL_VALUE_ADDED = "粗付加価値（内訳なし：生産額－中間投入）"
_MAX_LISTED = 20


def _listed(problems: list[str]) -> list[str]:
    if len(problems) <= _MAX_LISTED:
        return problems
    return [*problems[:_MAX_LISTED], f"ほか {len(problems) - _MAX_LISTED} 件"]


def _match_sectors(
    rows: list[tuple[int, lb.Label]], cols: list[tuple[int, lb.Label]], source: str
) -> tuple[list[tuple[int, int]], list[Placed]]:
    """Pairs (row index, column index) of the sectors, in column order, and the candidates left over.

    Labels match by code when every candidate on both axes has one, else by name."""
    by_code = all(lab.code_key for _, lab in rows + cols)

    def key(label: lb.Label) -> str:
        return label.code_key if by_code else label.key

    duplicates = []
    for axis, items in (("行", rows), ("列", cols)):
        seen: dict[str, lb.Label] = {}
        for _, lab in items:
            if key(lab) in seen:
                duplicates.append(f"{axis}「{lab.shown}」（{seen[key(lab)].where} と {lab.where}）")
            seen[key(lab)] = lab
    if duplicates:
        raise IOTableError(
            f"{source}: 同じ部門が2回以上あります。部門名（コード）を1つずつにしてください。", duplicates
        )
    row_of = {key(lab): i for i, lab in rows}
    pairs = [(row_of[key(lab)], j) for j, lab in cols if key(lab) in row_of]
    matched_rows = {i for i, _ in pairs}
    matched_cols = {j for _, j in pairs}
    left = [
        Placed(
            "unplaced", "row", lab.shown, lab.where, "分類できない行です（同じ名前の部門の列がありません）"
        )
        for i, lab in rows
        if i not in matched_rows
    ]
    left += [
        Placed(
            "unplaced", "column", lab.shown, lab.where, "分類できない列です（同じ名前の部門の行がありません）"
        )
        for j, lab in cols
        if j not in matched_cols
    ]
    return pairs, left


def _names(labels: list[lb.Label]) -> tuple[str, ...]:
    """Names of a block's rows or columns; the code is kept where names alone would repeat."""
    names = [lab.name for lab in labels]
    if len(set(names)) < len(names):
        names = [lab.shown for lab in labels]
    if len(set(names)) < len(names):
        names = [f"{lab.shown}（{lab.where}）" for lab in labels]
    return tuple(names)


def _negated_if_positive(
    block: np.ndarray, labels: list[lb.Label], notes: list[str], axis: int
) -> np.ndarray:
    """(控除) lines written as positive numbers → negative (each line on its own)."""
    out = block.copy()
    for k, lab in enumerate(labels):
        line = out[:, k] if axis == 1 else out[k]
        if lb.is_deduction(lab.name) and (line > 0).any() and not (line < 0).any():
            line *= -1
            notes.append(
                f"{lab.where}「{lab.name}」は控除の項目ですが正の値で書かれているため、マイナスとして扱いました。"
            )
    return out


def assemble(
    layout: Layout,
    *,
    settings: IOSettings | None = None,
    unit: str | None = None,
    form: str = "公表形式（取引基本表）",
    notes: list[str] | None = None,
) -> tuple[IOTable, ReadReport]:
    """The table and its report from ``layout`` (see the module docstring). ``unit`` overrides the
    unit note. Raises :class:`IOTableError` only when no table can be built (no sectors, text in the
    numbers, no output); imbalances, limits and problems go into the report."""
    settings = settings or IOSettings()
    notes = list(notes or [])
    source = layout.source if layout.sheet is None else f"{layout.source} シート「{layout.sheet}」"
    row_roles = [lb.classify_row(lab.name) for lab in layout.row_labels]
    col_roles = [lb.classify_column(lab.name) for lab in layout.column_labels]
    rows_of = {role: [i for i, (r, _) in enumerate(row_roles) if r == role] for role in lb.ROLE_LABELS}
    cols_of = {role: [j for j, (r, _) in enumerate(col_roles) if r == role] for role in lb.ROLE_LABELS}
    pairs, unplaced = _match_sectors(
        [(i, layout.row_labels[i]) for i in rows_of[lb.SECTOR]],
        [(j, layout.column_labels[j]) for j in cols_of[lb.SECTOR]],
        source,
    )
    if not pairs:
        raise IOTableError(
            f"{source}: 部門（行と列に同じ名前・コードで並ぶもの）が見つかりません。",
            _listed([f"分類できない{p.where}「{p.label}」" for p in unplaced])
            or ["部門らしい行・列がありません"],
        )
    s_rows = [i for i, _ in pairs]
    s_cols = [j for _, j in pairs]
    sectors = tuple(layout.row_labels[i].shown for i in s_rows)
    if len(set(sectors)) < len(sectors):
        raise IOTableError(
            f"{source}: 部門名が重複しています。", [s for s in sectors if sectors.count(s) > 1]
        )

    fd_cols, ex_cols, im_cols = cols_of[lb.FINAL_DEMAND], cols_of[lb.EXPORT], cols_of[lb.IMPORT]
    va_rows, emp_rows = rows_of[lb.VALUE_ADDED], rows_of[lb.EMPLOYMENT]
    total_rows = [(i, row_roles[i][1]) for i in rows_of[lb.TOTAL]]
    total_cols = [(j, col_roles[j][1]) for j in cols_of[lb.TOTAL]]

    used_rows = s_rows + va_rows + emp_rows + [i for i, _ in total_rows]
    used_cols = s_cols + fd_cols + ex_cols + im_cols + [j for j, _ in total_cols]
    _refuse_text(layout, used_rows, used_cols, source)
    V = np.nan_to_num(layout.values, nan=0.0)
    col_labels, row_labels = layout.column_labels, layout.row_labels

    Z = V[np.ix_(s_rows, s_cols)]
    F = V[np.ix_(s_rows, fd_cols)]
    E = V[np.ix_(s_rows, ex_cols)]
    M = _negated_if_positive(V[np.ix_(s_rows, im_cols)], [col_labels[j] for j in im_cols], notes, axis=1)
    W = _negated_if_positive(V[np.ix_(va_rows, s_cols)], [row_labels[i] for i in va_rows], notes, axis=0)
    fd_names, va_names = (
        list(_names([col_labels[j] for j in fd_cols])),
        list(_names([row_labels[i] for i in va_rows])),
    )

    output_col = next((j for j, kind in total_cols if kind == lb.OUTPUT_COLUMN), None)
    output_row = next((i for i, kind in total_rows if kind == lb.OUTPUT_ROW), None)
    published_x = V[s_rows, output_col] if output_col is not None else None
    published_xc = V[output_row, s_cols] if output_row is not None else None
    residual_demand = not (fd_cols or ex_cols or im_cols)
    residual_value_added = not va_rows
    if residual_demand or residual_value_added:
        x = published_x if published_x is not None else published_xc
        if x is None:
            raise IOTableError(
                f"{source}: 最終需要・輸出・輸入の列も粗付加価値の行もなく、生産額の行・列もないため、"
                "生産額が分かりません。生産額（県内生産額など）の列か行を加えてください。"
            )
        if residual_demand:
            F = (x - Z.sum(axis=1))[:, np.newaxis]
            fd_names = [RESIDUAL_DEMAND]
            notes.append(
                "最終需要・輸出・輸入の列がないため、生産額－中間需要を1つの列"
                f"「{RESIDUAL_DEMAND}」として扱いました（輸入の内訳は分かりません）。"
            )
        if residual_value_added:
            xc = published_xc if published_xc is not None else x
            W = (xc - Z.sum(axis=0))[np.newaxis, :]
            va_names = [RESIDUAL_VALUE_ADDED]
            notes.append(
                f"粗付加価値の行がないため、生産額－中間投入を1つの行「{RESIDUAL_VALUE_ADDED}」として扱いました。"
            )

    employment = _employment(layout, V, emp_rows, s_cols, settings, notes)
    table = IOTable(
        sectors=sectors,
        Z=Z,
        final_demand=F,
        final_demand_names=tuple(fd_names),
        exports=E,
        export_names=_names([col_labels[j] for j in ex_cols]),
        imports=M,
        import_names=_names([col_labels[j] for j in im_cols]),
        value_added=W,
        value_added_names=tuple(va_names),
        employment=employment,
        unit=unit or layout.unit or "",
        settings=settings,
        imports_known=bool(im_cols),
    )
    if unit is None and layout.unit is None:
        notes.append(
            "単位の記載が見つかりません。金額は表に書かれたままの単位です（--unit で指定できます）。"
        )

    notes += _subtotal_notes(layout, total_rows, total_cols)
    if residual_demand:  # the output column made the residual: checking it against itself says nothing
        total_cols = [(j, kind) for j, kind in total_cols if kind != lb.OUTPUT_COLUMN]
    flow_cols = fd_cols + ex_cols + im_cols
    balances = _balances(
        layout, V, table, s_rows, s_cols, flow_cols, total_rows, total_cols, residual_value_added
    )
    placed = _placed(layout, row_roles, col_roles)
    report = ReadReport(
        source=layout.source,
        sheet=layout.sheet,
        form=form,
        unit=table.unit,
        unit_note=None if unit is not None else layout.unit_note,
        layout=layout.layout,
        sectors=tuple(table.labels),
        placed=tuple(placed),
        unplaced=tuple(
            [
                Placed("unplaced", "row" if w.startswith("行") else "column", "", w, why)
                for w, why in layout.unplaced
            ]
            + unplaced
        ),
        balances=tuple(balances),
        notes=tuple(notes + [f"読み飛ばした行・列: {s}" for s in layout.skipped]),
        limits=tuple(table_limits(table)),
        problems=tuple(table_problems(table)),
    )
    return table, report


def _refuse_text(layout: Layout, rows: list[int], cols: list[int], source: str) -> None:
    """Text that is not a number inside the rows and columns used: one error listing every cell."""
    mask = np.zeros_like(layout.text_cells)
    mask[np.ix_(rows, cols)] = True
    bad = np.argwhere(layout.text_cells & mask)
    if bad.size:
        problems = [
            f"{layout.row_labels[i].where}, {layout.column_labels[j].where}"
            f"（{layout.row_labels[i].shown} × {layout.column_labels[j].shown}）: 「{layout.cell_text[i, j]}」"
            for i, j in bad
        ]
        raise IOTableError(
            f"{source}: 数値として読めないセルがあります。数字だけにしてください（空欄は0）。",
            _listed(problems),
        )


def _employment(
    layout: Layout, V: np.ndarray, rows: list[int], cols: list[int], settings: IOSettings, notes: list[str]
) -> np.ndarray | None:
    if not rows:
        return None
    names = [layout.row_labels[i].name for i in rows]
    if settings.employment_row is None:
        if len(rows) == 1:
            return V[rows[0], cols]
        notes.append(
            f"就業者数の行が複数あるため使いません（{', '.join(names)}）。設定 employment_row で1つ選んでください。"
        )
        return None
    return V[rows[find_label(names, settings.employment_row, what="就業者数の行")], cols]


_COLUMN_SUMS = {  # kind of a total column → which blocks it sums (per sector row)
    lb.INTERMEDIATE_DEMAND: ("Z",),
    lb.DOMESTIC_FINAL_DEMAND: ("F",),
    lb.DOMESTIC_DEMAND: ("Z", "F"),
    lb.EXPORTS_TOTAL: ("E",),
    lb.FINAL_DEMAND_TOTAL: ("F", "E"),
    lb.TOTAL_DEMAND: ("Z", "F", "E"),
    lb.IMPORTS_TOTAL: ("M",),
    lb.NET_FINAL_DEMAND: ("F", "E", "M"),
    lb.OUTPUT_COLUMN: ("Z", "F", "E", "M"),
}


def _balances(
    layout: Layout,
    V: np.ndarray,
    table: IOTable,
    s_rows: list[int],
    s_cols: list[int],
    flow_cols: list[int],
    total_rows: list[tuple[int, str]],
    total_cols: list[tuple[int, str]],
    residual_value_added: bool,
) -> list[Balance]:
    """Every published total against its parts, and the row totals against the column totals.

    ``flow_cols`` are the final-demand, export and import columns. Subtotals of unknown parts are not
    checked. With a residual value-added row the column totals equal the output by construction: only
    the published output row against the row totals X is then a check."""
    tol = table.settings.balance_tolerance
    labels = list(table.labels)

    def check(label: lb.Label, meaning: str, published, computed, where: list[str]) -> Balance:  # noqa: ANN001
        return balance(f"{label.name}（{label.where}）＝ {meaning}", published, computed, where, tol)

    sums = {
        "Z": table.Z.sum(axis=1),
        "F": table.final_demand.sum(axis=1),
        "E": table.exports.sum(axis=1),
        "M": table.imports.sum(axis=1),
    }
    out = []
    for j, kind in total_cols:
        if kind == lb.SUBTOTAL:
            continue
        published = V[s_rows, j]
        if kind == lb.IMPORTS_TOTAL and (published > 0).any() and not (published < 0).any():
            published = -published
        computed = sum(sums[b] for b in _COLUMN_SUMS[kind])
        out.append(check(layout.column_labels[j], lb.TOTAL_MEANINGS[kind], published, computed, labels))
    every_col = s_cols + flow_cols
    every_label = labels + [layout.column_labels[j].name for j in flow_cols]
    for i, kind in total_rows:
        lab = layout.row_labels[i]
        meaning = lb.TOTAL_MEANINGS.get(kind, "")
        if kind == lb.INTERMEDIATE_INPUTS:  # under every column, against the cells as published
            out.append(
                check(lab, meaning, V[i, every_col], V[np.ix_(s_rows, every_col)].sum(axis=0), every_label)
            )
        elif kind == lb.VALUE_ADDED_TOTAL:
            out.append(check(lab, meaning, V[i, s_cols], table.value_added.sum(axis=0), labels))
        elif kind == lb.OUTPUT_ROW:
            if not residual_value_added:
                out.append(check(lab, meaning, V[i, s_cols], table.column_totals, labels))
            out.append(check(lab, "行計（部門の行の合計）", V[i, s_cols], table.X, labels))
    if not residual_value_added:
        out.append(core_balance(table))
    return out


def _subtotal_notes(
    layout: Layout, total_rows: list[tuple[int, str]], total_cols: list[tuple[int, str]]
) -> list[str]:
    """A note for each subtotal whose parts are unknown (neither a sector nor checked)."""
    found = [layout.row_labels[i] for i, kind in total_rows if kind == lb.SUBTOTAL]
    found += [layout.column_labels[j] for j, kind in total_cols if kind == lb.SUBTOTAL]
    return [
        f"{lab.where}「{lab.name}」は内訳の分からない小計のため、部門にも照合にも使いません。"
        for lab in found
    ]


def _placed(
    layout: Layout,
    row_roles: list[tuple[str, str | None]],
    col_roles: list[tuple[str, str | None]],
) -> list[Placed]:
    """Every recognised non-sector row and column, rows first, in file order."""
    out = []
    for axis, labels, roles in (
        ("row", layout.row_labels, row_roles),
        ("column", layout.column_labels, col_roles),
    ):
        for lab, (role, kind) in zip(labels, roles, strict=True):
            if role == lb.SECTOR:
                continue
            detail = lb.TOTAL_MEANINGS[kind] if kind else ""
            out.append(Placed(role, axis, lab.shown, lab.where, detail))
    return out
