"""Map views: which regions a map shows and their SVG path data, computed once per view (docs/maps.md).

A view is the geometry half of a map: regions (code, name, path data, anchor point) laid out on the
canvas by :mod:`chiiki.maps.layout`. Views are cached (``functools.cache``): a process projects and
formats each view's paths once, and every later map of that view only assembles strings.

- :func:`japan_view`: all 47 prefectures (or all municipalities), the 南西諸島 as an inset;
- :func:`prefecture_view`: one prefecture's municipalities (the drill-down), 政令市 by ward or whole;
- :func:`block_view`: the prefectures of one METI block (SPEC §1: 東北 = 02–07 …).

Path data are integer canvas units, relative (``l``) moves, one path per region (``fill-rule:
evenodd`` draws holes). A region too small to draw at the view's scale, or without a polygon, is a
small circle at its anchor (a *point region*).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from chiiki.maps.layout import Frame, Layout, fitted_layout, national_layout
from chiiki.maps.shapes import Shape, municipality_points, municipality_shapes, prefecture_shapes, ward_cities
from chiiki.reference import blocks, prefectures

POINT_RADIUS = 5
LEVELS = ("prefecture", "municipality")
LEVEL_WORDS = {"prefecture": "都道府県", "municipality": "市区町村"}


@dataclass(frozen=True)
class Region:
    """One drawn region: ``path`` (SVG path data), ``anchor`` (canvas point for lines and labels),
    ``is_point`` (drawn as a circle: no polygon at this scale)."""

    code: str
    name: str
    path: str
    anchor: tuple[float, float]
    is_point: bool


@dataclass(frozen=True)
class MapView:
    """A map's geometry: ``regions`` (data regions in code order), ``context`` (drawn, never data),
    ``frames`` (the main frame, then insets), canvas ``width`` × ``height``, ``name`` of the area
    (全国, 福島県, 東北), ``level`` (prefecture / municipality) and ``omitted`` (a sentence on what the
    map leaves out, or "")."""

    key: str
    name: str
    level: str
    width: float
    height: float
    regions: tuple[Region, ...]
    context: tuple[Region, ...]
    frames: tuple[Frame, ...]
    omitted: str
    points: dict[str, tuple[float, float]] = field(repr=False)

    def locate(self, code: str) -> tuple[float, float] | None:
        """Canvas point for a region code (prefecture "07" or municipality "07201"), ``None`` when it is
        not on this map. A municipality on a prefecture map sits at its municipal office."""
        return self.points.get(code)

    @property
    def level_word(self) -> str:
        return LEVEL_WORDS[self.level]


def _largest(shape: Shape) -> int:
    return int(np.argmax([abs(_area(p[0])) for p in shape.polygons]))


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _centroid(ring: np.ndarray) -> np.ndarray:
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return ring.mean(axis=0)
    return np.array([((x[:-1] + x[1:]) * cross).sum(), ((y[:-1] + y[1:]) * cross).sum()]) / (6 * a)


def _ring_path(points: np.ndarray) -> str:
    """Closed ring in integer canvas units as ``M x y l dx dy … z`` ("" when it collapses)."""
    p = np.rint(points).astype(np.int64)
    p = p[np.r_[True, np.any(p[1:] != p[:-1], axis=1)]]
    if len(p) > 1 and (p[-1] == p[0]).all():
        p = p[:-1]
    if len(p) < 3:
        return ""
    steps = " ".join(map(str, np.diff(p, axis=0).ravel().tolist())).replace(" -", "-")
    return f"M{p[0, 0]} {p[0, 1]}l{steps}z"


def _circle(x: float, y: float, r: float = POINT_RADIUS) -> str:
    return f"M{x - r:.0f} {y:.0f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0z"


def _regions(shapes: list[Shape], layout: Layout) -> tuple[list[Region], dict[str, list[int]]]:
    """Regions of ``shapes`` placed by ``layout`` (one assignment per polygon, shapes in order), and
    the frames each region's polygons use."""
    frames, assignment = layout.frames, iter(layout.assignment)
    regions, used = [], {}
    for shape in shapes:
        where = [next(assignment) for _ in shape.polygons]
        used[shape.code] = sorted({f for f in where if f >= 0})
        path = "".join(
            _ring_path(frames[f].place(ring))
            for polygon, f in zip(shape.polygons, where, strict=True)
            if f >= 0
            for ring in polygon
        )
        if shape.polygons and where[_largest(shape)] >= 0:
            k = _largest(shape)
            frame = frames[where[k]]
            point = (
                shape.point
                if shape.point is not None and frame.contains(shape.point)
                else _centroid(shape.polygons[k][0])
            )
            anchor = frame.place(point[None, :])[0]
        elif shape.point is not None and frames[0].contains(shape.point):
            anchor = frames[0].place(shape.point[None, :])[0]
        else:
            continue
        x, y = round(float(anchor[0]), 1), round(float(anchor[1]), 1)
        regions.append(Region(shape.code, shape.name, path or _circle(x, y), (x, y), not path))
    return regions, used


