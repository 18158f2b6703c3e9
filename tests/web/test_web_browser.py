"""End-to-end in headless Debian chromium (issue #7 tests), as a prefecture planner and a national
reviewer would use the app: log in, upload a file with an error and read the row message, open the
ranking and a firm, create a B plan with priority firms, KPIs and a ripple scenario, submit it, review,
score and approve it, export it to Excel. A screenshot of each page goes to test-artifacts/web/.

The app runs in its own store (not the page tests' shared one) so the plan it creates and the data it
uploads touch nothing else."""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from playwright.sync_api import expect

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.testing import seeded_app

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 120_000
expect.set_options(timeout=WAIT_MS)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium がありません（apt-get install -y chromium）"
    ),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("browser-store"), n_firms=2500)


@pytest.fixture(scope="module")
def server(seeded):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(seeded.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
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
        yield b
        b.close()


def new_page(browser):
    context = browser.new_context(
        accept_downloads=True, locale="ja-JP", viewport={"width": 1400, "height": 1000}
    )
    # Every wait is on a condition; the bound is generous so a loaded machine (the suite runs in
    # parallel on 2 cores) slows the test down instead of failing it.
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())  # the confirm() of submit / approve
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, server: str, user: str, *, start: str = "/") -> None:
    page.goto(f"{server}{start}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "test-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{start}")


@pytest.fixture(scope="module")
def bad_upload(tmp_path_factory) -> tuple[Path, Path]:
    """A small companies/transactions CSV pair whose companies row 3 has an unknown prefecture."""
    out = tmp_path_factory.mktemp("upload")
    write_dataset(generate_economy(n_firms=100, years=(2024,), seed=3), out, fmt="csv", info={})
    companies = pl.read_csv(out / "companies.csv", infer_schema=False)
    companies = companies.with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("99")).otherwise(pl.col("prefecture_code"))
        .alias("prefecture_code")
    )  # fmt: skip
    companies.write_csv(out / "companies.csv")
    return out / "companies.csv", out / "transactions.csv"


