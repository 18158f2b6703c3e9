"""Numbers for Japanese readers on maps (chiiki.maps.numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from chiiki.maps.numbers import NumberStyle, decimals, display_unit, number_style, rounded_bounds


@pytest.mark.parametrize(
    ("largest", "unit", "expected"),
    [
        (5_000, "千円", ("千円", 1.0)),  # 500万円: 5百万円 would have one digit
        (350_000, "千円", ("百万円", 1e3)),  # 3.5億円 → 350百万円
        (2_500_000, "千円", ("億円", 1e5)),  # 25億円
        (5e9, "千円", ("億円", 1e5)),  # 5兆円 → 50,000億円
        (2e10, "千円", ("兆円", 1e9)),  # 20兆円
        (1_500, "百万円", ("億円", 100.0)),  # input tables in 百万円
        (12_345, "社", ("社", 1.0)),
        (0.8, "", ("", 1.0)),
    ],
)
def test_display_unit_picks_the_largest_unit_with_two_digits(largest, unit, expected):
    assert display_unit(largest, unit) == expected


def test_decimals_are_the_fewest_that_keep_bounds_apart():
    assert decimals(np.array([12.0, 45.0, 78.0])) == 0
    assert decimals(np.array([0.21, 0.48, 1.33])) == 1
    assert decimals(np.array([0.121, 0.124, 0.2])) == 3
    assert decimals(np.array([1_200_000.0, 3_400_000.0]), factor=1e5) == 0


def test_rounded_bounds_floor_the_lowest_and_ceil_the_highest():
    style = NumberStyle("億円", 1e5, 1)
    # 0.34億, 1.25億, 2.0449億, 3.71億 (in 千円)
    got = rounded_bounds(np.array([34_000, 125_000, 204_490, 371_000]), style)
    np.testing.assert_allclose(got, [0.3, 1.3, 2.0, 3.8])


def test_number_style_writes_amounts_with_separators_and_units():
    style = number_style(np.array([40_000, 95_000_000]), "千円")  # 0.4億 .. 950億
    assert style.unit == "億円"
    assert style.text(123_456_789) == "1,235億円"
    assert style.text(None) == "データなし"
    assert style.text(float("nan")) == "データなし"