def _polygon_table(shapes: list[Shape]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """Per polygon: projected box, area, (lon, lat) centre, region name and region code; point shapes
    count as a tiny polygon at their point."""
    boxes, areas, centres, names, codes = [], [], [], [], []
    for s in shapes:
        for polygon, centre in zip(s.polygons, s.centres, strict=True):
            ring = polygon[0]
            boxes.append([ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max()])
            areas.append(abs(_area(ring)))
            centres.append(centre)
            names.append(s.name)
            codes.append(s.code)
    return np.array(boxes), np.array(areas), np.array(centres), names, codes


def _with_points(shapes: list[Shape]) -> list[Shape]:
    """Point shapes get a tiny square polygon at their point so that the layout places them."""
    out = []
    for s in shapes:
        if s.polygons or s.point is None:
            out.append(s)
            continue
        x, y = s.point
        d = 1e-6
        square = np.array([[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]])
        out.append(Shape(s.code, s.name, ((square,),), (s.lonlat,), s.point, s.lonlat, s.is_data))
    return out


def _build(key: str, name: str, level: str, shapes: list[Shape], layout: Layout, omitted: str) -> MapView:
    placed, used = _regions(shapes, layout)
    data_codes = {s.code for s in shapes if s.is_data}
    regions = [r for r in placed if r.code in data_codes]
    context = [r for r in placed if r.code not in data_codes]
    points = {r.code: r.anchor for r in regions}
    cities = ward_cities()
    city_frames: dict[str, list[int]] = {}
    for ward, city in cities.items():
        city_frames.setdefault(city, []).extend(used.get(ward, []))
    prefs = {s.code[:2] for s in shapes}
    for code, xy in municipality_points().items():
        if code in points or code[:2] not in prefs:
            continue
        container = code[:2] if level == "prefecture" else cities.get(code, code)
        for f in used.get(container) or city_frames.get(code, []):
            if layout.frames[f].contains(xy):
                p = layout.frames[f].place(xy[None, :])[0]
                points[code] = (round(float(p[0]), 1), round(float(p[1]), 1))
                break
    return MapView(
        key,
        name,
        level,
        layout.width,
        layout.height,
        tuple(regions),
        tuple(context),
        layout.frames,
        omitted,
        points,
    )


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"地図の単位は {'・'.join(LEVELS)} のいずれかです（指定: {level}）。")


@cache
def japan_view(level: str = "prefecture", *, wards: bool = False) -> MapView:
    """All Japan by prefecture (``level="prefecture"``) or by municipality, the 南西諸島 (奄美群島, 沖縄県) as an inset
    (:func:`chiiki.maps.layout.national_layout`)."""
    _check_level(level)
    shapes = _with_points(
        list(prefecture_shapes() if level == "prefecture" else municipality_shapes(wards=wards))
    )
    boxes, _, centres, _, codes = _polygon_table(shapes)
    layout = national_layout(boxes, centres, [c[:2] for c in codes])
    omitted = (
        "東京都の小笠原諸島など、北緯30度以南・東経131.5度以東の島は全国図では省略しています。"
        if -1 in layout.assignment
        else ""
    )
    return _build(f"japan/{level}/{int(wards)}", "全国", level, shapes, layout, omitted)


def _prefecture_name(code: str) -> str:
    p = prefectures().filter(prefecture_code=code)
    if p.height == 0:
        raise ValueError(f"都道府県コード「{code}」は参照表にありません（01〜47 の2桁で指定してください）。")
    return p["name"][0]


@cache
def prefecture_view(code: str, *, wards: bool = True) -> MapView:
    """The municipalities of prefecture ``code`` ("01".."47"); 政令指定都市 by ward (``wards=True``,
    as firm data codes them) or as whole cities. Remote islands go into insets
    (:func:`chiiki.maps.layout.fitted_layout`)."""
    name = _prefecture_name(code)
    shapes = _with_points([s for s in municipality_shapes(wards=wards) if s.code[:2] == code])
    boxes, areas, _, names, _ = _polygon_table(shapes)
    return _build(
        f"prefecture/{code}/{int(wards)}",
        name,
        "municipality",
        shapes,
        fitted_layout(boxes, areas, names),
        "",
    )


@cache
def block_view(block: str) -> MapView:
    """The prefectures of METI block ``block`` (``block_code`` of :func:`chiiki.reference.blocks`,
    e.g. ``tohoku``)."""
    b = blocks().filter(block_code=block)
    if b.height == 0:
        raise ValueError(
            f"地域ブロック「{block}」は参照表にありません（{'・'.join(blocks()['block_code'])} のいずれかを指定してください）。"
        )
    members = set(b["prefecture_codes"][0])
    shapes = [s for s in prefecture_shapes() if s.code in members]
    boxes, areas, _, names, _ = _polygon_table(shapes)
    return _build(
        f"block/{block}", b["name"][0], "prefecture", shapes, fitted_layout(boxes, areas, names), ""
    )


def preload() -> None:
    """Decode, project and lay out the shipped boundaries now (the national views and both
    municipality sets), so that a server's first map request does not pay for it (docs/maps.md)."""
    japan_view("prefecture")
    japan_view("municipality")
    municipality_shapes(wards=False)
