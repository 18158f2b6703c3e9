"""Choropleth maps (階級区分図) of any numeric indicator as server-side SVG (docs/maps.md).

Input: a Polars frame with one row per region, a code column (prefecture "07" / municipality "07201";
a 6-digit municipality code with its check digit is read as its first 5 digits) and a numeric value
column. Regions of the view without a row, or with a null / NaN / infinite value, are *missing*:
drawn with a hatch pattern and counted in the legend. Rows for regions the view does not show are
ignored (a prefecture map can take a national table).

Classes (:mod:`chiiki.maps.classify`) are computed over the finite values of the regions shown,
then rounded as the legend writes them (:func:`chiiki.maps.numbers.rounded_bounds`), and regions are
classed against the rounded bounds, so the legend is exactly true ("以上 … 未満", the top class "以下").
Each region is a ``<path>`` with a ``<title>`` (its name and value: the browser's tooltip) inside an
``<a href>`` when ``href`` is given (e.g. ``"/maps/prefectures/{code}"``: a prefecture drills down).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from chiiki.maps.classify import METHOD_LABELS, assign_classes, class_breaks
from chiiki.maps.layout import CAPTION_SIZE, MARGIN
from chiiki.maps.numbers import NumberStyle, number_style, rounded_bounds
from chiiki.maps.palettes import class_colours
from chiiki.maps.svg import (
    FRAME,
    MUTED,
    Block,
    LegendRow,
    document,
    esc,
    legend_block,
    map_id,
    rect_swatch,
)
from chiiki.maps.views import MapView, block_view, japan_view, prefecture_view

MISSING_LABEL = "データなし"
CONTEXT_FILL = "#e0e0e0"
CODE_COLUMNS = {"prefecture": "prefecture_code", "municipality": "municipality_code"}
CODE_WIDTH = {"prefecture": 2, "municipality": 5}


def _check_href(href: str | None) -> None:
    if href is not None and "{code}" not in href:
        raise ValueError(
            f"リンクのひな形「{href}」に {{code}}（地域コードの位置）がありません。例: /maps/prefectures/{{code}}"
        )


def link(href: str | None, code: str, inner: str) -> str:
    """``inner`` wrapped in a link to ``href`` with ``{code}`` replaced (no link without ``href``)."""
    return inner if href is None else f'<a href="{esc(href.replace("{code}", code))}">{inner}</a>'


def region_values(view: MapView, values: pl.DataFrame, *, code_column: str, value_column: str) -> np.ndarray:
    """The value of every region of ``view`` in region order (NaN where missing).

    Raises ``ValueError`` (in Japanese) for a missing column, a non-numeric value column or a code
    given twice.
    """
    for column in (code_column, value_column):
        if column not in values.columns:
            raise ValueError(f"地図の値の表に列「{column}」がありません（列: {', '.join(values.columns)}）。")
    if not values.schema[value_column].is_numeric():
        raise ValueError(
            f"地図の値の列「{value_column}」が数値ではありません（型: {values.schema[value_column]}）。数値の列を指定してください。"
        )
    width = CODE_WIDTH[view.level]
    frame = values.select(
        pl.col(code_column).cast(pl.Utf8).str.slice(0, width).alias("code"),
        pl.col(value_column).cast(pl.Float64).alias("value"),
    ).drop_nulls("code")
    twice = frame.filter(pl.col("code").is_duplicated())["code"].unique().sort()
    if twice.len():
        raise ValueError(
            f"地図の値の表で同じ地域コードが複数行あります（列「{code_column}」: {', '.join(twice.head(5))}）。地域ごとに1行にしてください。"
        )
    codes = pl.DataFrame({"code": [r.code for r in view.regions]})
    joined = codes.join(frame, on="code", how="left", maintain_order="left")
    return joined["value"].fill_nan(None).to_numpy().astype(np.float64)


def _missing_pattern(uid: str) -> str:
    return (
        f'<pattern id="{uid}-missing" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="10" height="10" fill="#fafafa"/><rect width="3" height="10" fill="#bdbdbd"/></pattern>'
    )


def frame_marks(view: MapView) -> str:
    """The panels and captions of the view's insets."""
    out = []
    for frame in view.frames[1:]:
        x, y, w, h = frame.panel
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="{FRAME}" stroke-width="1.5"/>'
            f'<text x="{x + MARGIN:.1f}" y="{y + MARGIN + CAPTION_SIZE * 0.85:.1f}" font-size="{CAPTION_SIZE:g}" '
            f'fill="{MUTED}">{esc(frame.caption)}</text>'
        )
    return "".join(out)


