"""Flow maps (花火図, chiiki.maps.flows): widths proportional to amounts, estimates dashed and said so."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import polars as pl
import pytest

from chiiki.maps import flow_map, japan_view, prefecture_view

NS = {"s": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def _lines(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if p.get("data-amount")]


def _texts(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def fukushima_flows() -> ET.Element:
    flows = pl.DataFrame(
        {
            "source": ["07201", "07201", "07203", "07204", "07201", "07201", "07201"],
            "target": ["07203", "07204", "07201", "07201", "07201", "13101", "07205"],
            "amount": [300_000, 200_000, 100_000, 50_000, 10_000, 70_000, None],
            "estimated": [False, True, False, False, False, False, False],
        }
    )
    svg = flow_map(prefecture_view("07"), flows, label="取引額", estimated_column="estimated", focus="07201")
    return ET.fromstring(svg)


def test_line_widths_are_proportional_to_amounts(fukushima_flows):
    lines = _lines(fukushima_flows)
    amounts = [float(p.get("data-amount")) for p in lines]
    widths = [float(p.get("stroke-width")) for p in lines]
    assert amounts == [300_000, 200_000, 100_000, 50_000]  # largest first, the others left out
    for a, w in zip(amounts, widths, strict=True):
        assert w == pytest.approx(18.0 * a / 300_000, abs=0.005)


def test_estimated_amounts_are_dashed_and_said_to_be_estimates(fukushima_flows):
    dashed = [p for p in _lines(fukushima_flows) if p.get("stroke-dasharray")]
    assert [p.get("data-amount") for p in dashed] == ["200000"]
    assert "推計を含む" in dashed[0].find("s:title", NS).text
    assert "推計額を含む（破線、1本）" in _texts(fukushima_flows)
    assert "推計額を含む流れ1本は破線" in fukushima_flows.find("s:desc", NS).text


def test_flows_that_cannot_be_drawn_are_counted(fukushima_flows):
    text = _texts(fukushima_flows)
    assert "地図の範囲外の地域との流れ 1件（計 70百万円）" in text  # to 千代田区
    assert "同じ地域の中の流れ 1件（計 10百万円）" in text
    assert "金額が0または不明の流れ 1件" in text


def test_tooltips_name_both_ends(fukushima_flows):
    titles = [p.find("s:title", NS).text for p in _lines(fukushima_flows)]
    assert titles[0] == "福島市 → 郡山市：300百万円"


def test_width_legend_samples_are_drawn_to_scale(fukushima_flows):
    swatches = [
        (g.find("s:text", NS).text, float(g.find("s:line", NS).get("stroke-width")))
        for g in fukushima_flows.iter(f"{SVG}g")
        if g.find("s:line", NS) is not None and g.find("s:line", NS).get("stroke-dasharray") is None
    ]
    assert swatches == [("300", 18.0), ("150", 9.0), ("30", 1.8)]
    assert "取引額（百万円）" in _texts(fukushima_flows)


def test_the_focus_region_is_marked(fukushima_flows):
    circles = {c.find("s:title", NS).text: float(c.get("r")) for c in fukushima_flows.iter(f"{SVG}circle")}
    assert circles["福島市"] > circles["郡山市"]


def test_rows_of_one_pair_are_summed_and_kinds_coloured():
    flows = pl.DataFrame(
        {
            "source": ["07", "07", "13"],
            "target": ["13", "13", "07"],
            "amount": [1_000, 2_000, 500],
            "kind": ["販売", "販売", "仕入"],
        }
    )
    root = ET.fromstring(flow_map(japan_view(), flows, label="取引額", kind_column="kind", max_width=10))
    lines = _lines(root)
    assert [p.get("data-amount") for p in lines] == ["3000", "500"]
    assert lines[0].get("stroke") != lines[1].get("stroke")
    assert float(lines[1].get("stroke-width")) == pytest.approx(10 * 500 / 3000, abs=0.005)
    assert "販売" in _texts(root) and "仕入" in _texts(root)


def test_opposite_flows_bend_apart():
    flows = pl.DataFrame({"source": ["07", "13"], "target": ["13", "07"], "amount": [1, 1]})
    a, b = (p.get("d") for p in _lines(ET.fromstring(flow_map(japan_view(), flows, label="取引額"))))
    control = [re.search(r"Q(\S+) (\S+) ", d).groups() for d in (a, b)]
    assert control[0] != control[1]


def test_flow_map_svg_is_accessible_and_carries_the_credit(fukushima_flows):
    assert fukushima_flows.get("role") == "img"
    assert fukushima_flows.find("s:title", NS).text == "取引額の流れ（福島県）"
    assert "国土数値情報（行政区域データ）" in _texts(fukushima_flows)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="列「amount」がありません"):
        flow_map(japan_view(), pl.DataFrame({"source": ["07"], "target": ["13"]}), label="取引額")
