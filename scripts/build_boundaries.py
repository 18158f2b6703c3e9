"""Rebuild the shipped boundary files under ``src/chiiki/maps/data`` (docs/maps.md).

Run by a developer when the source boundaries change, never at run time (no network at run time):

    python scripts/build_boundaries.py --source ../shared/data/boundaries

Source: the simplified 国土数値情報 行政区域データ (N03, 2021-01-01) in smartnews-smri/japan-topography
(see that folder's README.md for its terms; the MLIT credit is required wherever a map is shown).

What it writes (compact TopoJSON, quantised as the source is, minified):

* ``prefectures.topo.json``: object ``prefectures``, 47 geometries with property ``code`` ("01".."47"),
  from ``topojson_s0001_prefectures.json`` (prefecture names matched to the reference table).
* ``municipalities.topo.json``: from ``topojson_s0001_N03-21_210101.json``; object ``municipalities``
  holds every municipality and 政令市 ward with property ``code`` (N03_007, 5 digits without the check
  digit) and object ``designated_cities`` the 20 政令指定都市 merged from their wards in the same
  topology (the arcs that only one ward of a city uses form the city's rings). Areas without a code
  (所属未定地) are left out; codes that the reference tables lack (the 北方領土 villages) keep their
  N03 name in property ``name``. Arcs no geometry uses are dropped.
* ``NOTICE.md``: the source, the credit line and the code check against the reference tables.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from chiiki.maps.credit import CREDIT, SOURCE_NOTE
from chiiki.reference import municipalities, prefectures

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "chiiki" / "maps" / "data"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "boundaries"
MUNICIPALITY_FILE = "topojson_s0001_N03-21_210101.json"
PREFECTURE_FILE = "topojson_s0001_prefectures.json"


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def _absolute_arcs(topology: dict) -> list[np.ndarray]:
    """Quantised arcs as absolute integer positions (delta decoding only)."""
    return [np.cumsum(np.asarray(a, dtype=np.int64), axis=0) for a in topology["arcs"]]


def _ring_points(ring: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = [arcs[a] if a >= 0 else arcs[~a][::-1] for a in ring]
    return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])


def _signed_area(points: np.ndarray) -> float:
    x, y = points[:, 0].astype(float), points[:, 1].astype(float)
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _contains(points: np.ndarray, p: np.ndarray) -> bool:
    """Even-odd point-in-polygon test of point ``p`` against the closed ring ``points``."""
    x, y = points[:-1, 0].astype(float), points[:-1, 1].astype(float)
    x2, y2 = points[1:, 0].astype(float), points[1:, 1].astype(float)
    crosses = (y > p[1]) != (y2 > p[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x + (p[1] - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(crosses & (p[0] < xs)) % 2)


def merge_polygons(polygons: list[list[list[int]]], arcs: list[np.ndarray]) -> list[list[list[int]]]:
    """Union of topological polygons: the arcs used exactly once form the rings of the union.

    Rings are stitched end to start; exterior rings keep the source orientation (clockwise in
    TopoJSON), rings of the other orientation are holes, each put in the smallest exterior holding it.
    """
    uses = Counter(a if a >= 0 else ~a for poly in polygons for ring in poly for a in ring)
    boundary = [a for poly in polygons for ring in poly for a in ring if uses[a if a >= 0 else ~a] == 1]

    def ends(a: int) -> tuple[tuple[int, int], tuple[int, int]]:
        pts = arcs[a] if a >= 0 else arcs[~a][::-1]
        return tuple(pts[0]), tuple(pts[-1])

    by_start: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a in boundary:
        by_start[ends(a)[0]].append(a)
    used: set[int] = set()
    rings: list[list[int]] = []
    for a in boundary:
        if a in used:
            continue
        ring, start = [a], ends(a)[0]
        used.add(a)
        end = ends(a)[1]
        while end != start:
            nxt = next(b for b in by_start[end] if b not in used)
            ring.append(nxt)
            used.add(nxt)
            end = ends(nxt)[1]
        rings.append(ring)
    points = [_ring_points(r, arcs) for r in rings]
    areas = [_signed_area(p) for p in points]
    exterior_sign = np.sign(_signed_area(_ring_points(polygons[0][0], arcs)))
    exteriors = [i for i, s in enumerate(areas) if np.sign(s) == exterior_sign]
    merged = {i: [rings[i]] for i in exteriors}
    for i, s in enumerate(areas):
        if np.sign(s) == exterior_sign:
            continue
        holders = [e for e in exteriors if _contains(points[e], points[i][0])]
        merged[min(holders, key=lambda e: abs(areas[e]))].append(rings[i])
    return [merged[i] for i in exteriors]


def _geometry(polygons: list[list[list[int]]], properties: dict) -> dict:
    if len(polygons) == 1:
        return {"type": "Polygon", "arcs": polygons[0], "properties": properties}
    return {"type": "MultiPolygon", "arcs": polygons, "properties": properties}


def _prune_arcs(topology: dict) -> dict:
    """Drop the arcs no geometry uses and renumber the rest."""
    used = sorted(
        {
            a if a >= 0 else ~a
            for obj in topology["objects"].values()
            for g in obj["geometries"]
            for poly in _polygons(g)
            for ring in poly
            for a in ring
        }
    )
    new = {old: i for i, old in enumerate(used)}
    for obj in topology["objects"].values():
        for g in obj["geometries"]:
            g["arcs"] = [
                [[new[a] if a >= 0 else ~new[~a] for a in ring] for ring in poly] for poly in _polygons(g)
            ]
            if g["type"] == "Polygon":
                g["arcs"] = g["arcs"][0]
    topology["arcs"] = [topology["arcs"][i] for i in used]
    return topology


def build_municipalities(source: dict) -> tuple[dict, dict]:
    """The shipped municipality topology and a report of the code check against the reference."""
    ref = municipalities()
    names = dict(zip(ref["municipality_code"], ref["name"], strict=True))
    kinds = dict(zip(ref["municipality_code"], ref["kind"], strict=True))
    (geoms,) = source["objects"].values()
    geoms = geoms["geometries"]
    arcs = _absolute_arcs(source)
    shipped, not_in_reference, name_differences = [], [], []
    for g in geoms:
        p = g["properties"]
        code = p["N03_007"]
        if code is None:  # 所属未定地: no municipality
            continue
        props = {"code": code}
        if code not in names:
            props["name"] = p["N03_004"]
            not_in_reference.append(f"{code} {p['N03_004']}")
        else:
            n03 = (p["N03_003"] or "") + p["N03_004"] if kinds[code] == "ward" else p["N03_004"]
            if n03 != names[code]:
                name_differences.append(f"{code} N03「{n03}」 / 参照表「{names[code]}」")
        shipped.append(_geometry(_polygons(g), props))
    by_code = {g["properties"]["code"]: g for g in shipped}
    cities = []
    designated = ref.filter(kind="designated_city")
    wards = ref.filter(kind="ward")
    for code, name in zip(designated["municipality_code"], designated["name"], strict=True):
        members = wards.filter(
            (wards["municipality_code"].str.slice(0, 2) == code[:2]) & wards["name"].str.starts_with(name)
        )["municipality_code"]
        polygons = [poly for w in members for poly in _polygons(by_code[w])]
        cities.append(_geometry(merge_polygons(polygons, arcs), {"code": code}))
    drawn = set(by_code) | {c["properties"]["code"] for c in cities}
    without_shape = [f"{c} {names[c]}" for c in ref["municipality_code"] if c not in drawn]
    topology = {
        "type": "Topology",
        "transform": source["transform"],
        "objects": {
            "municipalities": {"type": "GeometryCollection", "geometries": shipped},
            "designated_cities": {"type": "GeometryCollection", "geometries": cities},
        },
        "arcs": source["arcs"],
    }
    report = {
        "not_in_reference": sorted(not_in_reference),
        "without_shape": without_shape,
        "name_differences": name_differences,
        "dropped": sum(1 for g in geoms if g["properties"]["N03_007"] is None),
    }
    return _prune_arcs(topology), report


def build_prefectures(source: dict) -> dict:
    """The shipped prefecture topology with JIS X 0401 codes for the N03 prefecture names."""
    ref = prefectures()
    codes = dict(zip(ref["name"], ref["prefecture_code"], strict=True))
    (geoms,) = source["objects"].values()
    out = [_geometry(_polygons(g), {"code": codes[g["properties"]["N03_001"]]}) for g in geoms["geometries"]]
    if sorted(g["properties"]["code"] for g in out) != sorted(ref["prefecture_code"]):
        raise SystemExit("都道府県の境界が参照表の47都道府県と一致しません。")
    return _prune_arcs(
        {
            "type": "Topology",
            "transform": source["transform"],
            "objects": {"prefectures": {"type": "GeometryCollection", "geometries": out}},
            "arcs": source["arcs"],
        }
    )


def _notice(report: dict) -> str:
    def items(rows: list[str]) -> str:
        return "\n".join(f"  - {r}" for r in rows) or "  - なし"

    return f"""# Boundaries shipped with chiiki.maps

