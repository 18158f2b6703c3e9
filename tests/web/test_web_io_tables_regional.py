"""Tables per region in the web app (issue #11 §5–6) and the regional economy pages (issue #14 §1–5).

Uploading a prefecture's table shows the recognition report before anything is stored, stores an
audited version that its prefecture's users (and its bureau and reviewers) may choose for a ripple,
and hides it from others; a table without imports is refused for the open model unless the user
says imports are zero; the regional page and API give the core's estimated table and circulation;
scenarios with ranges equal the core's and save with a plan. Expected values come from the core or
by hand, never from page output."""

from __future__ import annotations

import html
import io
import re
from importlib import resources
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import CSRF, logged_in

from chiiki.data import read_dataset
from chiiki.io import demand_matrix, national_table_2015, read_table_with_report, ripple
from chiiki.io.circulation import circulation
from chiiki.io.national import NATIONAL_2015_CREDIT
from chiiki.io.ranges import RangeSettings, ripple_ranges
from chiiki.io.regional import RegionalSettings, employment_basis, regionalize, resolve_region
from chiiki.io.regional import region_population_share as population_share
from chiiki.io.templates import scenarios_from_spec
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.datasets import current_dataset
from chiiki.store.models import IoTableVersion, RippleScenario

NO_IMPORTS = (
    "○○県産業連関表（輸入の列なし）\n（単位：百万円）\n"
    ",01 農業,02 工業,民間消費支出,移輸出,県内生産額\n"
    "01 農業,10,20,50,20,100\n02 工業,30,40,80,50,200\n"
    "雇用者所得,40,90\n営業余剰,20,50\n県内生産額,100,200\n"
)
"""A 2-sector table published without import columns, balanced: A = [[0.1, 0.1], [0.3, 0.2]]."""


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def table_rows(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def alerts(page: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r'role="alert">([^<]+)', page)]


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


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


def token(client: TestClient, path: str = "/io-tables") -> str:
    return CSRF.search(client.get(path).text).group(1)


def national_csv() -> bytes:
    return resources.files("chiiki.io").joinpath("data", "japan_io_2015_37.csv").read_bytes()


def upload(client: TestClient, name: str, data: bytes, **form: str):
    return client.post(
        "/io-tables/preview", data={"csrf_token": token(client), **form}, files={"file": (name, data)}
    )


def register(client: TestClient, preview_page: str, title: str):
    pending = re.search(r'id="io-register".*?name="token" value="([^"]+)"', preview_page, re.S).group(1)
    sheet = re.search(r'id="io-register".*?name="sheet" value="([^"]*)"', preview_page, re.S).group(1)
    data = {"csrf_token": token(client), "token": pending, "sheet": sheet, "title": title}
    return client.post("/io-tables/register", data=data, follow_redirects=False)


def ripple_post(client: TestClient, table: str, demand: dict[str, float], **extra: str):
    data = {"csrf_token": token(client, "/ripple"), "table": table, "name": "検証", "c": "0.7243", **extra}
    for i, (sector, value) in enumerate(demand.items()):
        data[f"sector_{i}"], data[f"value_{i}"] = sector, str(value)
    return client.post("/ripple", data=data)


@pytest.fixture(scope="module")
def uploaded(as_user, web_seeded) -> int:
    """福島県 uploads the national table's CSV as its own: the store id of the version."""
    client = as_user("fukushima")
    r = upload(client, "fukushima_io.csv", national_csv())
    assert r.status_code == 200, alerts(r.text)
    r = register(client, r.text, "福島県テスト表")
    assert r.status_code == 303, alerts(r.text)
    return int(r.headers["location"].rsplit("/", 1)[1])


# --- upload, report, versions, audit ----------------------------------------------------------


def test_upload_shows_the_recognition_report_before_storing(as_user, web_seeded):
    client = as_user("fukushima")
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        before = s.scalar(select(IoTableVersion.id).order_by(IoTableVersion.id.desc()).limit(1))
    r = upload(client, "pref.csv", national_csv())
    assert r.status_code == 200
    _, report = read_table_with_report(national_csv(), name="pref.csv")
    groups = {row[0]: row for row in table_rows(r.text, "io-recognised")}
    assert groups["部門"][1] == "37" == str(len(report.sectors))
    assert [row[3] for row in table_rows(r.text, "io-balances")] == [
        "一致" if b.ok else "不一致" for b in report.balances
    ]
    assert 'id="io-register"' in r.text
    with session_scope(web_seeded.app.state.chiiki.engine) as s:  # nothing stored by a preview
        assert s.scalar(select(IoTableVersion.id).order_by(IoTableVersion.id.desc()).limit(1)) == before


