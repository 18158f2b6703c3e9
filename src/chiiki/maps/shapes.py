"""The shipped boundaries as projected shapes, named from the reference tables (docs/maps.md).

``data/prefectures.topo.json`` and ``data/municipalities.topo.json`` are built by
``scripts/build_boundaries.py`` from 国土数値情報 N03 (2021-01-01); ``data/NOTICE.md`` lists how their
codes match the reference tables. Every reference prefecture and municipality has a shape: the
municipalities that have no polygon at this simplification (small islands such as 利島村, and 日吉津村)
get a *point shape* at their reference coordinates, drawn as a small circle. N03 areas the reference
tables lack (the 北方領土 villages) are *context* shapes: drawn, named, but never data regions.

Shapes are decoded and projected once per process (cached) and never changed afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import polars as pl

from chiiki.maps.projection import project
from chiiki.maps.topojson import Polygon, object_polygons
from chiiki.reference import municipalities, prefectures

_DATA = resources.files("chiiki.maps").joinpath("data")


@dataclass(frozen=True, eq=False)
class Shape:
    """One region's projected geometry.

    ``polygons``: each an exterior ring then holes, ``(n, 2)`` arrays in km (:func:`project`);
    ``centres``: (longitude, latitude) of each polygon's bounding-box centre, for rules that speak in
    degrees (the national inset); ``point``: the projected reference location (municipalities; the
    only geometry of a point shape) and ``lonlat`` the same in degrees; ``is_data``: a region of the
    reference tables.
    """

    code: str
    name: str
    polygons: tuple[Polygon, ...]
    centres: tuple[tuple[float, float], ...]
    point: np.ndarray | None
    lonlat: tuple[float, float] | None = None
    is_data: bool = True


def _read_topology(name: str) -> dict:
    return json.loads(_DATA.joinpath(name).read_text("utf-8"))


def _shape(code: str, name: str, polygons: list[Polygon], lonlat=None, is_data: bool = True) -> Shape:
    centres = tuple(
        (float((p[0][:, 0].min() + p[0][:, 0].max()) / 2), float((p[0][:, 1].min() + p[0][:, 1].max()) / 2))
        for p in polygons
    )
    projected = tuple(tuple(project(ring) for ring in polygon) for polygon in polygons)
    point = None if lonlat is None else project(np.array([lonlat]))[0]
    return Shape(code, name, projected, centres, point, lonlat, is_data)


@cache
def prefecture_shapes() -> tuple[Shape, ...]:
    """The 47 prefectures in code order (``code`` "01".."47", ``name`` 北海道 …)."""
    names = dict(zip(prefectures()["prefecture_code"], prefectures()["name"], strict=True))
    found = {
        p["code"]: polygons
        for p, polygons in object_polygons(_read_topology("prefectures.topo.json"), "prefectures")
    }
    return tuple(_shape(code, names[code], found[code]) for code in sorted(names))


@cache
def _municipality_polygons() -> tuple[dict[str, list[Polygon]], dict[str, str]]:
    topology = _read_topology("municipalities.topo.json")
    polygons, context_names = {}, {}
    for obj in ("municipalities", "designated_cities"):
        for props, found in object_polygons(topology, obj):
            polygons[props["code"]] = found
            if "name" in props:
                context_names[props["code"]] = props["name"]
    return polygons, context_names


@cache
def municipality_shapes(*, wards: bool) -> tuple[Shape, ...]:
    """Every reference municipality in code order, 政令指定都市 by ward (``wards=True``) or as whole
    cities (``wards=False``), followed by the context shapes (北方領土 villages, ``is_data=False``).

    ``code`` is the 5-digit JIS X 0402 code without the check digit; ``name`` the reference name
    (wards with their city, e.g. 札幌市中央区).
    """
    polygons, context_names = _municipality_polygons()
    ref = (
        municipalities()
        .filter(pl.col("kind") != ("designated_city" if wards else "ward"))
        .sort("municipality_code")
    )
    shapes = [
        _shape(code, name, polygons.get(code, []), (lng, lat))
        for code, name, lng, lat in zip(
            ref["municipality_code"], ref["name"], ref["lng"], ref["lat"], strict=True
        )
    ]
    shapes += [
        _shape(code, name, polygons[code], is_data=False) for code, name in sorted(context_names.items())
    ]
    return tuple(shapes)


@cache
def ward_cities() -> dict[str, str]:
    """Ward code → its 政令指定都市's code (a ward is named after its city, as in the reference)."""
    ref = municipalities()
    cities = ref.filter(kind="designated_city")
    wards = ref.filter(kind="ward")
    out = {}
    for city, name in zip(cities["municipality_code"], cities["name"], strict=True):
        members = wards.filter(
            (pl.col("municipality_code").str.slice(0, 2) == city[:2]) & pl.col("name").str.starts_with(name)
        )
        out.update(dict.fromkeys(members["municipality_code"], city))
    return out


@cache
def municipality_points() -> dict[str, np.ndarray]:
    """Projected reference location (the municipal office) of every municipality, ward and city."""
    ref = municipalities()
    return dict(zip(ref["municipality_code"], project(ref.select("lng", "lat").to_numpy()), strict=True))
