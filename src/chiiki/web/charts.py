"""Server-rendered SVG charts and maps: they work offline, with no CDN or tile server (issue #7 §3).

Each function takes plain arrays or mappings and returns SVG markup (``markupsafe.Markup``) ready for
a Jinja2 template. Text in the charts is escaped. Pure functions: no I/O, no global state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from markupsafe import Markup, escape

from chiiki.maps.text import text_width

PALETTE = ("#1f6fb2", "#e07b39", "#3a9e5c", "#b23a48", "#7d5ba6", "#8c6d31", "#4d4d4d")

# Tile-grid map of the 47 prefectures: (column, row) of each JIS X 0401 code.
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "01": (11, 0), "02": (11, 1), "05": (10, 2), "03": (11, 2), "06": (10, 3), "04": (11, 3),
    "17": (7, 4), "16": (8, 4), "15": (9, 4), "07": (10, 4),
    "32": (2, 5), "31": (3, 5), "18": (6, 5), "21": (7, 5), "20": (8, 5), "10": (9, 5), "09": (10, 5),
    "08": (11, 5),
    "35": (1, 6), "34": (2, 6), "33": (3, 6), "28": (4, 6), "26": (5, 6), "25": (6, 6), "23": (7, 6),
    "19": (8, 6), "11": (9, 6), "13": (10, 6), "12": (11, 6),
    "41": (0, 7), "40": (1, 7), "27": (5, 7), "29": (6, 7), "24": (7, 7), "22": (8, 7), "14": (9, 7),
    "42": (0, 8), "43": (1, 8), "44": (2, 8), "38": (3, 8), "37": (4, 8), "30": (5, 8),
    "46": (0, 9), "45": (1, 9), "39": (3, 9), "36": (4, 9),
    "47": (0, 11),
}  # fmt: skip


def compact_number(v: float) -> str:
    """Compact number for axis ticks and labels, with 万 and 億 and never an exponent."""
    if v == 0:
        return "0"
    a = abs(v)
    for scale, suffix in ((1e8, "億"), (1e4, "万"), (1.0, "")):
        if a >= scale:
            x = v / scale
            return (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}") + suffix
    digits = min(-math.floor(math.log10(a)) + 1, 12)  # two significant digits, as a plain decimal
    return f"{v:.{digits}f}".rstrip("0").rstrip(".")


TICK_SIZE = 11.0
"""Font size of tick and legend text in SVG units (app.css ``svg.chart``, ``.tick``)."""


def fit_text(text: str, width: float, size: float = TICK_SIZE) -> str:
    """``text`` cut (with …) to fit ``width`` SVG units at font ``size`` (estimated widths of
    :func:`chiiki.maps.text.text_width`, a little wide on purpose): a label never runs off the chart."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def legend_items(
    labels: Sequence[str],
    *,
    x0: float,
    right: float,
    y0: float,
    swatch: float = 22,
    gap: float = 14,
    line: float = 16,
    size: float = TICK_SIZE,
) -> tuple[list[tuple[float, float, str]], float]:
    """Positions (x, y, label) of legend entries laid out left to right and wrapped into rows so
    that none passes ``right``; and the y below the last row."""
    out, x, y = [], x0, y0
    for lab in labels:
        lab = fit_text(lab, right - x0 - swatch, size)
        w = swatch + text_width(lab, size) + gap
        if x > x0 and x + w - gap > right:
            x, y = x0, y + line
        out.append((x, y, lab))
        x += w
    return out, y + line