Built by `scripts/build_boundaries.py` (do not edit by hand).

## Source and credit
{SOURCE_NOTE}

Credit line shown on every map (required by the 国土数値情報 terms; the data were edited):

> {CREDIT}

## Files
- `prefectures.topo.json`: 47 prefectures (object `prefectures`, property `code`), from `{PREFECTURE_FILE}`.
- `municipalities.topo.json`: from `{MUNICIPALITY_FILE}`; object `municipalities` (municipalities and
  政令市 wards, property `code` = N03_007, 5-digit code without the check digit) and object
  `designated_cities` (the 20 政令指定都市, merged from their wards in the same topology).

## Check against the reference tables (`chiiki.reference.municipalities`)
- Codes in N03 that the reference tables lack (kept, drawn as context, not as data regions):
{items(report["not_in_reference"])}
- Reference municipalities without a polygon at this simplification (drawn as point symbols at the
  reference coordinates):
{items(report["without_shape"])}
- Names that differ (N03 / reference; the reference name is shown):
{items(report["name_differences"])}
- N03 areas without a code left out (所属未定地): {report["dropped"]}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    munis, report = build_municipalities(json.loads((args.source / MUNICIPALITY_FILE).read_text("utf-8")))
    prefs = build_prefectures(json.loads((args.source / PREFECTURE_FILE).read_text("utf-8")))
    OUT.mkdir(parents=True, exist_ok=True)
    for name, topology in (("municipalities.topo.json", munis), ("prefectures.topo.json", prefs)):
        (OUT / name).write_text(json.dumps(topology, ensure_ascii=False, separators=(",", ":")), "utf-8")
    (OUT / "NOTICE.md").write_text(_notice(report), "utf-8")
    for key, rows in report.items():
        print(key, rows)


if __name__ == "__main__":
    main()
