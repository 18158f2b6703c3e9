"""Decode TopoJSON (https://github.com/topojson/topojson-specification) into coordinate rings.

A topology stores each shared border once as an *arc*; a polygon ring is a list of arc indices, where
index ``~i`` (``-i - 1``) means arc ``i`` reversed. With a ``transform`` the arcs are quantised and
delta-encoded: the first position of an arc is absolute, the others are steps from the previous one,
and position ``(x, y)`` stands for ``(x·scale_x + translate_x, y·scale_y + translate_y)``.

Only what maps need is decoded: Polygon and MultiPolygon geometries (others raise), two-dimensional
positions. Rings come back as ``(n, 2)`` float arrays of (longitude, latitude), closed (first
position repeated at the end), in the topology's orientation.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

Ring = np.ndarray
Polygon = list[Ring]
"""A polygon: its exterior ring, then its holes."""


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """All arcs of ``topology`` as absolute coordinates, one ``(n, 2)`` array each.

    Delta decoding is one cumulative sum over all arcs at once, less the running total at each
    arc's start, so no Python loop touches a position.
    """
    arcs = topology["arcs"]
    lengths = np.fromiter((len(a) for a in arcs), dtype=np.int64, count=len(arcs))
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(arcs)), dtype=np.float64)
    if flat.size != 2 * lengths.sum():
        raise ValueError("TopoJSON の座標は2次元（経度・緯度）にしてください。")
    positions = flat.reshape(-1, 2)
    ends = np.cumsum(lengths)
    transform = topology.get("transform")
    if transform is not None:
        running = np.cumsum(positions, axis=0)
        before = np.vstack([np.zeros((1, 2)), running[ends[:-1] - 1]])
        positions = (running - np.repeat(before, lengths, axis=0)) * transform["scale"] + transform[
            "translate"
        ]
    return np.split(positions, ends[:-1])


def ring_coordinates(ring: list[int], arcs: list[np.ndarray]) -> Ring:
    """The closed ring made of the arcs ``ring`` (``~i`` = arc ``i`` reversed); each arc after the
    first starts where the previous one ended, so its first position is dropped."""
    parts = [arcs[a] if a >= 0 else arcs[~a][::-1] for a in ring]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def geometry_polygons(geometry: dict, arcs: list[np.ndarray]) -> list[Polygon]:
    """The polygons of a Polygon or MultiPolygon geometry (empty for a null geometry)."""
    kind = geometry.get("type")
    if kind is None:
        return []
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(
            f"TopoJSON のジオメトリ型 {kind} には対応していません（Polygon / MultiPolygon のみ）。"
        )
    return [[ring_coordinates(r, arcs) for r in polygon] for polygon in polygons]


def object_polygons(topology: dict, name: str) -> list[tuple[dict, list[Polygon]]]:
    """``(properties, polygons)`` of every geometry of the GeometryCollection ``name``."""
    if name not in topology.get("objects", {}):
        raise ValueError(
            f"TopoJSON にオブジェクト「{name}」がありません: {sorted(topology.get('objects', {}))}"
        )
    arcs = decode_arcs(topology)
    return [
        (g.get("properties") or {}, geometry_polygons(g, arcs))
        for g in topology["objects"][name]["geometries"]
    ]
