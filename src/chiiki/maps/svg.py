"""SVG assembly shared by every map: the document (accessible, scalable), text, legend rows, credit.

A map is one ``<svg>`` with ``role="img"``, a ``<title>`` and a ``<desc>`` it is labelled by, a viewBox
and no fixed size (it takes its container's width, down to a 390 px phone). Layout is in canvas
units (``chiiki.maps.layout.WIDTH`` = 1,000 wide); text sizes are chosen so that a phone still shows
legend text at about 11 px. Text widths are estimated (full-width characters one em, others 0.62 em)
so that nothing is clipped: long lines wrap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from chiiki.maps.credit import CREDIT
from chiiki.maps.layout import MARGIN, WIDTH
from chiiki.maps.text import text_width, wrap

FONT = "'Hiragino Sans','Noto Sans JP','IPAexGothic','IPAGothic','Yu Gothic',sans-serif"
TITLE_SIZE = 34.0
TEXT_SIZE = 28.0
SMALL_SIZE = 22.0
LINE = 1.35
"""Line height as a multiple of the font size."""
SWATCH = (40.0, 26.0)
INK, MUTED, FRAME = "#212121", "#616161", "#9e9e9e"


def esc(text: str) -> str:
    """``text`` safe inside an element or a double-quoted attribute."""
    return escape(str(text), {'"': "&quot;"})


@dataclass(frozen=True)
class Block:
    """A stacked part of the canvas: its markup drawn from y = 0 and its height."""

    svg: str
    height: float


def text_block(
    text: str, *, size: float, colour: str = INK, weight: str = "normal", width: float = WIDTH - 2 * MARGIN
) -> Block:
    """``text`` wrapped to ``width`` at ``size``, left-aligned at the margin."""
    lines = wrap(text, width, size)
    rows = "".join(
        f'<text x="{MARGIN:g}" y="{(i + 1) * size * LINE - size * (LINE - 1):.1f}">{esc(line)}</text>'
        for i, line in enumerate(lines)
    )
    attrs = f'font-size="{size:g}" fill="{colour}"' + (
        f' font-weight="{weight}"' if weight != "normal" else ""
    )
    return Block(f"<g {attrs}>{rows}</g>", len(lines) * size * LINE)


@dataclass(frozen=True)
class LegendRow:
    """A legend entry: a swatch (``fill`` of a rectangle, or a line ``stroke`` markup) and its text."""

    text: str
    swatch: str


def rect_swatch(fill: str) -> str:
    return f'<rect width="{SWATCH[0]:g}" height="{SWATCH[1]:g}" fill="{fill}" stroke="{FRAME}" stroke-width="1"/>'


def legend_block(title: str, rows: list[LegendRow], notes: list[str]) -> Block:
    """Legend: a heading, entries (in two columns when every entry fits half the width; long entries
    wrap in one column), then notes in small type."""
    head = text_block(title, size=TEXT_SIZE, weight="bold")
    usable = WIDTH - 2 * MARGIN
    label_x = SWATCH[0] + 12
    widest = max((text_width(r.text, TEXT_SIZE) for r in rows), default=0.0)
    columns = 2 if len(rows) > 3 and label_x + widest <= usable / 2 - 20 else 1
    lines = [wrap(r.text, usable / columns - label_x, TEXT_SIZE) or [""] for r in rows]
    heights = [len(row_lines) * TEXT_SIZE * LINE + 4 for row_lines in lines]
    per_column = -(-len(rows) // columns)
    parts, column_heights = [], [0.0] * columns
    for i, (row, row_lines) in enumerate(zip(rows, lines, strict=True)):
        c = i // per_column
        x, y = MARGIN + c * usable / 2, head.height + 8 + column_heights[c]
        text = "".join(
            f'<text x="{label_x:g}" y="{TEXT_SIZE * 0.85 + j * TEXT_SIZE * LINE:.1f}">{esc(line)}</text>'
            for j, line in enumerate(row_lines)
        )
        parts.append(f'<g transform="translate({x:.1f},{y:.1f})">{row.swatch}{text}</g>')
        column_heights[c] += heights[i]
    body_h = head.height + 8 + max(column_heights, default=0.0)
    svg = f'{head.svg}<g font-size="{TEXT_SIZE:g}" fill="{INK}">{"".join(parts)}</g>'
    for note in notes:
        block = text_block(note, size=SMALL_SIZE, colour=MUTED)
        svg += f'<g transform="translate(0,{body_h:.1f})">{block.svg}</g>'
        body_h += block.height
    return Block(svg, body_h)


def stack(blocks: list[Block], gap: float = MARGIN) -> Block:
    """Blocks one under another, ``gap`` apart."""
    parts, y = [], 0.0
    for block in blocks:
        parts.append(f'<g transform="translate(0,{y:.1f})">{block.svg}</g>')
        y += block.height + gap
    return Block("".join(parts), y - gap if blocks else 0.0)


def credit_block() -> Block:
    """The boundaries' source credit (:data:`chiiki.maps.credit.CREDIT`), required on every map."""
    block = text_block(f"地図：{CREDIT}", size=SMALL_SIZE, colour=MUTED)
    return Block(f'<g class="credit">{block.svg}</g>', block.height)


def map_id(*parts: str) -> str:
    """A stable id for one map's internal references (pattern ids, aria-labelledby)."""
    return "map-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


def document(*, uid: str, title: str, desc: str, blocks: list[Block], defs: str = "", css: str = "") -> str:
    """The complete SVG: accessible name and description, the blocks stacked, the credit last."""
    body = stack([text_block(title, size=TITLE_SIZE, weight="bold"), *blocks, credit_block()])
    height = body.height + 2 * MARGIN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" class="chiiki-map" viewBox="0 0 {WIDTH:g} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMidYMin meet" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{esc(FONT)}" style="max-width:100%;height:auto">'
        f'<title id="{uid}-title">{esc(title)}</title><desc id="{uid}-desc">{esc(desc)}</desc>'
        f"{f'<defs>{defs}</defs>' if defs else ''}{f'<style>{css}</style>' if css else ''}"
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<g transform="translate(0,{MARGIN:g})">{body.svg}</g></svg>'
    )