def context_paths(view: MapView) -> str:
    """Context regions (drawn, never data): grey, named, not linked."""
    return "".join(
        f'<path d="{r.path}" fill="{CONTEXT_FILL}"><title>{esc(r.name)}（統計の対象外）</title></path>'
        for r in view.context
    )


def choropleth(
    view: MapView,
    values: pl.DataFrame,
    *,
    value_column: str,
    label: str,
    unit: str = "",
    code_column: str | None = None,
    classes: int = 5,
    method: str = "quantile",
    palette: str = "blues",
    href: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> str:
    """SVG choropleth of ``values[value_column]`` over the regions of ``view``.

    ``label``: the indicator's name (売上高); ``unit``: the values' unit (千円 amounts are shown in
    百万円/億円/兆円 as fits; 社, 人, %, "" as given); ``code_column`` defaults to ``prefecture_code`` or
    ``municipality_code`` by the view's level; ``classes`` (1–8) and ``method`` (quantile / equal /
    jenks); ``palette`` (:data:`chiiki.maps.palettes.SEQUENTIAL`); ``href``: link template with
    ``{code}``; ``title`` (default 「label（area・level別）」); ``source``: the data set and year, shown
    under the legend (e.g. 「模擬経済 2024年度」).
    """
    _check_href(href)
    code_column = code_column or CODE_COLUMNS[view.level]
    v = region_values(view, values, code_column=code_column, value_column=value_column)
    finite = np.isfinite(v)
    raw = class_breaks(v[finite], classes, method) if finite.any() else np.array([])
    style = number_style(raw, unit)
    bounds = rounded_bounds(raw, style)
    cls = assign_classes(np.where(finite, v / style.factor, np.nan), bounds)
    n_classes = max(len(bounds) - 1, 1) if len(bounds) else 0
    colours = class_colours(palette, n_classes)
    uid = map_id(view.key, label, value_column, title or "")
    missing_fill = f"url(#{uid}-missing)"
    title = title or f"{label}（{view.name}・{view.level_word}別）"

    paths = []
    for region, value, c in zip(view.regions, v, cls, strict=True):
        fill = colours[c] if c >= 0 else missing_fill
        tip = f"{region.name}：{style.text(value if np.isfinite(value) else None)}"
        paths.append(
            link(href, region.code, f'<path d="{region.path}" fill="{fill}"><title>{esc(tip)}</title></path>')
        )
    n_missing = int((cls < 0).sum())
    map_svg = (
        f'<g fill-rule="evenodd" stroke="#fff" stroke-width="{0.6 if view.level == "municipality" else 1}" stroke-linejoin="round">'
        f"{context_paths(view)}{''.join(paths)}</g>{frame_marks(view)}"
    )
    rows = [LegendRow(class_label(bounds, i, style), rect_swatch(colours[i])) for i in range(n_classes)]
    rows.append(LegendRow(f"{MISSING_LABEL}（{n_missing}{view.level_word}）", rect_swatch(missing_fill)))
    notes = [
        f"階級区分：{METHOD_LABELS[method]}、{n_classes}階級"
        if n_classes
        else "値のある地域がないため、階級はありません。"
    ]
    if view.omitted:
        notes.append(view.omitted)
    if source:
        notes.append(f"データ：{source}")
    unit_text = f"（{style.unit}）" if style.unit else ""
    legend = legend_block(f"{label}{unit_text}", rows, notes)
    desc = _describe(view, title, v, style, n_classes, method, n_missing)
    css = f"#{uid} a:hover path,#{uid} a:focus path{{stroke:#212121;stroke-width:2.5}}"
    return document(
        uid=uid,
        title=title,
        desc=desc,
        blocks=[Block(map_svg, view.height), legend],
        defs=_missing_pattern(uid),
        css=css if href else "",
    )


def class_label(bounds: np.ndarray, i: int, style: NumberStyle) -> str:
    """Legend text of class ``i``: 「lo以上 hi未満」, the top class 「lo以上 hi以下」, a class of one value
    (a single bound, or the maximum alone) as that value (``bounds`` in display units)."""
    fmt = f"{{:,.{style.digits}f}}"
    if len(bounds) == 1:
        return fmt.format(bounds[0])
    lo, hi = fmt.format(bounds[i]), fmt.format(bounds[i + 1])
    if lo == hi:  # a top class holding only the maximum
        return lo
    return f"{lo}以上 {hi}{'以下' if i == len(bounds) - 2 else '未満'}"


def _describe(
    view: MapView, title: str, v: np.ndarray, style: NumberStyle, k: int, method: str, n_missing: int
) -> str:
    parts = [
        f"{title}の階級区分図。{view.name}の{len(view.regions)}{view.level_word}を{METHOD_LABELS[method]}で{k}階級に色分け。"
    ]
    finite = np.isfinite(v)
    if finite.any():
        hi, lo = (
            int(np.nanargmax(np.where(finite, v, -np.inf))),
            int(np.nanargmin(np.where(finite, v, np.inf))),
        )
        parts.append(
            f"最大は{view.regions[hi].name}（{style.text(v[hi])}）、最小は{view.regions[lo].name}（{style.text(v[lo])}）。"
        )
    parts.append(f"データなし{n_missing}{view.level_word}。")
    if view.omitted:
        parts.append(view.omitted)
    return "".join(parts)


def prefecture_choropleth(
    values: pl.DataFrame,
    *,
    value_column: str,
    label: str,
    unit: str = "",
    code_column: str = "prefecture_code",
    classes: int = 5,
    method: str = "quantile",
    palette: str = "blues",
    href: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> str:
    """National map of the 47 prefectures: :func:`choropleth` on :func:`japan_view`."""
    return choropleth(
        japan_view("prefecture"),
        values,
        value_column=value_column,
        label=label,
        unit=unit,
        code_column=code_column,
        classes=classes,
        method=method,
        palette=palette,
        href=href,
        title=title,
        source=source,
    )


def municipality_choropleth(
    values: pl.DataFrame,
    *,
    prefecture: str,
    value_column: str,
    label: str,
    unit: str = "",
    wards: bool = True,
    code_column: str = "municipality_code",
    classes: int = 5,
    method: str = "quantile",
    palette: str = "blues",
    href: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> str:
    """The municipalities of ``prefecture`` (the drill-down): :func:`choropleth` on
    :func:`prefecture_view`, 政令指定都市 by ward unless ``wards=False``."""
    return choropleth(
        prefecture_view(prefecture, wards=wards),
        values,
        value_column=value_column,
        label=label,
        unit=unit,
        code_column=code_column,
        classes=classes,
        method=method,
        palette=palette,
        href=href,
        title=title,
        source=source,
    )


def block_choropleth(
    values: pl.DataFrame,
    *,
    block: str,
    value_column: str,
    label: str,
    unit: str = "",
    code_column: str = "prefecture_code",
    classes: int = 5,
    method: str = "quantile",
    palette: str = "blues",
    href: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> str:
    """The prefectures of METI block ``block`` (``block_code``, e.g. ``tohoku``): :func:`choropleth`
    on :func:`block_view`."""
    return choropleth(
        block_view(block),
        values,
        value_column=value_column,
        label=label,
        unit=unit,
        code_column=code_column,
        classes=classes,
        method=method,
        palette=palette,
        href=href,
        title=title,
        source=source,
    )
