"""Flow maps (花火図): weighted lines between regions on a base map, as SVG (docs/maps.md).

Input: a Polars frame of flows, one row per (source, target) pair with an amount; source and target
are region codes (prefecture "07" or municipality "07201"), placed at
:meth:`chiiki.maps.views.MapView.locate` (a municipality on a prefecture map sits at its municipal
office). Rows with the same source, target (and kind) are summed. Every line's width is proportional
to its amount: ``width = max_width · amount / largest amount``. A line is a quadratic curve that
bends to the right of its direction, so A→B and B→A stay apart.

Flows whose amount was estimated (SPEC §3.3; ``estimated_column`` True in any summed row) are
dashed and the legend says they include estimates. Flows that cannot be drawn are counted in the
legend: an end off this map, source and target at one place (within a region), or no positive amount.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from chiiki.maps.choropleth import context_paths, frame_marks, link
from chiiki.maps.numbers import NumberStyle, decimals, display_unit
from chiiki.maps.palettes import CATEGORICAL
from chiiki.maps.svg import INK, SWATCH, Block, LegendRow, document, esc, legend_block, map_id
from chiiki.maps.views import MapView

BASE_FILL = "#eceff1"
LINE_COLOUR = "#d95f02"
SAMPLE_COLOUR = "#757575"
"""Width samples in the legend when lines have several colours (kinds)."""
BEND = 0.18
"""The curve's control point sits this fraction of the line's length to the right of its middle."""
NODE_RADIUS, FOCUS_RADIUS = 6.0, 10.0


def _dash(width: float) -> str:
    return f"{max(2.5 * width, 10):.1f} {max(1.2 * width, 6):.1f}"


def _curve(a: tuple[float, float], b: tuple[float, float]) -> str:
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 - dy * BEND, (y0 + y1) / 2 + dx * BEND  # right of the direction (y down)
    return f"M{x0:.1f} {y0:.1f}Q{cx:.1f} {cy:.1f} {x1:.1f} {y1:.1f}"


def _line_swatch(colour: str, width: float, dashed: bool = False) -> str:
    dash = f' stroke-dasharray="{_dash(width)}"' if dashed else ""
    y = SWATCH[1] / 2
    return f'<line x1="0" y1="{y:g}" x2="{SWATCH[0]:g}" y2="{y:g}" stroke="{colour}" stroke-width="{width:.2f}"{dash}/>'


def _nice_samples(largest: float) -> list[float]:
    """Amounts for the width legend: the largest rounded down to two significant digits, its half,
    its tenth."""
    if largest <= 0:
        return []
    magnitude = 10 ** np.floor(np.log10(largest) - 1)
    top = float(np.floor(largest / magnitude) * magnitude)
    return [top, top / 2, top / 10]


def _aggregate(
    flows: pl.DataFrame, source: str, target: str, amount: str, estimated: str | None, kind: str | None
) -> pl.DataFrame:
    needed = [c for c in (source, target, amount, estimated, kind) if c is not None]
    missing = [c for c in needed if c not in flows.columns]
    if missing:
        raise ValueError(
            f"流れの表に列「{'」「'.join(missing)}」がありません（列: {', '.join(flows.columns)}）。"
        )
    if not flows.schema[amount].is_numeric():
        raise ValueError(f"流れの金額の列「{amount}」が数値ではありません（型: {flows.schema[amount]}）。")
    keys = [pl.col(source).cast(pl.Utf8).alias("source"), pl.col(target).cast(pl.Utf8).alias("target")]
    keys.append(pl.col(kind).cast(pl.Utf8).fill_null("").alias("kind") if kind else pl.lit("").alias("kind"))
    est = pl.col(estimated).fill_null(False).cast(pl.Boolean) if estimated else pl.lit(False)
    return (
        flows.select(*keys, pl.col(amount).cast(pl.Float64).alias("amount"), est.alias("estimated"))
        .group_by("source", "target", "kind", maintain_order=True)
        .agg(pl.col("amount").sum(), pl.col("estimated").any())
    )


def flow_map(
    view: MapView,
    flows: pl.DataFrame,
    *,
    label: str,
    unit: str = "千円",
    source_column: str = "source",
    target_column: str = "target",
    amount_column: str = "amount",
    estimated_column: str | None = None,
    kind_column: str | None = None,
    focus: str | None = None,
    max_width: float = 18.0,
    href: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> str:
    """SVG flow map of ``flows`` on the base map ``view``.

    ``label``: what flows (取引額); ``unit``: the amounts' unit (千円 shown as 百万円/億円 as fits);
    ``estimated_column``: Boolean column, True where the amount is estimated (drawn dashed);
    ``kind_column``: a text column whose values (e.g. 仕入 / 販売) colour the lines and name them in
    the legend; ``focus``: the code of the region the flows are about (drawn larger); ``max_width``:
    the width of the largest flow in canvas units; ``href``: link template with ``{code}`` for the
    base regions; ``title`` and ``source`` as in :func:`chiiki.maps.choropleth.choropleth`.
    """
    data = _aggregate(flows, source_column, target_column, amount_column, estimated_column, kind_column)
    positive = data.filter(pl.col("amount") > 0)
    codes = sorted(set(positive["source"]) | set(positive["target"]))
    located = [(c, view.locate(c)) for c in codes]
    places = pl.DataFrame(
        {
            "code": [c for c, p in located if p],
            "x": [p[0] for _, p in located if p],
            "y": [p[1] for _, p in located if p],
        },
        schema={"code": pl.Utf8, "x": pl.Float64, "y": pl.Float64},
    )
    on_map = positive.join(places.rename({"code": "source", "x": "x0", "y": "y0"}), on="source").join(
        places.rename({"code": "target", "x": "x1", "y": "y1"}), on="target"
    )
    same = (pl.col("x0") == pl.col("x1")) & (pl.col("y0") == pl.col("y1"))
    same_place = on_map.filter(same)
    drawn = on_map.filter(~same).sort("amount", descending=True, maintain_order=True)
    largest = float(drawn["amount"].max()) if drawn.height else 0.0
    shown_unit, factor = display_unit(largest, unit)
    samples = _nice_samples(largest)
    style = NumberStyle(shown_unit, factor, decimals(np.array(samples), factor) if samples else 0)
    kinds = [k for k in dict.fromkeys(drawn["kind"]) if k]
    colours = {k: CATEGORICAL[i % len(CATEGORICAL)] for i, k in enumerate(kinds)} | {"": LINE_COLOUR}

    uid = map_id(view.key, "flows", label, title or "")
    names = {r.code: r.name for r in view.regions} | {r.code: r.name for r in view.context}
    base = "".join(
        link(href, r.code, f'<path d="{r.path}"><title>{esc(r.name)}</title></path>') for r in view.regions
    )
    lines = []
    for row in drawn.iter_rows(named=True):
        width = max_width * row["amount"] / largest
        dash = f' stroke-dasharray="{_dash(width)}"' if row["estimated"] else ""
        what = f"{row['kind']} " if row["kind"] else ""
        tip = (
            f"{names.get(row['source'], row['source'])} → {names.get(row['target'], row['target'])}：{what}"
            f"{style.text(row['amount'])}{'（推計を含む）' if row['estimated'] else ''}"
        )
        lines.append(
            f'<path d="{_curve((row["x0"], row["y0"]), (row["x1"], row["y1"]))}" stroke="{colours[row["kind"]]}" '
            f'stroke-width="{width:.2f}"{dash} data-amount="{row["amount"]:.0f}"><title>{esc(tip)}</title></path>'
        )
    nodes = []
    for code in dict.fromkeys([*drawn["source"], *drawn["target"]]):
        x, y = view.locate(code)
        r, fill = (FOCUS_RADIUS, INK) if code == focus else (NODE_RADIUS, "#fff")
        nodes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:g}" fill="{fill}" stroke="{INK}" stroke-width="1.5">'
            f"<title>{esc(names.get(code, code))}</title></circle>"
        )
    if focus is not None and focus not in set(drawn["source"]) | set(drawn["target"]) and view.locate(focus):
        x, y = view.locate(focus)
        nodes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{FOCUS_RADIUS:g}" fill="{INK}"><title>{esc(names.get(focus, focus))}</title></circle>'
        )
    map_svg = (
        f'<g fill="{BASE_FILL}" stroke="#fff" stroke-width="1" fill-rule="evenodd">{context_paths(view)}{base}</g>'
        f"{frame_marks(view)}"
        f'<g fill="none" stroke-linecap="round" stroke-opacity="0.75">{"".join(lines)}</g><g>{"".join(nodes)}</g>'
    )
    rows = [
        LegendRow(
            f"{style.number(a)}",
            _line_swatch(
                colours[kinds[0]] if len(kinds) == 1 else (SAMPLE_COLOUR if kinds else LINE_COLOUR),
                max_width * a / largest,
            ),
        )
        for a in samples
    ]
    rows += [LegendRow(k, _line_swatch(colours[k], 6.0)) for k in kinds]
    n_estimated = int(drawn["estimated"].sum())
    if n_estimated:
        rows.append(LegendRow(f"推計額を含む（破線、{n_estimated}本）", _line_swatch(INK, 4.0, dashed=True)))
    notes = ["線の太さは金額に比例し、線は出発地から見て右にふくらみます。"]
    notes += _left_out_notes(data, positive, on_map, same_place, style)
    if view.omitted:
        notes.append(view.omitted)
    if source:
        notes.append(f"データ：{source}")
    unit_text = f"（{style.unit}）" if style.unit else ""
    legend = legend_block(f"{label}{unit_text}", rows, notes)
    title = title or f"{label}の流れ（{view.name}）"
    desc = _describe(title, drawn, names, style, n_estimated, notes[1:])
    return document(
        uid=uid, title=title, desc=desc, blocks=[Block(map_svg, view.height), legend], defs="", css=""
    )


def _left_out_notes(data, positive, on_map, same_place, style: NumberStyle) -> list[str]:
    notes = []
    off = positive.height - on_map.height
    if off:
        total = positive.join(on_map, on=["source", "target", "kind"], how="anti")["amount"].sum()
        notes.append(f"地図の範囲外の地域との流れ {off}件（計 {style.text(total)}）は描いていません。")
    if same_place.height:
        notes.append(
            f"同じ地域の中の流れ {same_place.height}件（計 {style.text(same_place['amount'].sum())}）は線にできないため描いていません。"
        )
    unknown = data.height - positive.height
    if unknown:
        notes.append(f"金額が0または不明の流れ {unknown}件は描いていません。")
    return notes


def _describe(
    title: str,
    drawn: pl.DataFrame,
    names: dict[str, str],
    style: NumberStyle,
    n_estimated: int,
    notes: list[str],
) -> str:
    parts = [
        f"{title}。{drawn.height}本の流れ（計 {style.text(drawn['amount'].sum() if drawn.height else 0)}）を線の太さで表示。"
    ]
    if drawn.height:
        top = drawn.row(0, named=True)
        parts.append(
            f"最大は{names.get(top['source'], top['source'])}から{names.get(top['target'], top['target'])}への"
            f"{style.text(top['amount'])}。"
        )
    if n_estimated:
        parts.append(f"推計額を含む流れ{n_estimated}本は破線。")
    return "".join(parts + notes)
