"""TopoJSON decoding (chiiki.maps.topojson) against hand-made topologies and the real Fukushima files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chiiki.maps.topojson import decode_arcs, geometry_polygons, object_polygons, ring_coordinates

FUKUSHIMA_TOPO = "boundaries/topojson_s0010_N03-21_07_210101.json"
FUKUSHIMA_GEO = "boundaries/geojson_s0010_N03-21_07_210101.json"


def test_decode_arcs_undoes_quantisation_and_delta_encoding():
    # Arc 0: (1,2) then steps (+2,0), (0,+3); arc 1: (3,5), step (-1,-1). scale (0.5, 2), translate (10, 20).
    topology = {
        "arcs": [[[1, 2], [2, 0], [0, 3]], [[3, 5], [-1, -1]]],
        "transform": {"scale": [0.5, 2], "translate": [10, 20]},
    }
    a0, a1 = decode_arcs(topology)
    np.testing.assert_allclose(a0, [[10.5, 24], [11.5, 24], [11.5, 30]])
    np.testing.assert_allclose(a1, [[11.5, 30], [11, 28]])


def test_decode_arcs_without_transform_keeps_positions():
    a0, a1 = decode_arcs({"arcs": [[[139.5, 35.0], [139.6, 35.1]], [[1.0, 2.0], [3.0, 4.0]]]})
    np.testing.assert_array_equal(a0, [[139.5, 35.0], [139.6, 35.1]])
    np.testing.assert_array_equal(a1, [[1.0, 2.0], [3.0, 4.0]])


def test_ring_coordinates_joins_arcs_and_reverses_negative_indices():
    arcs = [np.array([[0.0, 0], [1, 0], [1, 1]]), np.array([[0.0, 0], [0, 1], [1, 1]])]
    ring = ring_coordinates([0, ~1], arcs)  # along arc 0, back along arc 1
    np.testing.assert_array_equal(ring, [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]])


def test_geometry_polygons_rejects_lines():
    with pytest.raises(ValueError, match="LineString"):
        geometry_polygons({"type": "LineString", "arcs": [0]}, [np.zeros((2, 2))])


def test_object_polygons_names_a_missing_object():
    with pytest.raises(ValueError, match="「towns」"):
        object_polygons({"arcs": [], "objects": {"cities": {}}}, "towns")


def _same_ring(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Same closed ring up to starting point and orientation, every position within ``tol`` degrees."""
    a, b = a[:-1], b[:-1]
    if len(a) != len(b):
        return False
    for candidate in (b, b[::-1]):
        start = int(np.argmin(np.abs(candidate - a[0]).sum(axis=1)))
        if np.abs(np.roll(candidate, -start, axis=0) - a).max() <= tol:
            return True
    return False


def test_fukushima_topojson_decodes_to_the_geojson_rings(shared_data):
    topology = json.loads((shared_data / FUKUSHIMA_TOPO).read_text("utf-8"))
    features = json.loads((shared_data / FUKUSHIMA_GEO).read_text("utf-8"))["features"]
    decoded = {p["N03_007"]: polygons for p, polygons in object_polygons(topology, "N03-21_07_210101")}
    assert len(decoded) == len(features) == 59
    # Quantisation step of this file: 1.7e-4° × 1.3e-4°; half a step is the most a position can move.
    tol = max(topology["transform"]["scale"]) / 2 + 1e-9
    for feature in features:
        geometry = feature["geometry"]
        expected = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        got = decoded[feature["properties"]["N03_007"]]
        assert len(got) == len(expected)
        for polygon, rings in zip(got, expected, strict=True):
            assert len(polygon) == len(rings)
            for ring, coords in zip(polygon, rings, strict=True):
                assert _same_ring(ring, np.asarray(coords), tol), feature["properties"]["N03_004"]
