"""The regional report (HTML, PDF, CLI), a firm's network ripple beside the IO ripple, a plan's
人材需要 and every municipality's table as a job (issue #14 §3, §6, §7). Expected values from the
core, scope checked for firm-level content."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import CSRF, logged_in

from chiiki.data import read_dataset
from chiiki.firms.ripple import firm_ripple
from chiiki.io import national_table_2015, ripple_stages
from chiiki.io.jobs import PERSONS, induced_jobs, talent_demand
from chiiki.io.national import NATIONAL_2015_CREDIT
from chiiki.io.regional import RegionalSettings, employment_basis, regionalize, resolve_region
from chiiki.io.regional import region_population_share as population_share
from chiiki.io.scenario import demand_scenarios
from chiiki.services.firm_io import firm_sector
from chiiki.services.jobs import wait_for
from chiiki.store import session_scope
from chiiki.store.datasets import current_dataset
from chiiki.store.models import Plan


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def alerts(page: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r'role="alert">([^<]+)', page)]


@pytest.fixture(scope="module")
def as_user(web_seeded):
    clients: dict[str, TestClient] = {}

    def _client(user: str) -> TestClient:
        if user not in clients:
            clients[user] = logged_in(web_seeded.app, user, web_seeded.passwords[user])
        return clients[user]

    yield _client
    for c in clients.values():
        c.close()


@pytest.fixture(scope="module")
def dataset(web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        path = Path(current_dataset(session).path)
    return read_dataset(path)


def estimated(dataset, code: str):  # noqa: ANN001, ANN201
    area = resolve_region(code)
    companies = dataset.companies.select(
        "prefecture_code", "municipality_code", "jsic_code", "fiscal_year", "employees"
    )
    basis = employment_basis([area], companies=companies)
    return regionalize(national_table_2015(), basis, area,
                       settings=RegionalSettings(population_share=population_share(area)))  # fmt: skip


def test_report_page_has_every_section_with_sources(as_user, dataset):
    r = as_user("fukushima").get("/regional/report?region=07")
    assert r.status_code == 200, alerts(r.text)
    text = text_of(r.text)
    for title in ("1. 企業と産業構造", "2. 地域経済循環と産業別の純移輸出", "3. コネクター企業・ハブ企業",
                  "4. 重点分野の候補", "5. 地域の計画の波及効果"):  # fmt: skip
        assert title in text
    year = dataset.companies["fiscal_year"].max()
    assert f"{year}年度" in text and NATIONAL_2015_CREDIT in text
    assert text.count("出典") >= 5  # every table names its source
    rate = float(re.search(r"地域経済循環率 ([\d.]+)%", text).group(1))
    from chiiki.io.circulation import circulation  # noqa: PLC0415

    assert rate == pytest.approx(circulation(estimated(dataset, "07").table).rate, abs=0.051)
    assert "コネクター度の上位10社" in text  # the prefecture's staff see firm names
    assert 'href="/regional/report.pdf?region=07"' in r.text


def test_report_withholds_firms_from_readers_without_the_firm_data(as_user, dataset):
    text = text_of(as_user("koriyama").get("/regional/report?region=07").text)
    assert "企業別のデータを閲覧する権限がないため" in text and "コネクター度の上位10社" not in text
    names = dataset.companies.filter(pl.col("prefecture_code") == "07")["name"].unique().to_list()
    assert not any(n in text for n in names[:200])


def test_report_pdf_embeds_a_japanese_font(as_user):
    r = as_user("fukushima").get("/regional/report.pdf?region=07")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and b"IPAGothic" in r.content and b"FontFile2" in r.content


def test_report_bad_region_is_a_japanese_422(as_user):
    r = as_user("fukushima").get("/regional/report?region=tohoku")
    assert r.status_code == 422 and "都道府県か市区町村" in alerts(r.text)[0]


def test_report_cli_writes_pdf_and_html(web_seeded, tmp_path, monkeypatch):
    from typer.testing import CliRunner  # noqa: PLC0415

    from chiiki.cli.main import app  # noqa: PLC0415

    monkeypatch.setenv("CHIIKI_DATA_DIR", str(web_seeded.data_dir))
    runner = CliRunner()
    out = tmp_path / "report.pdf"
    result = runner.invoke(app, ["io", "report", "--region", "07", "--user", "fukushima", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["io", "report", "--region", "07203", "--out", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text("utf-8")
    assert "地域レポート — 福島県郡山市" in text and "企業別のデータを閲覧する権限がないため" in text
    bad = runner.invoke(app, ["io", "report", "--region", "07", "--out", str(tmp_path / "x.doc")])
    assert bad.exit_code != 0 and ".pdf か .html" in bad.output


# --- firm network beside the IO ripple ----------------------------------------------------------


def busy_buyer(dataset) -> str:  # noqa: ANN001
    """A Fukushima firm with the most in-prefecture suppliers in the latest year."""
    year = dataset.companies["fiscal_year"].max()
    firms = dataset.companies.filter(pl.col("fiscal_year") == year).select("company_id", "prefecture_code")
    links = dataset.transactions.filter(pl.col("fiscal_year") == year)
    inside = (
        links.join(firms.rename({"company_id": "supplier_id", "prefecture_code": "sp"}), on="supplier_id")
        .join(firms.rename({"company_id": "customer_id", "prefecture_code": "cp"}), on="customer_id")
        .filter((pl.col("sp") == "07") & (pl.col("cp") == "07"))
    )
    return (
        inside["customer_id"]
        .value_counts()
        .sort(["count", "customer_id"], descending=[True, False])["customer_id"][0]
    )


def test_firm_ripple_beside_the_io_ripple_of_its_sector(as_user, dataset):
    company = busy_buyer(dataset)
    r = as_user("fukushima").get(f"/regional/firm?company_id={company}&amount=100&table=national")
    assert r.status_code == 200, alerts(r.text)
    year = dataset.companies["fiscal_year"].max()
    net = firm_ripple(dataset.companies, dataset.transactions, year=year, firms=company, delta=100_000.0)
    table = national_table_2015()
    jsic = dataset.companies.filter((pl.col("company_id") == company) & (pl.col("fiscal_year") == year))[
        "jsic_code"
    ][0]
    demand = np.zeros(table.n)
    demand[firm_sector(table, jsic)] = 100.0
    first = float(ripple_stages(table, demand, local_output=True).first_indirect.sum())
    share = re.search(r'id="firm-io-share">.*?<strong>([\d.]+)%</strong>', r.text, re.S).group(1)
    assert float(share) == pytest.approx(100 * net.induced / 1e3 / first, abs=0.051)
    rows = dict(
        re.findall(
            r"<tr><td>([^<]+)</td><td class=\"n\">([\d,.]+)</td></tr>",
            r.text.split('id="firm-io-summary"', 1)[1],
        )
    )
    assert float(rows["企業ネットワーク: 域内の仕入先で誘発された生産額"].replace(",", "")) == pytest.approx(
        net.induced / 1e3, abs=0.051
    )


@pytest.mark.parametrize("user", ["koriyama", "tokyo"])
def test_firm_figures_only_for_entitled_users(as_user, dataset, user):
    r = as_user(user).get(f"/regional/firm?company_id={busy_buyer(dataset)}&amount=100")
    assert r.status_code == 403 and "閲覧する権限がありません" in alerts(r.text)[0]
    assert 'id="firm-io-summary"' not in r.text


# --- 人材需要 on the plan page ----------------------------------------------------------------


def test_plan_page_shows_the_talent_demand_of_its_scenarios(as_user, dataset, web_seeded):
    client = as_user("fukushima")
    token = CSRF.search(client.get("/plans/new").text).group(1)
    created = client.post("/plans/new", data={"csrf_token": token, "plan_type": "B", "title": "人材需要の計画",
                                              "period_start": "2026", "period_end": "2030"}, follow_redirects=False)  # fmt: skip
    plan_id = int(created.headers["location"].rsplit("/", 1)[1])
    est = estimated(dataset, "07")
    sector = est.table.sectors[int(np.argmax(est.table.e))]
    data = {"csrf_token": CSRF.search(client.get("/ripple").text).group(1), "table": "regional:07:flq:0.05",
            "name": "人材シナリオ", "c": "0.7243", "sector_0": sector, "value_0": "1000000",
            "plan_id": str(plan_id), "save": "1"}  # fmt: skip
    r = client.post("/ripple", data=data, follow_redirects=False)
    assert r.status_code == 303, alerts(r.text)
    page = client.get(f"/plans/{plan_id}").text
    section = page.split('<section id="talent">', 1)[1].split("</section>", 1)[0]
    F = np.zeros(est.table.n)
    F[list(est.table.sectors).index(sector)] = 1_000_000.0
    jobs = induced_jobs(
        est.table, demand_scenarios(F, ["人材シナリオ"]), majors=est.majors, major_codes=est.major_codes
    )
    want = talent_demand(jobs).filter((pl.col("事業") == "計") & (pl.col("段階") == "総合効果"))
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td class=\"n\">[\d,]+</td><td class=\"n\">([\d,]+)</td></tr>", section
    )
    assert rows and {k: int(v.replace(",", "")) for k, v in rows} == dict(
        want.select("産業大分類", PERSONS).iter_rows()
    )
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        assert s.scalar(select(Plan.title).where(Plan.id == plan_id)) == "人材需要の計画"


# --- every municipality as a job ---------------------------------------------------------------


def test_every_municipality_runs_as_a_job_for_entitled_users(as_user, web_seeded, dataset):
    client = as_user("fukushima")
    token = CSRF.search(client.get("/regional").text).group(1)
    r = client.post("/regional/all", data={"csrf_token": token, "prefecture": "07", "method": "slq", "delta": "0"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    job = wait_for(web_seeded.app.state.chiiki.engine, job_id, timeout_s=120)
    assert job is not None and job.state == "succeeded", job and job.message
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    frame = pl.read_excel(download.content, sheet_name="市区町村別")
    latest = dataset.companies.filter((pl.col("fiscal_year") == dataset.companies["fiscal_year"].max())
                                      & (pl.col("prefecture_code") == "07") & (pl.col("employees") > 0))  # fmt: skip
    assert set(frame["市区町村コード"].cast(pl.Utf8).str.zfill(5)) <= set(latest["municipality_code"])
    other = as_user("koriyama")
    denied = other.post(
        "/regional/all",
        data={"csrf_token": CSRF.search(other.get("/regional").text).group(1), "prefecture": "07"},
    )
    assert denied.status_code == 403
