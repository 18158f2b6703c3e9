"""Shipped boundaries and map views: every reference region has a shape, layouts put islands sensibly."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from chiiki.maps.projection import project
from chiiki.maps.shapes import municipality_shapes, ward_cities
from chiiki.maps.topojson import object_polygons
from chiiki.maps.views import _area, block_view, japan_view, prefecture_view
from chiiki.reference import blocks, municipalities, prefectures

POINT_REGIONS = {"13362", "13402", "31384", "38356", "44322", "47354", "47355", "47356"}
"""Reference municipalities without a polygon in N03 at 0.1 % simplification (data/NOTICE.md):
利島村, 青ヶ島村, 日吉津村, 上島町, 姫島村, 座間味村, 粟国村, 渡名喜村; drawn as circles."""
NORTHERN_TERRITORIES = {"01695", "01696", "01697", "01698", "01699", "01700"}
"""N03 codes the reference tables lack: the 北方領土 villages (context shapes)."""


def test_national_view_draws_all_47_prefectures_as_polygons():
    view = japan_view()
    assert [r.code for r in view.regions] == list(prefectures()["prefecture_code"])
    assert [r.name for r in view.regions] == list(prefectures()["name"])
    assert all(r.path.startswith("M") and not r.is_point for r in view.regions)


def test_national_view_puts_okinawa_in_the_inset_and_leaves_out_the_pacific_islands():
    view = japan_view()
    x, y, w, h = view.frames[1].box
    ax, ay = next(r.anchor for r in view.regions if r.code == "47")
    assert x <= ax <= x + w and y <= ay <= y + h
    assert "小笠原諸島" in view.omitted
    assert view.locate("13421") is None  # 小笠原村 is not on the national map
    assert view.locate("13101") is not None  # 千代田区 is


def test_every_reference_municipality_has_a_shape_or_is_a_known_point():
    ref = municipalities()
    for wards, left_out in ((True, "designated_city"), (False, "ward")):
        shapes = {s.code: s for s in municipality_shapes(wards=wards)}
        expected = set(ref.filter(pl.col("kind") != left_out)["municipality_code"])
        assert expected <= set(shapes)
        without_polygon = {c for c in expected if not shapes[c].polygons}
        assert without_polygon == POINT_REGIONS
        assert {c for c, s in shapes.items() if not s.is_data} == NORTHERN_TERRITORIES


@pytest.mark.parametrize("wards", [True, False])
def test_every_prefecture_view_draws_all_its_municipalities(wards):
    ref = municipalities().filter(pl.col("kind") != ("designated_city" if wards else "ward"))
    for code in prefectures()["prefecture_code"]:
        view = prefecture_view(code, wards=wards)
        expected = ref.filter(prefecture_code=code)["municipality_code"].sort().to_list()
        assert [r.code for r in view.regions] == expected, code
        shapes = {s.code: s for s in municipality_shapes(wards=wards)}
        for region in view.regions:
            if region.is_point and region.code not in POINT_REGIONS:  # too small to draw at this scale
                assert _polygon_area(shapes[region.code]) < 30, (code, region.name)


def test_hokkaido_view_shows_the_northern_territories_as_context():
    view = prefecture_view("01")
    assert {r.code for r in view.context} == NORTHERN_TERRITORIES
    assert {r.name for r in view.context} >= {"色丹村", "留別村"}


def test_tokyo_islands_go_to_insets():
    view = prefecture_view("13")
    assert len(view.frames) > 1
    captions = "".join(f.caption for f in view.frames[1:])
    assert "小笠原村" in captions and "大島町" in captions
    x, y, w, h = view.frames[0].box
    ax, ay = next(r.anchor for r in view.regions if r.code == "13421")
    assert not (x <= ax <= x + w and y <= ay <= y + h)


def test_fukushima_fits_one_frame():
    view = prefecture_view("07")
    assert len(view.frames) == 1
    assert len(view.regions) == 59


@pytest.mark.parametrize("block", list(blocks()["block_code"]))
def test_block_views_hold_their_prefectures(block):
    members = blocks().filter(block_code=block)["prefecture_codes"][0].to_list()
    assert [r.code for r in block_view(block).regions] == sorted(members)


def test_tohoku_block_is_aomori_to_fukushima():
    assert [r.name for r in block_view("tohoku").regions] == [
        "青森県",
        "岩手県",
        "宮城県",
        "秋田県",
        "山形県",
        "福島県",
    ]


def test_views_reject_unknown_codes():
    with pytest.raises(ValueError, match="都道府県コード「48」"):
        prefecture_view("48")
    with pytest.raises(ValueError, match="地域ブロック「kanto2」"):
        block_view("kanto2")
    with pytest.raises(ValueError, match="地図の単位"):
        japan_view("town")


def test_locate_places_wards_on_a_merged_city_map_and_municipalities_on_prefecture_maps():
    merged = prefecture_view("04", wards=False)
    assert merged.locate("04101") is not None  # 仙台市青葉区 at its office, inside 仙台市's frame
    assert merged.locate("07201") is None  # 福島市 is not on Miyagi's map
    assert japan_view().locate("07201") is not None


def test_ward_cities_follow_the_reference_names():
    cities = ward_cities()
    assert cities["01101"] == "01100" and cities["14131"] == "14130" and cities["40131"] == "40130"
    assert len(cities) == municipalities().filter(kind="ward").height


def _polygon_area(shape) -> float:
    return -sum(_area(r) for p in shape.polygons for r in p)  # exteriors clockwise, holes not


def test_merged_designated_cities_cover_exactly_their_wards():
    wards = {s.code: s for s in municipality_shapes(wards=True)}
    cities = {s.code: s for s in municipality_shapes(wards=False)}
    for ward, city in ward_cities().items():
        assert ward in wards and city in cities
    for city in set(ward_cities().values()):
        members = [w for w, c in ward_cities().items() if c == city]
        assert _polygon_area(cities[city]) == pytest.approx(
            sum(_polygon_area(wards[w]) for w in members), rel=1e-9
        )


def test_merged_designated_cities_match_the_designated_city_file(shared_data):
    """The 政令市 merged from ward arcs (scripts/build_boundaries.py) lie where the source's own 政令市
    file has them (bounding boxes within 3 km) with about its area (the two files were simplified
    separately: within 15 %)."""
    source = json.loads(
        (shared_data / "boundaries/topojson_s0001_N03-21_210101_designated_city.json").read_text("utf-8")
    )
    theirs = {p["N03_007"]: polygons for p, polygons in object_polygons(source, "N03-21_210101")}
    ours = {s.code: s for s in municipality_shapes(wards=False)}
    for code in municipalities().filter(kind="designated_city")["municipality_code"]:
        b = -sum(_area(project(r)) for p in theirs[code] for r in p)
        assert _polygon_area(ours[code]) == pytest.approx(b, rel=0.15), code
        box = [
            np.vstack([p[0] for p in ours[code].polygons]),
            np.vstack([project(p[0]) for p in theirs[code]]),
        ]
        np.testing.assert_allclose(
            *(np.r_[b.min(axis=0), b.max(axis=0)] for b in box), atol=3.0, err_msg=code
        )


def test_projected_paths_are_integer_relative_moves():
    path = next(r.path for r in japan_view().regions if r.code == "07")
    assert path.startswith("M") and path.endswith("z") and "l" in path
    numbers = path.replace("M", " ").replace("l", " ").replace("z", " ").replace("-", " -").split()
    assert all(n.lstrip("-").isdigit() for n in numbers)
    assert np.isfinite([float(n) for n in numbers]).all()


def _inside(point, box) -> bool:
    x, y, w, h = box
    return x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1


def test_national_municipality_view_has_the_frames_of_the_prefecture_view():
    by_prefecture, by_municipality = japan_view("prefecture"), japan_view("municipality")
    for a, b in zip(by_prefecture.frames, by_municipality.frames, strict=True):
        np.testing.assert_allclose(a.box, b.box, atol=2.0)
    for region in by_municipality.regions:
        if region.is_point:  # small islands sit in the frame of their own area
            frame = by_municipality.frames[1 if region.code.startswith("47") else 0]
            assert _inside(region.anchor, frame.box), region.name
