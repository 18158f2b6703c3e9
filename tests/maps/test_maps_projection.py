"""The Albers equal-area projection (chiiki.maps.projection) and the areas it gives real prefectures."""

from __future__ import annotations

import numpy as np
import pytest

from chiiki.maps.projection import EARTH_RADIUS_KM, ORIGIN, STANDARD_PARALLELS, project
from chiiki.maps.shapes import prefecture_shapes


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def test_origin_projects_to_zero():
    np.testing.assert_allclose(project(np.array([ORIGIN])), [[0.0, 0.0]], atol=1e-9)


def test_central_meridian_is_straight_and_north_is_up():
    xy = project(np.array([[ORIGIN[0], 30.0], [ORIGIN[0], 40.0], [ORIGIN[0], 45.0]]))
    np.testing.assert_allclose(xy[:, 0], 0.0, atol=1e-9)
    assert xy[0, 1] < 0 < xy[1, 1] < xy[2, 1]


def test_cell_areas_equal_the_sphere():
    # A 0.5° × 0.5° cell at 43°N, 145°E (densified edges): area on the sphere R²·Δλ·(sin φ2 − sin φ1).
    lon0, lat0, d = 145.0, 43.0, 0.5
    t = np.linspace(0, 1, 200)
    edges = [
        np.column_stack([lon0 + d * t, np.full_like(t, lat0)]),
        np.column_stack([np.full_like(t, lon0 + d), lat0 + d * t]),
        np.column_stack([lon0 + d * t[::-1], np.full_like(t, lat0 + d)]),
        np.column_stack([np.full_like(t, lon0), lat0 + d * t[::-1]]),
    ]
    cell = np.vstack(edges)
    sphere = EARTH_RADIUS_KM**2 * np.radians(d) * (np.sin(np.radians(lat0 + d)) - np.sin(np.radians(lat0)))
    assert _ring_area(project(cell)) == pytest.approx(sphere, rel=1e-6)


@pytest.mark.parametrize("lat", STANDARD_PARALLELS)
def test_standard_parallels_keep_their_length(lat):
    # Along a standard parallel the scale is true: 1° of longitude = R·cos φ·π/180 km.
    a, b = project(np.array([[136.5, lat], [137.5, lat]]))
    chord = np.hypot(*(b - a))
    assert chord == pytest.approx(EARTH_RADIUS_KM * np.cos(np.radians(lat)) * np.radians(1.0), rel=1e-4)


# 国土地理院「全国都道府県市区町村別面積調」(2021-01-01), km² (北海道 with the 北方領土).
OFFICIAL_AREAS = {"01": 83424, "03": 15275, "07": 13784, "15": 12584, "20": 13562}


@pytest.mark.parametrize("code", sorted(OFFICIAL_AREAS))
def test_projected_prefecture_areas_match_the_official_areas(code):
    shape = next(s for s in prefecture_shapes() if s.code == code)
    area = -sum(_ring_area(ring) for polygon in shape.polygons for ring in polygon)  # clockwise exteriors
    assert area == pytest.approx(OFFICIAL_AREAS[code], rel=0.015)