def test_registered_table_is_a_version_audited_and_shown_with_its_report(as_user, uploaded, web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        row = s.get(IoTableVersion, uploaded)
        assert (row.prefecture_code, row.n_sectors, row.unit, row.created_by) == (
            "07",
            37,
            "百万円",
            "fukushima",
        )
        assert Path(row.path).read_bytes() == national_csv()
        entries = audit_entries(s, entity="io_table", entity_id=uploaded)
        assert [(e.actor, e.action) for e in entries] == [("fukushima", "upload")]
    page = as_user("fukushima").get(f"/io-tables/{uploaded}").text
    assert "福島県テスト表（第" in page and 'id="io-recognised"' in page
    assert f"/ripple?table=upload-{uploaded}" in page


def test_ripple_with_the_uploaded_table_equals_the_core(as_user, uploaded):
    client = as_user("koriyama")  # a municipality of the prefecture may choose it
    assert f'value="upload-{uploaded}"' in client.get("/ripple").text
    r = ripple_post(client, f"upload-{uploaded}", {"32_電子部品": 100})
    assert r.status_code == 200, alerts(r.text)
    table = national_table_2015()
    F, names = demand_matrix(table, pl.DataFrame({"sector": ["32_電子部品"], "value": [100.0]}))
    want = ripple(table, F).summary.filter(pl.col("measure") == "生産誘発額")
    got = {row[0]: number(row[1]) for row in table_rows(r.text, "ripple-summary")}
    for stage, value in zip(want["stage"].cast(pl.Utf8), want["value"], strict=True):
        assert got[stage] == pytest.approx(value, abs=0.051)
    assert "福島県テスト表" in text_of(r.text.split('id="ripple-source"', 1)[1].split("</p>", 1)[0])


@pytest.mark.parametrize("user", ["tohoku", "reviewer"])
def test_bureau_and_reviewers_see_the_prefectures_table(as_user, uploaded, user):
    assert as_user(user).get(f"/io-tables/{uploaded}").status_code == 200


@pytest.mark.parametrize("user", ["tokyo", "kanto"])
def test_other_regions_neither_see_nor_use_the_table(as_user, uploaded, user):
    client = as_user(user)
    r = client.get(f"/io-tables/{uploaded}")
    assert r.status_code == 404 and "閲覧できない表" in r.text
    assert f"upload-{uploaded}" not in client.get("/io-tables").text
    r = ripple_post(client, f"upload-{uploaded}", {"32_電子部品": 100})
    assert 'id="ripple-summary"' not in r.text and any("閲覧できない表" in a for a in alerts(r.text))


def test_only_prefecture_staff_upload(as_user):
    r = upload(as_user("koriyama"), "x.csv", national_csv())
    assert r.status_code == 403 and "都道府県の担当者だけ" in r.text
    assert 'id="io-file"' not in as_user("koriyama").get("/io-tables").text


def test_bad_files_are_refused_in_japanese_and_store_nothing(as_user, web_seeded):
    client = as_user("fukushima")
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        count = len(s.scalars(select(IoTableVersion.id)).all())
    r = upload(client, "table.txt", b"abc")
    assert r.status_code == 422 and "形式は使えません" in alerts(r.text)[0]
    r = upload(client, "table.csv", "ただの文章です\n表はありません\n".encode())
    assert r.status_code == 422 and alerts(r.text) and 'id="io-register"' not in r.text
    r = client.post("/io-tables/register", data={"csrf_token": token(client), "token": "x" * 24, "sheet": ""})
    assert r.status_code == 422 and "確認したファイルが見つかりません" in alerts(r.text)[0]
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        assert len(s.scalars(select(IoTableVersion.id)).all()) == count


def test_another_users_pending_upload_cannot_be_registered(as_user):
    r = upload(as_user("fukushima"), "pref.csv", national_csv())
    pending = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    other = as_user("tokyo")
    r = other.post("/io-tables/register", data={"csrf_token": token(other), "token": pending, "sheet": ""})
    assert r.status_code == 422 and "確認したファイルが見つかりません" in alerts(r.text)[0]


def test_workbook_with_several_sheets_offers_the_sheet_choice(as_user, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "説明"
    book.active.append(["この表について"])
    sheet = book.create_sheet("取引基本表")
    for line in NO_IMPORTS.strip().split("\n"):
        sheet.append([float(v) if v.replace(".", "").isdigit() else v for v in line.split(",")])
    other = book.create_sheet("取引基本表（複写）")
    for row in sheet.iter_rows(values_only=True):
        other.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    client = as_user("fukushima")
    r = upload(client, "book.xlsx", buf.getvalue())
    assert r.status_code == 422 and 'id="io-sheet"' in r.text
    options = re.findall(
        r"<option[^>]*>([^<]+)</option>", r.text.split('id="io-sheet"', 1)[1].split("</form>", 1)[0]
    )
    assert options == ["説明", "取引基本表", "取引基本表（複写）"]
    pending = re.search(r'id="io-sheet".*?name="token" value="([^"]+)"', r.text, re.S).group(1)
    r = client.post(
        "/io-tables/preview", data={"csrf_token": token(client), "token": pending, "sheet": "取引基本表"}
    )
    assert r.status_code == 200 and 'id="io-register"' in r.text and "シート: 取引基本表" in r.text


def test_table_without_imports_states_its_limits_and_needs_imports_zero(as_user):
    client = as_user("fukushima")
    r = upload(client, "no_imports.csv", NO_IMPORTS.encode("cp932"))
    assert r.status_code == 200
    limits = text_of(r.text.split('id="io-limits"', 1)[1].split("</ul>", 1)[0])
    assert "輸入（移輸入）の列がない" in limits and "--imports-zero" not in limits
    r = register(client, r.text, "輸入なしの表")
    table_id = f"upload-{r.headers['location'].rsplit('/', 1)[1]}"
    page = client.get(f"/ripple?table={table_id}").text
    assert "この表で計算できないこと" in page
    refused = ripple_post(client, table_id, {"01_農業": 10})
    assert refused.status_code == 422 and 'id="ripple-summary"' not in refused.text
    assert any("輸入は0とみなす" in a for a in alerts(refused.text))
    r = ripple_post(client, table_id, {"01_農業": 10}, imports_zero="true")
    assert r.status_code == 200, alerts(r.text)
    got = {row[0]: number(row[1]) for row in table_rows(r.text, "ripple-summary")}
    # by hand: L = (I − A)⁻¹ = [[0.8, 0.1], [0.3, 0.9]] / 0.69; first round L·ΔF = [8, 3] / 0.69
    assert got["直接効果"] == pytest.approx(10.0, abs=0.051)
    assert got["直接効果"] + got["第1次間接効果"] == pytest.approx(11 / 0.69, abs=0.051)
    assert "輸入（移輸入）がない（0）と利用者が明示した" in r.text


def test_retiring_hides_the_version_from_choice_and_is_audited(as_user, web_seeded):
    client = as_user("fukushima")
    r = register(client, upload(client, "old.csv", national_csv()).text, "古い版")
    row_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert f'value="upload-{row_id}"' in client.get("/ripple").text
    denied = as_user("tokyo").post(
        f"/io-tables/{row_id}/retire", data={"csrf_token": token(as_user("tokyo"))}
    )
    assert denied.status_code == 404
    r = client.post(f"/io-tables/{row_id}/retire", data={"csrf_token": token(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert f'value="upload-{row_id}"' not in client.get("/ripple").text
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        actions = [e.action for e in audit_entries(s, entity="io_table", entity_id=row_id)]
    assert actions == ["upload", "retire"]


def test_national_table_page_shows_its_credit(as_user):
    page = as_user("tokyo").get("/io-tables/national").text
    assert NATIONAL_2015_CREDIT in page and 'id="io-recognised"' in page


# --- regional tables and circulation -----------------------------------------------------------


@pytest.fixture(scope="module")
def companies(web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        path = Path(current_dataset(session).path)
    return read_dataset(path).companies


def expected_regional(companies: pl.DataFrame, code: str, method: str, delta: float):
    area = resolve_region(code)
    basis = employment_basis([area], companies=companies.select(
        "prefecture_code", "municipality_code", "jsic_code", "fiscal_year", "employees"))  # fmt: skip
    settings = RegionalSettings(method=method, delta=delta, population_share=population_share(area))
    return regionalize(national_table_2015(), basis, area, settings=settings)


def test_regional_page_gives_the_core_estimate_and_its_circulation(as_user, companies):
    r = as_user("fukushima").get("/regional?region=07&method=slq&delta=0")
    assert r.status_code == 200, alerts(r.text)
    want = expected_regional(companies, "07", "slq", 0.0)
    rows = table_rows(r.text, "regional-sectors")
    assert [row[0] for row in rows] == list(want.table.sectors)
    for row, x in zip(rows, want.table.X, strict=True):
        assert number(row[3]) == pytest.approx(x, abs=0.51)
    circ = circulation(want.table)
    rate = re.search(r"地域経済循環率 <strong>([\d.,]+)%</strong>", r.text).group(1)
    assert float(rate) == pytest.approx(circ.rate, abs=0.051)
    net = table_rows(r.text, "net-exports")
    assert [row[0] for row in net] == circ.net_exports["部門"].to_list()
    assert NATIONAL_2015_CREDIT in r.text


def test_regional_download_reads_back_as_the_same_table(as_user, companies):
    r = as_user("fukushima").get("/regional?region=07&method=flq&delta=0.1&download=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table, _ = read_table_with_report(r.content, name="regional.csv")
    want = expected_regional(companies, "07", "flq", 0.1).table
    assert table.sectors == want.sectors
    assert np.allclose(table.X, want.X, rtol=1e-9)
    x = as_user("fukushima").get("/regional?region=07&download=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=07&method=xlq", "推計方法「xlq」は使えません"),
        ("region=07&delta=2", "δ「2」は 0 以上 1 未満"),
        ("region=99", "地域「99」が見つかりません"),
        ("municipalities=abc", "市区町村コード「abc」"),
    ],
)
def test_regional_bad_input_is_a_japanese_422(as_user, query, message):
    r = as_user("fukushima").get(f"/regional?{query}")
    assert r.status_code == 422 and message in alerts(r.text)[0]


def small_municipality(companies: pl.DataFrame) -> str:
    """A Fukushima municipality with firms, some of whose sectors have fewer than 3 firms."""
    latest = companies.filter(
        (pl.col("fiscal_year") == companies["fiscal_year"].max()) & (pl.col("prefecture_code") == "07")
    )
    counts = latest.group_by("municipality_code").len().filter(pl.col("len") >= 3).sort("len")
    return counts["municipality_code"][0]


def test_small_sectors_are_withheld_from_users_without_the_firm_data(as_user, companies):
    code = small_municipality(companies)
    municipal = as_user("koriyama").get(f"/regional?region={code}")
    assert municipal.status_code == 200, alerts(municipal.text)
    assert "秘匿" in text_of(municipal.text.split('id="regional-sectors"', 1)[1])
    refused = as_user("koriyama").get(f"/regional?region={code}&download=csv")
    assert refused.status_code == 422 and "ダウンロードできません" in alerts(refused.text)[0]
    staff = as_user("fukushima").get(f"/regional?region={code}")
    assert "秘匿" not in text_of(staff.text.split('id="regional-sectors"', 1)[1])


def test_circulation_of_a_chosen_table(as_user):
    r = as_user("tokyo").get("/regional?table=national")
    assert r.status_code == 200
    circ = circulation(national_table_2015())
    summary = {row[1]: number(row[2]) for row in table_rows(r.text, "circulation-summary")}
    assert summary["粗付加価値（生産）"] == pytest.approx(circ.production, abs=0.051)
    assert summary["純移輸出（移輸出 − 移輸入）"] == pytest.approx(
        float(national_table_2015().exports.sum() + national_table_2015().imports.sum()), abs=0.051
    )


def test_ripple_with_an_estimated_table_gives_jobs_by_sector_and_stage(as_user, companies):
    want = expected_regional(companies, "07", "flq", 0.05)
    sector = want.table.sectors[int(np.argmax(want.table.e))]  # the most labour-intensive sector
    r = ripple_post(as_user("fukushima"), "regional:07:flq:0.05", {sector: 1_000_000})
    assert r.status_code == 200, alerts(r.text)
    rows = table_rows(r.text, "ripple-jobs")
    F, _ = demand_matrix(want.table, pl.DataFrame({"sector": [sector], "value": [1_000_000.0]}))
    total = ripple(want.table, F).summary.filter(
        (pl.col("measure") == "就業誘発数") & (pl.col("stage") == "総合効果")
    )["value"][0]
    assert sum(number(row[4]) for row in rows) == pytest.approx(total, abs=len(rows))
    assert all(number(row[1]) + number(row[2]) + number(row[3]) == number(row[4]) for row in rows)
    assert 'id="ripple-jobs-major"' in r.text


# --- scenarios with ranges ---------------------------------------------------------------------


def test_scenarios_side_by_side_with_ranges_equal_the_core_and_save_with_a_plan(as_user, web_seeded):
    client = as_user("fukushima")
    client.post("/scenarios/remove", data={"csrf_token": token(client, "/scenarios"), "index": "all"})
    new = {"csrf_token": token(client, "/plans/new"), "plan_type": "B", "title": "範囲付きシナリオの計画",
           "period_start": "2026", "period_end": "2030"}  # fmt: skip
    created = client.post("/plans/new", data=new, follow_redirects=False)
    assert created.status_code == 303, created.text
    plan = created.headers["location"].rsplit("/", 1)[1]
    specs = [
        {"template": "construction", "name": "体育館", "amount_non_residential": "500"},
        {
            "template": "tourism",
            "name": "祭り",
            "visitors": "10000",
            "outside_share": "60",
            "per_head_lodging": "8000",
        },
    ]
    for spec in specs:
        r = client.post(
            "/scenarios/add", data={"csrf_token": token(client, "/scenarios"), **spec}, follow_redirects=False
        )
        assert r.status_code == 303
    r = client.get("/scenarios?c=0.7&c_low=0.5&c_high=0.8&import_change=10")
    assert r.status_code == 200, alerts(r.text)
    core = ripple_ranges(
        national_table_2015(),
        scenarios_from_spec(
            [
                {"template": "construction", "name": "体育館", "amounts": {"non_residential": 500.0}},
                {
                    "template": "tourism",
                    "name": "祭り",
                    "visitors": 10000.0,
                    "outside_share": 0.6,
                    "per_head": {"lodging": 8000.0},
                    "organiser": {},
                },
            ]
        ),  # fmt: skip
        settings=RangeSettings(c=0.7, c_low=0.5, c_high=0.8, import_change=0.1),
    ).frame
    body = r.text.split('id="scenario-compare"', 1)[1].split("</tbody>", 1)[0]
    row = next(
        x for x in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "<td>総合効果</td><td>生産誘発額</td>" in x
    )
    cells = re.findall(r'<td class="n">([^<]+)<br><span class="note">([^<]+)</span>', row)
    for (central, spread), name in zip(cells, ("体育館", "祭り"), strict=True):
        want = core.filter(
            (pl.col("scenario") == name)
            & (pl.col("stage") == "総合効果")
            & (pl.col("measure") == "生産誘発額")
        ).row(0, named=True)
        assert number(central) == pytest.approx(want["central"], abs=0.051)
        assert html.unescape(spread) == f"{want['low']:,.1f} 〜 {want['high']:,.1f}"
    assert f'<option value="{plan}">' in r.text.split('id="scenario-save"', 1)[1]
    save = {"csrf_token": token(client, "/scenarios"), "plan_id": plan, "table": "national", "c": "0.7",
            "c_low": "0.5", "c_high": "0.8", "import_change": "10"}  # fmt: skip
    r = client.post("/scenarios/save", data=save, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/plans/{plan}#ripple"
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        stored = s.scalars(
            select(RippleScenario)
            .where(RippleScenario.plan_id == int(plan))
            .order_by(RippleScenario.id.desc())
            .limit(2)
        ).all()
        names = sorted(x.name for x in stored)
        assert names == ["体育館", "祭り"]
        assert all(
            x.inputs["ranges"]["c_low"] == 0.5 and x.inputs["credit"] == NATIONAL_2015_CREDIT for x in stored
        )
        assert {
            e.action for x in stored for e in audit_entries(s, entity="ripple_scenario", entity_id=x.id)
        } == {"create"}


def test_scenario_form_errors_are_japanese_and_at_most_five(as_user):
    client = as_user("tokyo")
    client.post("/scenarios/remove", data={"csrf_token": token(client, "/scenarios"), "index": "all"})
    bad = {"csrf_token": token(client, "/scenarios"), "template": "equipment", "amount_machinery": "abc"}
    r = client.post("/scenarios/add", data=bad)
    assert r.status_code == 422 and alerts(r.text) == [
        "「機械設備」の値「abc」は数値ではありません。半角数字で入力してください。"
    ]
    for i in range(5):
        ok = {
            "csrf_token": token(client, "/scenarios"),
            "template": "exports",
            "name": f"輸出{i}",
            "sector_0": "35",
            "value_0": "10",
        }
        assert client.post("/scenarios/add", data=ok, follow_redirects=False).status_code == 303
    sixth = {
        "csrf_token": token(client, "/scenarios"),
        "template": "exports",
        "name": "輸出6",
        "sector_0": "35",
        "value_0": "10",
    }
    r = client.post("/scenarios/add", data=sixth)
    assert r.status_code == 422 and "5 つまで" in alerts(r.text)[0]


def test_income_flows_enter_the_distribution_and_the_rate(as_user):
    r = as_user("tokyo").get("/regional?table=national&commuting_income=-1000000&property_income=500000")
    assert r.status_code == 200, alerts(r.text)
    from chiiki.io.circulation import CirculationSettings  # noqa: PLC0415

    circ = circulation(national_table_2015(), CirculationSettings(-1_000_000.0, 500_000.0, 0.0))
    rate = re.search(r"地域経済循環率 <strong>([\d.,]+)%</strong>", r.text).group(1)
    assert float(rate) == pytest.approx(circ.rate, abs=0.051) and circ.rate > 100
    bad = as_user("tokyo").get("/regional?table=national&other_income=abc")
    assert (
        bad.status_code == 422
        and "「その他の所得の純流入（財政移転など）」の値「abc」" in alerts(bad.text)[0]
    )


def test_a_ripple_is_handed_to_the_comparison_with_ranges(as_user):
    client = as_user("reviewer")
    client.post("/scenarios/remove", data={"csrf_token": token(client, "/scenarios"), "index": "all"})
    r = ripple_post(client, "national", {"32_電子部品": 100, "41_建設": 50})
    form = r.text.split('id="ripple-to-compare"', 1)[1].split("</form>", 1)[0]
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert data["sector_0"] == "32" and data["sector_1"] == "41" and data["template"] == "demand"
    r = client.post(
        "/scenarios/add", data={k: html.unescape(v) for k, v in data.items()}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/scenarios?table=national")
    page = client.get(r.headers["location"] + "&c_low=0.6&c_high=0.8").text
    core = (
        ripple_ranges(
            national_table_2015(),
            scenarios_from_spec(
                [{"template": "demand", "name": "検証", "amounts": {"32": 100.0, "41": 50.0}}]
            ),
            settings=RangeSettings(c_low=0.6, c_high=0.8),
        )
        .frame.filter((pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額"))
        .row(0, named=True)
    )
    body = page.split('id="scenario-compare"', 1)[1].split("</tbody>", 1)[0]
    row = next(
        x for x in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "<td>総合効果</td><td>生産誘発額</td>" in x
    )
    central, spread = re.findall(r'<td class="n">([^<]+)<br><span class="note">([^<]+)</span>', row)[0]
    assert number(central) == pytest.approx(core["central"], abs=0.051)
    assert html.unescape(spread) == f"{core['low']:,.1f} 〜 {core['high']:,.1f}"


def test_ripple_on_a_table_with_withheld_sectors_keeps_totals_and_hides_their_rows(as_user, companies):
    code = small_municipality(companies)
    client = as_user("koriyama")
    table_id = f"regional:{code}:flq:0.05"
    rows = table_rows(client.get(f"/regional?region={code}&method=flq&delta=0.05").text, "regional-sectors")
    hidden = {row[0] for row in rows if row[1] == "秘匿"}
    assert hidden
    want = expected_regional(companies, code, "flq", 0.05).table
    sector = next(s for s in want.sectors if s not in hidden)
    r = ripple_post(client, table_id, {sector: 1000})
    assert r.status_code == 200, alerts(r.text)
    assert f"企業数の少ない {len(hidden)} 部門の部門別の値は秘匿しています" in r.text
    F, _ = demand_matrix(want, pl.DataFrame({"sector": [sector], "value": [1000.0]}))
    total = ripple(want, F).summary.filter(
        (pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額")
    )
    got = {row[0]: number(row[1]) for row in table_rows(r.text, "ripple-summary")}
    assert got["総合効果"] == pytest.approx(total["value"][0], abs=0.051)
    chart = r.text.split("部門別の生産誘発額（段階別）", 1)[1].split("</svg>", 1)[0]
    assert not any(f">{h}<" in chart for h in hidden)
    if 'id="ripple-jobs"' in r.text:
        assert not {row[0] for row in table_rows(r.text, "ripple-jobs")} & hidden
