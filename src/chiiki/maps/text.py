"""Text measurement for layout without a font engine: estimated widths and line wrapping.

Full-width and ambiguous-width characters (kanji, kana, full-width punctuation) count one em, every
other character 0.62 em: a little wider than the digits and Latin letters of common Japanese UI fonts
(IPAGothic 0.5 em, Noto Sans JP about 0.55 em), so that estimated lines are never too short.
"""

from __future__ import annotations

import re
import unicodedata


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` (full-width and ambiguous characters 1 em)."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "FWA" else 0.62 for c in text)


_TOKENS = re.compile(r"[!-~]+|\s|.", re.S)
"""Runs of printable ASCII stay together (words, numbers, URLs); anything else breaks anywhere."""


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (an over-long ASCII run is split too)."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        pieces = [token] if text_width(token, size) <= width else list(token)
        for piece in pieces:
            if line and text_width(line + piece, size) > width:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines
