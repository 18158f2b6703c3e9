"""End-to-end in headless Debian chromium (issue #7 tests): log in, dashboard, open the ranking and a
firm, export Excel; a screenshot of each page under test-artifacts/."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium がありません（apt-get install -y chromium）"
    ),
]


@pytest.fixture(scope="module")
def server(web_seeded):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(web_seeded.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
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
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(
            accept_downloads=True, locale="ja-JP", viewport={"width": 1400, "height": 1000}
        )
        yield context.new_page()
        browser.close()


def test_browser_login_ranking_firm_and_export(server, page):
    page.goto(f"{server}/firms")
    assert "/login" in page.url
    page.screenshot(path=str(ARTIFACTS / "01_login.png"))
    page.fill("input[name=username]", "fukushima")
    page.fill("input[name=password]", "test-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/firms")
    assert page.locator("#ranking tbody tr").count() > 1
    page.screenshot(path=str(ARTIFACTS / "02_ranking.png"), full_page=True)
    page.click("#ranking tbody tr:first-child a")
    page.wait_for_selector("#suppliers")
    assert "域外の販売先" in page.content()
    page.screenshot(path=str(ARTIFACTS / "03_firm.png"), full_page=True)
    page.goto(f"{server}/firms?pref=07")
    with page.expect_download() as download:
        page.click("text=Excelに出力")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{server}/")
    assert page.locator("svg.chart").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "04_dashboard.png"), full_page=True)