def _svg(width: int, height: int, body: list[str], *, title: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def empty_chart(width: int, height: int, *, title: str, text: str = "表示できる点がありません") -> Markup:
    """A chart with nothing to draw: the frame and a sentence saying so."""
    return _svg(
        width,
        height,
        [f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">{escape(text)}</text>'],
        title=title,
    )


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten covering [lo, hi] (both > 0)."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    return [10.0**k for k in range(a, b + 1)]


def scatter_log_svg(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_cut: float | None = None,
    y_cut: float | None = None,
    cut_label: str = "",
    highlight: Sequence[bool] | np.ndarray | None = None,
    links: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    width: int = 640,
    height: int = 480,
) -> Markup:
    """Scatter plot on log–log axes with optional vertical/horizontal threshold lines (top-p % cuts).

    Points with a non-positive coordinate cannot sit on a log axis: they are left out and counted in
    a note under the chart.
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    hl = np.zeros(xs.shape, bool) if highlight is None else np.asarray(highlight, dtype=bool)
    ok = (xs > 0) & (ys > 0) & np.isfinite(xs) & np.isfinite(ys)
    left, right, top, bottom = 70, 20, 30, 55
    pw, ph = width - left - right, height - top - bottom
    if not ok.any():
        return empty_chart(width, height, title=title)
    body: list[str] = []
    xlo, xhi = float(xs[ok].min()), float(xs[ok].max())
    ylo, yhi = float(ys[ok].min()), float(ys[ok].max())
    if x_cut and x_cut > 0:
        xlo, xhi = min(xlo, x_cut), max(xhi, x_cut)
    if y_cut and y_cut > 0:
        ylo, yhi = min(ylo, y_cut), max(yhi, y_cut)
    xt, yt = log_ticks(xlo, xhi), log_ticks(ylo, yhi)
    lx0, lx1 = math.log10(xt[0]), math.log10(xt[-1]) + (1 if len(xt) == 1 else 0)
    ly0, ly1 = math.log10(yt[0]), math.log10(yt[-1]) + (1 if len(yt) == 1 else 0)

    def px(v: np.ndarray | float) -> np.ndarray | float:
        return left + (np.log10(v) - lx0) / (lx1 - lx0) * pw

    def py(v: np.ndarray | float) -> np.ndarray | float:
        return top + ph - (np.log10(v) - ly0) / (ly1 - ly0) * ph

    _axes(body, xt, yt, px, py, (left, top, pw, ph), x_label=x_label, y_label=y_label, height=height)
    idx = np.flatnonzero(ok)
    PX, PY = px(xs[idx]), py(ys[idx])
    order = np.argsort(hl[idx], kind="stable")  # highlighted points drawn last (on top)
    for k in order:
        i = idx[k]
        cls = "pt hl" if hl[i] else "pt"
        tip = f"<title>{escape(names[i])}</title>" if names is not None else ""
        circle = f'<circle cx="{PX[k]:.1f}" cy="{PY[k]:.1f}" r="{4 if hl[i] else 2.5}" class="{cls}">{tip}</circle>'
        if links is not None:
            circle = f'<a href="{escape(links[i])}">{circle}</a>'
        body.append(circle)
    if x_cut and x_cut > 0:
        X = px(x_cut)
        body.append(f'<line x1="{X:.1f}" y1="{top}" x2="{X:.1f}" y2="{top + ph}" class="cut"/>')
    if y_cut and y_cut > 0:
        Y = py(y_cut)
        body.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" class="cut"/>')
    if cut_label and (x_cut or y_cut):
        body.append(
            f'<text x="{left + pw - 4}" y="{top + 14}" text-anchor="end" class="cut-label">{escape(cut_label)}</text>'
        )
    dropped = int((~ok).sum())
    if dropped:
        body.append(
            f'<text x="{left}" y="{top - 10}" class="note">値が0の{dropped:,}社は対数軸に表示できないため省略</text>'
        )
    return _svg(width, height, body, title=title)


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float] | np.ndarray,
    *,
    title: str,
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "",
    width: int = 640,
    bar_height: int = 20,
) -> Markup:
    """Horizontal bar chart with a zero baseline (negative values extend left) and an optional
    reference line (e.g. LQ = 1)."""
    vals = np.asarray(values, dtype=float)
    vals = np.where(np.isfinite(vals), vals, 0.0)
    n = len(labels)
    left, right, top = 190, 80, 24
    height = top + n * (bar_height + 6) + 20
    pw = width - left - right
    lo = min(0.0, float(vals.min()) if n else 0.0, reference or 0.0)
    hi = max(0.0, float(vals.max()) if n else 0.0, reference or 0.0)
    span = (hi - lo) or 1.0

    def px(v: float) -> float:
        return left + (v - lo) / span * pw

    body = [f'<text x="{left}" y="14" class="note">{escape(unit)}</text>'] if unit else []
    zero = px(0.0)
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        y = top + i * (bar_height + 6)
        x0, x1 = sorted((zero, px(float(v))))
        cls = "bar neg" if v < 0 else "bar"
        body.append(
            f'<text x="{left - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" class="tick">{escape(fit_text(str(lab), left - 10))}</text>'
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" height="{bar_height}" class="{cls}">'
            f"<title>{escape(str(lab))}: {compact_number(float(v))}</title></rect>"
            f'<text x="{max(x1, zero) + 4:.1f}" y="{y + bar_height * 0.7:.1f}" class="tick">{compact_number(float(v))}</text>'
        )
    body.append(f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{height - 16}" class="axis"/>')
    if reference is not None:
        X = px(reference)
        body.append(f'<line x1="{X:.1f}" y1="{top - 4}" x2="{X:.1f}" y2="{height - 16}" class="cut"/>')
        body.append(
            f'<text x="{X + 3:.1f}" y="{height - 4}" class="cut-label">{escape(reference_label)}</text>'
        )
    return _svg(width, height, body, title=title)


def stacked_bar_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float] | np.ndarray],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    bar_height: int = 20,
) -> Markup:
    """Horizontal stacked bars (non-negative parts), one row per category, with a legend: e.g. the
    ripple effect by sector split into direct, first and second indirect effects."""
    names = list(series)
    mat = (
        np.column_stack([np.clip(np.nan_to_num(np.asarray(series[s], float)), 0, None) for s in names])
        if names
        else np.zeros((len(categories), 0))
    )
    n = len(categories)
    left, right = 190, 80
    items, below = legend_items(names, x0=10, right=width - 10, y0=6, swatch=16)
    top = int(below + (22 if unit else 8))
    height = top + n * (bar_height + 6) + 10
    pw = width - left - right
    hi = float(mat.sum(axis=1).max()) if n and mat.size else 1.0
    hi = hi or 1.0
    body = []
    for j, (x, y, lab) in enumerate(items):
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{x + 16:.1f}" y="{y + 10:.1f}" class="tick">{escape(lab)}</text>'
        )
    if unit:
        body.append(f'<text x="10" y="{below + 10:.1f}" class="note">{escape(unit)}</text>')
    for i, cat in enumerate(categories):
        y = top + i * (bar_height + 6)
        body.append(
            f'<text x="{left - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" class="tick">{escape(fit_text(str(cat), left - 10))}</text>'
        )
        x = float(left)
        for j, s in enumerate(names):
            w = mat[i, j] / hi * pw
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{PALETTE[j % len(PALETTE)]}">'
                    f"<title>{escape(str(cat))} {escape(s)}: {compact_number(float(mat[i, j]))}</title></rect>"
                )
            x += w
        body.append(
            f'<text x="{x + 4:.1f}" y="{y + bar_height * 0.7:.1f}" class="tick">{compact_number(float(mat[i].sum()))}</text>'
        )
    return _svg(width, height, body, title=title)


def tile_map_svg(
    prefecture_names: Mapping[str, str],
    *,
    title: str,
    fills: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    highlight: set[str] | frozenset[str] = frozenset(),
    legend: Sequence[tuple[str, str]] = (),
    tile: int = 54,
) -> Markup:
    """Tile-grid map of Japan's 47 prefectures: one square per prefecture, coloured by ``fills``
    (code → CSS colour), with a short value label and an optional link; ``highlight`` outlines the
    user's own region."""
    fills, labels, links = fills or {}, labels or {}, links or {}
    cols = max(c for c, _ in TILE_POSITIONS.values()) + 1
    rows = max(r for _, r in TILE_POSITIONS.values()) + 1
    width = cols * tile + 10
    items, below = legend_items(
        [lab for lab, _ in legend], x0=5, right=width - 5, y0=rows * tile + 10, swatch=16
    )
    height = int(below + 6) if legend else rows * tile + 10
    body = []
    for code, (c, r) in TILE_POSITIONS.items():
        x, y = 5 + c * tile, 5 + r * tile
        name = prefecture_names.get(code, code)
        short = name.removesuffix("県").removesuffix("府") if name not in ("東京都", "北海道") else name[:2]
        cls = "tile own" if code in highlight else "tile"
        fill = fills.get(code, "#e8ecef")
        cell = (
            f'<g class="{cls}" data-pref="{code}"><rect x="{x}" y="{y}" width="{tile - 3}" height="{tile - 3}" rx="4" '
            f'fill="{escape(fill)}"><title>{escape(name)} {escape(labels.get(code, ""))}</title></rect>'
            f'<text x="{x + (tile - 3) / 2}" y="{y + 20}" text-anchor="middle" class="tile-name">{escape(short)}</text>'
            f'<text x="{x + (tile - 3) / 2}" y="{y + 38}" text-anchor="middle" class="tile-value">'
            f"{escape(labels.get(code, ''))}</text></g>"
        )
        if code in links:
            cell = f'<a href="{escape(links[code])}">{cell}</a>'
        body.append(cell)
    for (x, y, lab), (_, colour) in zip(items, legend, strict=True):
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{escape(colour)}"/>'
            f'<text x="{x + 16:.1f}" y="{y + 10:.1f}" class="tick">{escape(lab)}</text>'
        )
    return _svg(width, height, body, title=title)


def point_map_svg(
    base_lat: Sequence[float] | np.ndarray,
    base_lng: Sequence[float] | np.ndarray,
    points: Sequence[tuple[float, float, str, str]],
    *,
    title: str,
    width: int = 520,
    height: int = 560,
) -> Markup:
    """Japan drawn from municipality centroids (faint dots, equirectangular) with coloured points on
    top: ``points`` are (lat, lng, css class, tooltip). Offline: the outline is the shipped
    municipality coordinates, no tiles."""
    lat, lng = np.asarray(base_lat, float), np.asarray(base_lng, float)
    ok = np.isfinite(lat) & np.isfinite(lng)
    lat, lng = lat[ok], lng[ok]
    lat0, lat1, lng0, lng1 = 24.0, 45.8, 122.8, 146.0
    if lat.size:
        lat0, lat1 = float(lat.min()) - 0.3, float(lat.max()) + 0.3
        lng0, lng1 = float(lng.min()) - 0.3, float(lng.max()) + 0.3
    sx = (width - 10) / (lng1 - lng0)
    sy = (height - 10) / (lat1 - lat0)
    s = min(sx, sy)

    def proj(la: np.ndarray | float, lo: np.ndarray | float) -> tuple:
        return 5 + (lo - lng0) * s, 5 + (lat1 - la) * s

    X, Y = proj(lat, lng)
    dots = "".join(f"M{a:.1f} {b:.1f}h0.01" for a, b in zip(X, Y, strict=True))
    body = [f'<path d="{dots}" class="base-dots"/>']
    for la, lo, cls, tip in points:
        if la is None or lo is None or not (math.isfinite(la) and math.isfinite(lo)):
            continue
        a, b = proj(la, lo)
        body.append(
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4" class="{escape(cls)}"><title>{escape(tip)}</title></circle>'
        )
    return _svg(width, height, body, title=title)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    count = int(math.ceil((hi - start) / step - 1e-9)) + 1
    return [round(start + k * step, 12) for k in range(count)]


def _axes(
    body: list[str],
    xt: list[float],
    yt: list[float],
    px,
    py,
    box: tuple[int, int, int, int],  # noqa: ANN001
    *,
    x_label: str,
    y_label: str,
    height: int,
    x_text=None,  # noqa: ANN001
) -> None:
    """Background, grid, ticks and axis labels of a linear plot."""
    left, top, pw, ph = box
    body.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" class="plot-bg"/>')
    for t in xt:
        X = px(t)
        body.append(f'<line x1="{X:.1f}" y1="{top}" x2="{X:.1f}" y2="{top + ph}" class="grid"/>')
        label = x_text(t) if x_text else compact_number(t)
        body.append(f'<text x="{X:.1f}" y="{top + ph + 16}" text-anchor="middle" class="tick">{label}</text>')
    for t in yt:
        Y = py(t)
        body.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" class="grid"/>')
        body.append(
            f'<text x="{left - 6}" y="{Y + 4:.1f}" text-anchor="end" class="tick">{compact_number(t)}</text>'
        )
    body.append(
        f'<text x="{left + pw / 2}" y="{height - 10}" text-anchor="middle" class="axis-label">{escape(x_label)}</text>'
    )
    body.append(
        f'<text x="16" y="{top + ph / 2}" text-anchor="middle" class="axis-label" '
        f'transform="rotate(-90 16 {top + ph / 2})">{escape(y_label)}</text>'
    )


def scatter_svg(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    title: str,
    x_label: str,
    y_label: str,
    names: Sequence[str] | None = None,
    label_top: int = 8,
    y_reference: float | None = None,
    width: int = 640,
    height: int = 440,
) -> Markup:
    """Scatter plot on linear axes (e.g. 稼ぐ力: 雇用比率 × log 特化係数, SPEC §4), with an optional
    horizontal reference line and the ``label_top`` largest-x points labelled."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    left, right, top, bottom = 70, 20, 20, 55
    pw, ph = width - left - right, height - top - bottom
    if not ok.any():
        return empty_chart(width, height, title=title)
    body: list[str] = []
    ylo, yhi = float(ys[ok].min()), float(ys[ok].max())
    if y_reference is not None:
        ylo, yhi = min(ylo, y_reference), max(yhi, y_reference)
    xt, yt = nice_ticks(min(0.0, float(xs[ok].min())), float(xs[ok].max())), nice_ticks(ylo, yhi)
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]

    def px(v):  # noqa: ANN001, ANN202
        return left + (v - x0) / ((x1 - x0) or 1.0) * pw

    def py(v):  # noqa: ANN001, ANN202
        return top + ph - (v - y0) / ((y1 - y0) or 1.0) * ph

    _axes(body, xt, yt, px, py, (left, top, pw, ph), x_label=x_label, y_label=y_label, height=height)
    if y_reference is not None:
        Y = py(y_reference)
        body.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" class="cut"/>')
    idx = np.flatnonzero(ok)
    taken: list[tuple[float, float, float, float]] = []
    labels: dict[int, tuple[float, float, str, str]] = {}
    for i in idx[np.argsort(-xs[idx], kind="stable")[:label_top]].tolist() if names is not None else []:
        X, Y = float(px(xs[i])), float(py(ys[i]))
        text = fit_text(names[i], 150)
        w = text_width(text, TICK_SIZE)
        x0, anchor = (X + 5, "start") if X + 5 + w <= left + pw else (X - 5 - w, "end")
        box = (x0, Y - 4 - TICK_SIZE, x0 + w, Y - 1)
        if (
            x0 < left
            or box[1] < top
            or any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken)
        ):
            continue  # no room: the name stays in the point's tooltip
        taken.append(box)
        labels[i] = (X + 5 if anchor == "start" else X - 5, Y - 4, anchor, text)
    for i in idx:
        X, Y = px(xs[i]), py(ys[i])
        tip = f"<title>{escape(names[i])}</title>" if names is not None else ""
        body.append(f'<circle cx="{X:.1f}" cy="{Y:.1f}" r="4" class="pt">{tip}</circle>')
    for lx, ly, anchor, text in labels.values():
        body.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="tick">{escape(text)}</text>'
        )
    return _svg(width, height, body, title=title)


def line_chart_svg(
    years: Sequence[int],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    unit: str = "",
    dashed: Sequence[str] = (),
    width: int = 560,
    height: int = 300,
) -> Markup:
    """Yearly lines (e.g. a KPI's targets dashed and actuals solid, SPEC §6.3); a missing value breaks
    the line, a single value is a dot."""
    ys_all = [float(v) for s in series.values() for v in s if v is not None and math.isfinite(float(v))]
    left, right, bottom = 80, 20, 45
    items, below = legend_items(list(series), x0=10, right=width - 10, y0=8)
    top = int(below + 10)
    height += top - 34
    pw, ph = width - left - right, height - top - bottom
    if not years or not ys_all:
        return empty_chart(width, height, title=title, text="データがありません")
    body: list[str] = []
    yt = nice_ticks(min(0.0, min(ys_all)), max(ys_all))
    y0, y1 = yt[0], yt[-1]
    n = len(years)

    def px(k):  # noqa: ANN001, ANN202
        return left + (k + 0.5) / n * pw

    def py(v):  # noqa: ANN001, ANN202
        return top + ph - (v - y0) / ((y1 - y0) or 1.0) * ph

    _axes(body, list(range(n)), yt, px, py, (left, top, pw, ph), x_label="年度", y_label=unit, height=height,
          x_text=lambda k: str(years[int(k)]))  # fmt: skip
    for j, (name, values) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if name in dashed else ""
        x, y, lab = items[j]
        body.append(
            f'<line x1="{x:.1f}" y1="{y + 6:.1f}" x2="{x + 18:.1f}" y2="{y + 6:.1f}" stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{x + 22:.1f}" y="{y + 10:.1f}" class="tick">{escape(lab)}</text>'
        )
        run: list[str] = []
        for k, v in enumerate(values):
            if v is None or not math.isfinite(float(v)):
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
                    )
                run = []
                continue
            X, Y = px(k), py(float(v))
            run.append(f"{X:.1f},{Y:.1f}")
            body.append(
                f'<circle cx="{X:.1f}" cy="{Y:.1f}" r="3" fill="{colour}"><title>{escape(name)} {years[k]}年度: '
                f"{compact_number(float(v))}</title></circle>"
            )
        if len(run) > 1:
            body.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
    return _svg(width, height, body, title=title)