def test_planner_to_approval_end_to_end(server, browser, bad_upload):
    page = new_page(browser)

    # ログイン（未ログインはログイン画面へ）
    page.goto(f"{server}/firms")
    assert "/login" in page.url
    shot(page, "01_login")
    log_in(page, server, "fukushima", start="/firms")
    page.goto(f"{server}/")
    assert page.locator("svg.chart").count() >= 1
    shot(page, "02_dashboard")

    # データ: an upload with an error shows the row message and registers nothing
    page.goto(f"{server}/data")
    versions_before = page.locator("#versions tbody tr").count()
    page.set_input_files("input[name=companies]", str(bad_upload[0]))
    page.set_input_files("input[name=transactions]", str(bad_upload[1]))
    page.click("form[data-upload] button[type=submit]")
    # the file holds firms of other prefectures: announced before anything is imported, then confirmed
    page.wait_for_selector("#other-prefectures")
    assert page.locator("#prefectures tbody tr").count() > 1
    shot(page, "03a_data_mapping_step")
    page.click("#mapping button:has-text('この内容で取り込む')")
    page.wait_for_selector("#problems")
    row = page.locator("#problems tbody tr", has_text="prefecture_code").first
    assert "99" in row.inner_text() and "3" in row.inner_text()
    assert "何も書き込んでいません" in page.content()
    assert page.locator("#versions tbody tr").count() == versions_before
    shot(page, "03_data_upload_error")

    # 企業分析: ranking with the scatter, then a firm
    page.goto(f"{server}/firms?pref=07")
    page.wait_for_selector("#scatter svg.chart")
    assert page.locator("#ranking tbody tr").count() > 1
    shot(page, "04_ranking")
    page.click("#ranking tbody tr:first-child a")
    page.wait_for_selector("#score-breakdown")
    assert "域外の販売先" in page.content() and page.locator("#suppliers").count() == 1
    shot(page, "05_firm")

    page.goto(f"{server}/industry?pref=07")
    assert page.locator("svg.chart").count() >= 2
    shot(page, "06_industry")

    # 計画: create a B plan, pick priority firms, set KPIs from the data
    page.goto(f"{server}/plans/new")
    page.select_option("select[name=plan_type]", "B")
    page.fill("input[name=title]", "E2E 地域産業クラスター計画")
    page.check("input[name=focus_fields][value='1']")
    page.check("input[name=focus_fields][value='3']")
    page.fill("textarea[name=description]", "半導体・GXの重点支援（ブラウザ試験）")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#plan-state")).to_contain_text("作成中")
    plan_url = page.url.split("#")[0]
    boxes = page.locator("#pick-form input[name=company_id]")
    for i in range(5):
        boxes.nth(i).check()
    page.click("#pick-form button[type=submit]")
    expect(page.locator("#priority-firms tbody tr")).to_have_count(5)
    page.click("#kpis-from-data")
    page.wait_for_selector("#kpis .kpi")
    assert page.locator("#kpis .kpi").count() >= 4

    # 波及効果: a scenario computed and saved to the plan
    page.goto(f"{server}/ripple?pref=07")
    page.select_option("select[name=sector_0]", index=1)
    page.fill("input[name=value_0]", "1000")
    page.fill("input[name=name]", "工場新設 1,000百万円")
    page.select_option(
        "select[name=plan_id]", label=page.locator("select[name=plan_id] option").nth(1).inner_text()
    )
    shot(page, "07_ripple_form")
    page.click("button[name=save]")
    page.wait_for_url(f"{plan_url}#ripple")
    assert page.locator(".ripple-scenario").count() == 1
    assert "工場新設" in page.inner_text("#ripple")
    shot(page, "08_plan_draft")

    # submitting the unfinished plan is refused with the list of what is missing (issue #12 §1)
    with page.expect_navigation():
        page.click("#action-submit")
    assert "まだ提出できません" in page.inner_text("p.flash.error")
    assert "作成中" in page.inner_text("#plan-state")
    shot(page, "08a_submit_refused")
    # the planner's reason for each 重点支援企業, the evidence of each manual requirement and the
    # 域内取引額 typed by hand (the picked firms may have no in-region links)
    for i in range(page.locator("#priority-firms form.firm-reason").count()):
        form = page.locator("#priority-firms form.firm-reason").nth(i)
        form.locator("textarea").fill(f"県内取引の要となる企業（{i + 1}）")
        with page.expect_navigation():
            form.locator("button").click()
    for code in ("B_EXPORT", "B_LOCALISE", "B_SUPPORT"):
        form = page.locator(f"#requirements-table form[action$='/requirements/{code}']").first
        form.locator("textarea[name=evidence]").fill("根拠資料: 計画書 第3章")
        with page.expect_navigation():
            form.locator("button").click()
    page.click("#kpi-manual summary")
    manual = page.locator("#kpi-manual-regional_transactions")
    manual.locator("input[name=baseline_year]").fill("2025")
    manual.locator("input[name=baseline]").fill("100000")
    for i, year in enumerate(range(2026, 2031), start=1):
        manual.locator(f"input[name=target_{year}]").fill(str(100000 + 1000 * i))
    with page.expect_navigation():
        manual.locator("button").click()
    assert "そろっています" in page.inner_text("#submit-check")
    page.click("#action-submit")
    expect(page.locator("#plan-state")).to_contain_text("提出済")

    # 審査: the national reviewer starts the review, scores and approves
    reviewer = new_page(browser)
    log_in(reviewer, server, "reviewer", start="/plans")
    reviewer.goto(plan_url)
    reviewer.click("#action-start_review")
    expect(reviewer.locator("#screening-form")).to_be_visible()
    reviewer.fill("#screening-form textarea[name=comment]", "要件を満たしている")
    reviewer.click("#screening-form button[type=submit]")
    expect(reviewer.locator("#screenings")).to_contain_text("reviewer")
    shot(reviewer, "09_plan_review")
    reviewer.click("#action-approve")
    expect(reviewer.locator("#plan-state")).to_contain_text("承認")
    shot(reviewer, "10_plan_approved")

    # Excel: the submission attachment with the plan's parts
    with reviewer.expect_download() as download:
        reviewer.click("#export-xlsx")
    path = download.value.path()
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    assert download.value.suggested_filename.endswith(".xlsx") and len(book.sheetnames) >= 5
    text = "\n".join(
        str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None
    )
    assert "E2E 地域産業クラスター計画" in text and "工場新設" in text

    reviewer.goto(f"{server}/plans")
    assert "E2E 地域産業クラスター計画" in reviewer.content()
    shot(reviewer, "11_plans")
