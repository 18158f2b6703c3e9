"""Choropleth SVG (chiiki.maps.choropleth): legend text, missing values, tooltips, links, accessibility."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import polars as pl
import pytest

from chiiki.maps import CREDIT, block_choropleth, municipality_choropleth, prefecture_choropleth
from chiiki.reference import municipalities, prefectures

NS = {"s": "http://www.w3.org/2000/svg"}


def _prefecture_values() -> pl.DataFrame:
    """Prefecture i has i × 1 億円 (i × 100,000 千円) of sales; 05 秋田県 and 47 沖縄県 have none."""
    codes = [c for c in prefectures()["prefecture_code"] if c not in {"05", "47"}]
    return pl.DataFrame({"prefecture_code": codes, "sales": [int(c) * 100_000 for c in codes]})


@pytest.fixture(scope="module")
def national() -> ET.Element:
    svg = prefecture_choropleth(
        _prefecture_values(),
        value_column="sales",
        label="売上高",
        unit="千円",
        classes=4,
        method="equal",
        href="/maps/prefectures/{code}?year=2024&x=1",
        source="模擬経済 2024年度",
    )
    return ET.fromstring(svg)


def _legend_texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _paths(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.find("s:title", NS) is not None]


def test_svg_is_accessible_and_scales(national):
    assert national.get("role") == "img"
    title_id, desc_id = national.get("aria-labelledby").split()
    assert national.find("s:title", NS).get("id") == title_id
    assert national.find("s:desc", NS).get("id") == desc_id
    assert national.find("s:title", NS).text == "売上高（全国・都道府県別）"
    assert re.fullmatch(r"0 0 1000 \d+", national.get("viewBox"))
    assert national.get("width") == "100%" and national.get("height") is None


def test_equal_interval_legend_reads_in_oku_yen(national):
    # Values 1..46 億円 (05 and 47 missing): 4 equal classes of width 11.25 億円: bounds 1, 12.25, 23.5,
    # 34.75, 46; shown in 億円 with no decimals (still distinct): 1, 12, 24, 35, 46 (half up).
    texts = _legend_texts(national)
    assert "売上高（億円）" in texts
    assert [t for t in texts if "以上" in t] == [
        "1以上 12未満",
        "12以上 24未満",
        "24以上 35未満",
        "35以上 46以下",
    ]
    assert "データなし（2都道府県）" in texts
    assert "階級区分：等間隔、4階級" in texts


def test_regions_are_classed_against_the_bounds_the_legend_shows(national):
    fills = {p.find("s:title", NS).text.split("：")[0]: p.get("fill") for p in _paths(national)}
    # 千葉県 (code 12: 12 億円) is at the shown bound 12, so in the second class with 東京都 (13) and
    # 愛知県 (23), not with 北海道 (1); 三重県 (24) starts the third.
    assert fills["北海道"] != fills["千葉県"] == fills["東京都"] == fills["愛知県"] != fills["三重県"]


def test_missing_values_get_the_hatch_and_say_so(national):
    by_name = {p.find("s:title", NS).text: p for p in _paths(national)}
    assert by_name["秋田県：データなし"].get("fill").startswith("url(#map-")
    assert by_name["沖縄県：データなし"].get("fill") == by_name["秋田県：データなし"].get("fill")
    pattern = national.find("s:defs/s:pattern", NS)
    assert by_name["秋田県：データなし"].get("fill") == f"url(#{pattern.get('id')})"


def test_tooltips_name_regions_and_values(national):
    titles = [p.find("s:title", NS).text for p in _paths(national)]
    assert "東京都：13億円" in titles
    assert not any(re.match(r"\d{2}：", t) for t in titles)


def test_regions_link_to_their_drill_down(national):
    links = {a.get("href") for a in national.iter("{http://www.w3.org/2000/svg}a")}
    assert "/maps/prefectures/07?year=2024&x=1" in links
    assert len(links) == 47


def test_credit_and_source_are_in_the_svg(national):
    text = "".join(_legend_texts(national))
    assert "国土数値情報（行政区域データ）" in text and "国土交通省" in text
    assert "データ：模擬経済 2024年度" in text
    assert CREDIT.startswith("「国土数値情報（行政区域データ）」（国土交通省）")


def test_description_names_the_extremes(national):
    desc = national.find("s:desc", NS).text
    assert "最大は鹿児島県（46億円）" in desc and "最小は北海道（1億円）" in desc
    assert "データなし2都道府県" in desc


def test_quantile_classes_of_counts_in_a_prefecture_drill_down():
    ref = municipalities("07")
    values = pl.DataFrame(
        {"municipality_code": ref["code6"], "firms": range(1, ref.height + 1)}  # 6-digit codes: read as 5
    )
    root = ET.fromstring(
        municipality_choropleth(
            values, prefecture="07", value_column="firms", label="企業数", unit="社", classes=3
        )
    )
    texts = _legend_texts(root)
    assert "企業数（社）" in texts
    # 59 municipalities valued 1..59: tertiles at 20.33 and 39.67 → 20 and 40 (half up, 0 decimals).
    assert [t for t in texts if "以上" in t] == ["1以上 20未満", "20以上 40未満", "40以上 59以下"]
    assert "データなし（0市区町村）" in texts
    assert len(_paths(root)) == 59


def test_block_view_compares_its_prefectures():
    root = ET.fromstring(
        block_choropleth(
            _prefecture_values(), block="tohoku", value_column="sales", label="売上高", unit="千円"
        )
    )
    names = sorted(p.find("s:title", NS).text.split("：")[0] for p in _paths(root))
    assert names == sorted(["青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"])
    assert "データなし（1都道府県）" in _legend_texts(root)  # 秋田県


def test_an_outlier_gets_a_class_of_its_own():
    values = pl.DataFrame({"prefecture_code": ["01", "02", "03", "13"], "n": [1, 2, 3, 100]})
    texts = _legend_texts(
        ET.fromstring(
            prefecture_choropleth(values, value_column="n", label="件数", classes=2, method="jenks")
        )
    )
    assert "1以上 100未満" in texts and "100" in texts


def test_one_value_everywhere_is_one_class():
    values = pl.DataFrame({"prefecture_code": ["01", "02"], "n": [7, 7]})
    texts = _legend_texts(ET.fromstring(prefecture_choropleth(values, value_column="n", label="件数")))
    assert "7" in texts and "データなし（45都道府県）" in texts


def test_no_values_at_all_still_draws_the_map():
    empty = pl.DataFrame(
        {"prefecture_code": [], "n": []}, schema={"prefecture_code": pl.Utf8, "n": pl.Float64}
    )
    root = ET.fromstring(prefecture_choropleth(empty, value_column="n", label="件数"))
    assert "データなし（47都道府県）" in _legend_texts(root)
    assert "値のある地域がないため、階級はありません。" in _legend_texts(root)


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (pl.DataFrame({"code": ["01"], "n": [1]}), {}, "列「prefecture_code」がありません"),
        (pl.DataFrame({"prefecture_code": ["01"], "n": ["x"]}), {}, "数値ではありません"),
        (pl.DataFrame({"prefecture_code": ["01", "01"], "n": [1, 2]}), {}, "同じ地域コードが複数行"),
        (pl.DataFrame({"prefecture_code": ["01"], "n": [1]}), {"href": "/maps/pref"}, "{code}"),
    ],
)
def test_bad_input_is_refused_in_japanese(frame, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        prefecture_choropleth(frame, value_column="n", label="件数", **options)


def test_every_drill_down_and_block_map_is_well_formed_svg():
    from chiiki.reference import blocks

    munis = municipalities().select("municipality_code", pl.Series("n", range(1916)))
    for code in prefectures()["prefecture_code"]:
        root = ET.fromstring(municipality_choropleth(munis, prefecture=code, value_column="n", label="件数"))
        assert root.get("role") == "img" and "データなし（0市区町村）" in _legend_texts(root), code
    for block in blocks()["block_code"]:
        root = ET.fromstring(
            block_choropleth(_prefecture_values(), block=block, value_column="sales", label="売上高")
        )
        assert root.find("s:desc", NS).text, block
