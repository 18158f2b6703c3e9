"""Numbers on maps as Japanese readers expect them (docs/maps.md).

Amounts are written in the largest of 千円 / 百万円 / 億円 / 兆円 (at or above the data's own unit) in
which the largest class bound still has two digits before the point (so a legend reads 12〜45億円,
not 0.12〜0.45兆円); other units (社, 人, %, or none) keep their unit. One :class:`NumberStyle` writes
every number of one map (legend and tooltips alike), with thousands separators and the fewest
decimals (0–3) that keep distinct class bounds distinct.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from chiiki.maps.classify import merge_ties

YEN = {"円": 1.0, "千円": 1e3, "百万円": 1e6, "億円": 1e8, "兆円": 1e12}
"""Money units in yen, smallest first."""
MAX_DIGITS = 3


@dataclass(frozen=True)
class NumberStyle:
    """How one map writes numbers: values are divided by ``factor`` and shown with ``digits``
    decimals in ``unit``."""

    unit: str
    factor: float
    digits: int

    def number(self, value: float) -> str:
        """The value in this style's unit, without the unit (``1,234.5``)."""
        return f"{value / self.factor:,.{self.digits}f}"

    def text(self, value: float | None) -> str:
        """The value with its unit (``1,234.5億円``), or データなし."""
        if value is None or not math.isfinite(value):
            return "データなし"
        return f"{self.number(value)}{self.unit}"


def display_unit(largest: float, unit: str) -> tuple[str, float]:
    """(unit to show, factor to divide by) for amounts in ``unit`` whose largest magnitude is
    ``largest``; units that are not money come back unchanged with factor 1."""
    if unit not in YEN:
        return unit, 1.0
    base = YEN[unit]
    chosen = unit
    for name, yen in YEN.items():
        if yen >= base and largest * base / yen >= 10:
            chosen = name
    return chosen, YEN[chosen] / base


def decimals(bounds: np.ndarray, factor: float = 1.0) -> int:
    """Fewest decimals (0..3) at which the distinct ``bounds`` (divided by ``factor``) stay distinct."""
    b = np.unique(np.asarray(bounds, dtype=np.float64) / factor)
    for d in range(MAX_DIGITS + 1):
        if np.unique(_round_half_up(b, d)).size == b.size:
            return d
    return MAX_DIGITS


def _round_half_up(x: np.ndarray, digits: int) -> np.ndarray:
    scale = 10.0**digits
    return np.floor(np.asarray(x) * scale + 0.5) / scale


def number_style(bounds: np.ndarray, unit: str) -> NumberStyle:
    """The style for a map whose class bounds (in ``unit``) are ``bounds``."""
    b = np.asarray(bounds, dtype=np.float64)
    largest = float(np.abs(b).max()) if b.size else 0.0
    shown, factor = display_unit(largest, unit)
    return NumberStyle(shown, factor, decimals(b, factor))


def rounded_bounds(bounds: np.ndarray, style: NumberStyle) -> np.ndarray:
    """Class bounds as the legend writes them, in display units: inner bounds rounded half up to the
    style's decimals, the lowest rounded down and the highest rounded up (every value stays inside);
    bounds that round together are merged (:func:`chiiki.maps.classify.merge_ties`)."""
    b = np.asarray(bounds, dtype=np.float64) / style.factor
    if b.size == 0:
        return b
    scale = 10.0**style.digits
    out = _round_half_up(b, style.digits)
    low, high = b[0] * scale, b[-1] * scale
    # Tolerance for binary fractions: 0.3 × 10 is 2.9999999999999996, which must floor to 3.
    out[0] = math.floor(low + 1e-9 * max(1.0, abs(low))) / scale
    out[-1] = math.ceil(high - 1e-9 * max(1.0, abs(high))) / scale
    return merge_ties(out)
