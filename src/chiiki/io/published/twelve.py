"""The 2015 12-sector regional tables (``R{i}C{j}`` flows, ``Y{i}`` output, one row per area) as a
:class:`~chiiki.io.published.layout.Layout`, so they load through the same reader (issue #11 item 6).

These tables (Japan, 42 prefectures and 7 cities, each reclassified from the region's own table;
sfukui/ReagionalIOTables) carry only intermediate flows and gross output, in 百万円: no final demand,
no value added, no imports. The reader then builds one residual column and one residual row and
states what cannot be computed. Areas are chosen by ``AreaID`` (``07000``), Japanese name (福島県) or
English name (Fukushima).
"""

from __future__ import annotations

import re

import numpy as np

from chiiki.io.errors import IOTableError
from chiiki.io.published.grid import TEXT, Grid
from chiiki.io.published.labels import Label
from chiiki.io.published.layout import Layout

SECTORS_12 = (
    "農林水産業",
    "鉱業",
    "製造業",
    "建設業",
    "電力・ガス・水道",
    "商業",
    "金融・保険・不動産",
    "運輸・郵便",
    "情報通信",
    "公務",
    "サービス",
    "その他",
)
"""Sector i = 1..12 of the tables' README (Agriculture … Other industry), in Japanese."""
UNIT_12 = "百万円"
_FLOW = re.compile(r"^R(\d+)C(\d+)$")
_OUTPUT = re.compile(r"^Y(\d+)$")


def _header(grid: Grid) -> tuple[int, list[str]] | None:
    used = np.flatnonzero((grid.kind != 0).any(axis=1))
    if used.size == 0:
        return None
    r = int(used[0])
    return r, [str(t) for t in grid.text[r]]


def is_flow_output_layout(grid: Grid) -> bool:
    """True for a grid whose header row has ``R{i}C{j}`` and ``Y{i}`` columns."""
    found = _header(grid)
    if found is None:
        return False
    cells = found[1]
    return sum(bool(_FLOW.match(c)) for c in cells) >= 4 and any(_OUTPUT.match(c) for c in cells)


def area_names() -> dict[str, str]:
    """AreaID → Japanese name: 00000 全国, ``PP000`` the prefecture, else the municipality."""
    from chiiki.reference import municipalities, prefectures

    names = {"00000": "全国"}
    names.update(
        {f"{code}000": name for code, name in prefectures().select("prefecture_code", "name").rows()}
    )
    for code, name in municipalities().select("municipality_code", "name").rows():
        names.setdefault(code, name)
    return names


def _choose_area(ids: list[str], area: str | None, source: str) -> int:
    from chiiki.reference import prefectures

    names = area_names()
    english = {f"{c}000": n.lower() for c, n in prefectures().select("prefecture_code", "name_en").rows()}
    shown = [f"{i}（{names.get(i, 'AreaID なし' if i.startswith('行') else '名称不明')}）" for i in ids]
    if area is None:
        if len(ids) == 1:
            return 0
        raise IOTableError(
            f"{source}: 地域が {len(ids)} あります。読む地域を指定してください（--area 07000 など）。",
            [f"地域: {', '.join(shown)}"],
        )
    wanted = area.strip()
    for k, i in enumerate(ids):
        if (
            wanted in (i, names.get(i))
            or wanted.lower() == english.get(i)
            or (wanted.isdigit() and wanted.zfill(5) == i)
        ):
            return k
    raise IOTableError(f"{source}: 地域「{area}」がありません。", [f"地域: {', '.join(shown)}"])


def flow_output_layout(grid: Grid, area: str | None) -> tuple[Layout, str]:
    """The chosen area's table as a layout, and the area's name for the report."""
    header_row, cells = _header(grid)
    flows = {(int(m.group(1)), int(m.group(2))): c for c, t in enumerate(cells) if (m := _FLOW.match(t))}
    outputs = {int(m.group(1)): c for c, t in enumerate(cells) if (m := _OUTPUT.match(t))}
    n = max(outputs)
    missing = [f"R{i}C{j}" for i in range(1, n + 1) for j in range(1, n + 1) if (i, j) not in flows]
    missing += [f"Y{i}" for i in range(1, n + 1) if i not in outputs]
    if missing:
        raise IOTableError(f"{grid.source}: R{{i}}C{{j}}・Y{{i}} 形式の列が欠けています。", missing[:20])
    body = [r for r in range(header_row + 1, grid.shape[0]) if (grid.kind[r] != 0).any()]
    ids = [str(grid.text[r, 0]).zfill(5) if grid.text[r, 0] else f"行{r + 1}" for r in body]
    r = body[_choose_area(ids, area, grid.source)]
    columns = [flows[(i, j)] for i in range(1, n + 1) for j in range(1, n + 1)]
    flow = grid.values[r, columns].reshape(n, n)
    output = grid.values[r, [outputs[i] for i in range(1, n + 1)]]
    values = np.column_stack([flow, output])
    kinds = grid.kind[r, columns + [outputs[i] for i in range(1, n + 1)]]
    text = grid.text[r, columns + [outputs[i] for i in range(1, n + 1)]]
    names = SECTORS_12 if n == 12 else tuple(f"部門{i}" for i in range(1, n + 1))
    rows = tuple(Label(f"{i:02d}", names[i - 1], f"列 R{i}C1〜R{i}C{n}") for i in range(1, n + 1))
    cols = (*(Label(f"{j:02d}", names[j - 1], f"列 R1C{j}〜R{n}C{j}") for j in range(1, n + 1)),)
    cols += (Label(None, "生産額", f"列 Y1〜Y{n}"),)
    text_cells = np.zeros((n, n + 1), dtype=bool)
    text_cells[:, :n] = (kinds[: n * n] == TEXT).reshape(n, n)
    text_cells[:, n] = kinds[n * n :] == TEXT
    cell_text = np.empty((n, n + 1), dtype=object)
    cell_text[:, :n] = text[: n * n].reshape(n, n)
    cell_text[:, n] = text[n * n :]
    area_id = ids[body.index(r)]
    area_name = f"{area_id}（{area_names().get(area_id, '名称不明')}）"
    layout = Layout(
        source=grid.source,
        sheet=None,
        row_labels=rows,
        column_labels=cols,
        values=values,
        text_cells=text_cells,
        cell_text=cell_text,
        unit=UNIT_12,
        unit_note="R{i}C{j}・Y{i} 形式の地域別表の配布元の説明による",
        layout=(
            f"地域別12部門表（R{{i}}C{{j}} = 部門 i から j への中間取引、Y{{i}} = 生産額）の {grid.where(r)}: 地域 {area_name}",
        ),
    )
    return layout, area_name
