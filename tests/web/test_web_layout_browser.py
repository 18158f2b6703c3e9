"""The main pages in headless Debian chromium at a 390 px phone width (issue #13 item 6): no page
scrolls sideways, and in every chart and map no text is clipped by its SVG or overlaps another text
of the same SVG. Measured with the real boxes of the system's Japanese font; screenshots go to
test-artifacts/web-390/. The pages wait on what they load (the ranking's scatter), never on time."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

from chiiki.server.testing import seeded_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web-390"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium がありません（apt-get install -y chromium）"
    ),
]

MEASURE = """() => {
  const doc = document.documentElement;
  const charts = [...document.querySelectorAll('main svg')].filter(s => !s.parentElement.closest('svg')).map(svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() && t.getClientRects().length)
      .map(t => { const r = t.getBoundingClientRect();
                  return {text: t.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; });
    return {title: (svg.querySelector('title') || {}).textContent || '', l: box.left, t: box.top, r: box.right,
            b: box.bottom, texts};
  });
  return {scroll: doc.scrollWidth, width: window.innerWidth, charts};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    seeded = seeded_app(tmp_path_factory.mktemp("layout-store"), n_firms=2500)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(seeded.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
        pg = context.new_page()
        pg.goto(f"{server}/login")
        pg.fill("input[name=username]", "fukushima")
        pg.fill("input[name=password]", "test-password-123")
        pg.click("button[type=submit]")
        pg.wait_for_url(f"{server}/")
        yield pg
        browser.close()


@pytest.fixture(scope="module")
def firm(page, server):
    page.goto(f"{server}/firms?pref=07")
    return re.findall(r'href="/firms/([^"?/]+)\?year', page.content())[0]


PAGES = {
    "dashboard": "/",
    "maps": "/maps?indicator=sales",
    "maps-pref": "/maps/prefectures/07?indicator=lq&jsic=09",
    "maps-block": "/maps/blocks/tohoku",
    "ranking": "/firms?pref=07",
    "firm": "/firms/{firm}",
    "fireworks": "/firms/{firm}/fireworks",
    "dependence": "/firms/{firm}/dependence?delta=100000",
    "firm-trends": "/firms/{firm}/trends",
    "industry": "/industry?pref=07",
    "network-industry": "/network/industry?pref=07",
    "network-prefectures": "/network/prefectures?pref=07",
    "prefecture-trends": "/trends/prefectures/07",
    "ripple": "/ripple?pref=07",
    "help": "/help",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scrolling_and_no_clipped_or_overlapping_chart_text(page, server, firm, name):
    page.goto(server + PAGES[name].format(firm=firm))
    if name == "ranking":
        page.wait_for_selector("#scatter svg.chart")  # loaded by the page's script
    page.wait_for_load_state("load")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    found = page.evaluate(MEASURE)
    assert found["scroll"] <= found["width"], (
        f"{name}: scrolls sideways ({found['scroll']} > {found['width']} px)"
    )
    assert found["charts"] or name in ("ripple", "help"), name
    for chart in found["charts"]:
        where = f"{name} / {chart['title']}"
        assert chart["r"] <= found["width"] + 0.5, f"{where}: the chart is wider than the page"
        texts = chart["texts"]
        for t in texts:
            inside = chart["l"] - 0.5 <= t["l"] and t["r"] <= chart["r"] + 0.5
            inside &= chart["t"] - 0.5 <= t["t"] and t["b"] <= chart["b"] + 0.5
            assert inside, f"{where}: clipped「{t['text']}」"
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                ox = min(a["r"], b["r"]) - max(a["l"], b["l"])
                oy = min(a["b"], b["b"]) - max(a["t"], b["t"])
                assert ox <= 0.5 or oy <= 0.5, f"{where}: overlap「{a['text']}」/「{b['text']}」"
