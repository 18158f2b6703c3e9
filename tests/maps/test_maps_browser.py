"""Maps in headless Debian chromium at a 390 px phone width: no text clipped, no text overlapping.

The layout estimates text widths without a font engine (chiiki.maps.text); this measures the real
boxes with the system's Japanese font. Screenshots go to test-artifacts/maps/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.maps import flow_map, japan_view, municipality_choropleth, prefecture_choropleth
from chiiki.reference import municipalities, prefectures

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "maps"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium がありません（apt-get install -y chromium）"
    ),
]

MEASURE = """() => {
  const svg = document.querySelector('svg').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('svg text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom};
  });
  return {svg: {l: svg.left, t: svg.top, r: svg.right, b: svg.bottom, w: svg.width}, boxes};
}"""


def _maps() -> dict[str, str]:
    rng = np.random.default_rng(5)
    prefs = prefectures().select("prefecture_code", pl.Series("sales", rng.integers(10**6, 10**9, 47)))
    tokyo = municipalities("13").filter(pl.col("kind") != "designated_city")
    tokyo = tokyo.select("municipality_code", pl.Series("lq", rng.lognormal(0, 0.6, tokyo.height))).head(40)
    flows = pl.DataFrame(
        {
            "source": ["07", "07", "13", "07", "47"],
            "target": ["13", "23", "07", "01", "07"],
            "amount": [5e8, 2e8, 3e8, 1e8, 2e7],
            "estimated": [False, True, False, False, False],
            "kind": ["販売", "販売", "仕入", "販売", "仕入"],
        }
    )
    return {
        "national": prefecture_choropleth(
            prefs,
            value_column="sales",
            label="売上高",
            unit="千円",
            href="/p/{code}",
            source="模擬経済 2024年度",
        ),
        "tokyo": municipality_choropleth(
            tokyo, prefecture="13", value_column="lq", label="特化係数（製造業）", method="jenks"
        ),
        "okinawa": municipality_choropleth(
            tokyo, prefecture="47", value_column="lq", label="特化係数（製造業）"
        ),
        "flows": flow_map(
            japan_view(), flows, label="取引額", estimated_column="estimated", kind_column="kind", focus="07"
        ),
    }


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


@pytest.mark.parametrize("name", ["national", "tokyo", "okinawa", "flows"])
def test_map_text_is_not_clipped_and_does_not_overlap_at_phone_width(page, name):
    svg = _maps()[name]
    page.set_content(f'<!doctype html><meta charset="utf-8"><body style="margin:0"><div>{svg}</div></body>')
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    found = page.evaluate(MEASURE)
    box, texts = found["svg"], found["boxes"]
    assert box["w"] == pytest.approx(390, abs=1)  # takes the phone's width, no sideways scrolling
    for t in texts:
        assert box["l"] - 0.5 <= t["l"] and t["r"] <= box["r"] + 0.5, f"clipped: {t['text']}"
        assert box["t"] - 0.5 <= t["t"] and t["b"] <= box["b"] + 0.5, f"clipped: {t['text']}"
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            overlap_x = min(a["r"], b["r"]) - max(a["l"], b["l"])
            overlap_y = min(a["b"], b["b"]) - max(a["t"], b["t"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, f"overlap: {a['text']} / {b['text']}"
