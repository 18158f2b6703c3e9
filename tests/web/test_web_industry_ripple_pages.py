"""産業分析 and 波及効果 pages (issue #7 §2; SPEC §4, §5): the figures on the pages equal what the core
packages compute for the same data, bad input is a Japanese 422, and a ripple scenario can be saved to
a plan by the plan's owner only.

Expected values are computed here through :mod:`chiiki.industry` and :mod:`chiiki.io` from the data
set read from the store, not taken from the app's caches or copied from page output."""

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
from chiiki.industry import location_quotient, matrix_from_firms
from chiiki.industry.complexity import complexity
from chiiki.industry.lq import earning_power
from chiiki.industry.suggest import suggest_fields
from chiiki.io import STAGES, ripple_stages
from chiiki.io.national import NATIONAL_2015_CREDIT, NATIONAL_2015_NAME, national_table_2015
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.datasets import current_dataset
from chiiki.store.models import RippleScenario

MEASURES = ("生産誘発額", "粗付加価値誘発額", "雇用者所得誘発額", "就業誘発数")


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def body_rows(fragment: str) -> list[list[str]]:
    """The cell texts of the rows of the first ``<tbody>`` in ``fragment``."""
    body = fragment.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def table_rows(page: str, table_id: str) -> list[list[str]]:
    return body_rows(page.split(f'id="{table_id}"', 1)[1])


def svg_after(page: str, heading: str) -> str:
    """The first ``<svg>`` after ``<h2>heading</h2>``."""
    rest = page.split(f"<h2>{heading}</h2>", 1)[1]
    return rest[rest.index("<svg") : rest.index("</svg>") + 6]


def alerts(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'role="alert">([^<]+)', page)]


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


@pytest.fixture(scope="module")
def dataset(web_seeded):
    """The seeded firm data set, read from the path the store registers as current."""
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        path = Path(current_dataset(session).path)
    return read_dataset(path)


@pytest.fixture(scope="module")
def matrix(dataset):
    return matrix_from_firms(dataset, region="prefecture")


@pytest.fixture(scope="module")
def as_user(web_seeded):
    """``as_user(name)`` → a logged-in client (one per user and module)."""
    clients: dict[str, TestClient] = {}

    def _client(user: str) -> TestClient:
        if user not in clients:
            clients[user] = logged_in(web_seeded.app, user, web_seeded.passwords[user])
        return clients[user]

    yield _client
    for c in clients.values():
        c.close()


def token_of(client: TestClient, path: str = "/ripple") -> str:
    return CSRF.search(client.get(path).text).group(1)


# --- 産業分析 -----------------------------------------------------------------------------------


def expected_lq(matrix: pl.DataFrame, *, pref: str, measure: str, year: int) -> pl.DataFrame:
    data = matrix.filter((pl.col("measure") == measure) & (pl.col("fiscal_year") == year))
    return (
        location_quotient(data)
        .filter((pl.col("region_code") == pref) & (pl.col("value") > 0))
        .sort("lq", "industry_code", descending=[True, False])
    )


@pytest.mark.parametrize(("measure", "label"), [("employees", "従業者数"), ("sales", "売上高")])
def test_industry_page_lq_chart_and_table_match_the_core_location_quotient(as_user, matrix, measure, label):
    # the prefecture's staff may see its firm data: nothing is suppressed for them (SPEC §0.1)
    r = as_user("fukushima").get(f"/industry?pref=07&measure={measure}")
    assert r.status_code == 200
    year = matrix["fiscal_year"].max()
    assert f"<h1>産業分析 — 福島県（{year}年度）</h1>" in r.text
    expected = expected_lq(matrix, pref="07", measure=measure, year=year)
    rows = table_rows(r.text, "lq")
    assert len(rows) == min(100, expected.height)
    top = expected.row(0, named=True)
    assert rows[0][0].startswith(top["industry_code"] + " ")
    assert rows[0][3] == f"{top['lq']:.2f}"
    assert [row[0].split(" ")[0] for row in rows[:10]] == expected["industry_code"].head(10).to_list()
    chart = svg_after(r.text, "特化係数（LQ）")
    assert f"特化係数（{label}、上位20産業）" in chart
    bars = re.findall(r"<rect [^>]*><title>([^<]+)</title></rect>", chart)
    assert len(bars) == min(20, expected.height)
    assert text_of(bars[0]).startswith(rows[0][0])


def test_industry_page_year_parameter_selects_that_year(as_user, matrix):
    years = sorted(matrix["fiscal_year"].unique().to_list())
    assert len(years) >= 2
    r = as_user("fukushima").get(f"/industry?pref=07&year={years[0]}")
    assert r.status_code == 200 and f"（{years[0]}年度）" in r.text
    expected = expected_lq(matrix, pref="07", measure="employees", year=years[0])
    assert table_rows(r.text, "lq")[0][3] == f"{expected['lq'][0]:.2f}"
    assert f"<option selected>{years[0]}</option>" in r.text


def test_earning_power_chart_has_a_point_per_industry(as_user, matrix):
    r = as_user("fukushima").get("/industry?pref=07")
    expected = earning_power(matrix, region="07", fiscal_year=matrix["fiscal_year"].max())
    # industries absent from the prefecture have log(LQ) = −inf and no point on the chart
    expected = expected.filter(pl.col("log_lq").is_finite() & pl.col("employment_share").is_finite())
    chart = svg_after(r.text, "稼ぐ力")
    assert "稼ぐ力の見える化（雇用比率 × 特化係数の対数）" in chart
    points = re.findall(r'<circle [^>]*class="pt"><title>([^<]+)</title>', chart)
    assert len(points) == expected.height > 0
    assert {p.split(" ")[0] for p in points} == set(expected["industry_code"].to_list())


def test_complexity_card_shows_the_prefectures_eci_and_rank(as_user, matrix):
    r = as_user("koriyama").get("/industry?pref=07")
    data = matrix.filter(pl.col("measure") == "employees")
    regions = complexity(data, measure="employees", fiscal_year=data["fiscal_year"].max()).regions
    own = regions.filter(pl.col("region_code") == "07").row(0, named=True)
    rank = 1 + regions.filter(pl.col("eci") > own["eci"]).height
    section = r.text.split("<h2>経済複雑性</h2>", 1)[1].split("</section>", 1)[0]
    assert f'<div class="v">{own["eci"]:,.2f}</div>' in section
    assert f"{regions.height}都道府県中 {rank}位" in section
    assert f'<div class="v">{own["diversity"]:,}</div>' in section
    assert len(table_rows(r.text, "complexity")) > 0


def test_field_suggestions_rank_all_17_fields_as_the_core_does(as_user, matrix):
    r = as_user("koriyama").get("/industry?pref=07")
    expected = suggest_fields(
        matrix.filter(pl.col("measure") == "employees"), prefecture="07", measure="employees"
    )
    rows = table_rows(r.text, "suggestions")
    assert len(rows) == 17
    assert [int(row[1].split(" ")[0]) for row in rows] == expected["field_id"].to_list()
    assert sorted(int(row[1].split(" ")[0]) for row in rows) == list(range(1, 18))
    labels = {"strong": "強み", "adjacent": "伸びしろ", "distant": "遠い"}
    assert [row[2] for row in rows] == [labels[c] for c in expected["category"]]


@pytest.mark.parametrize(
    ("query", "field"), [("pref=99", "pref"), ("measure=profit", "measure"), ("year=abc", "year")]
)
def test_industry_bad_query_parameters_give_a_japanese_422(as_user, query, field):
    r = as_user("fukushima").get(f"/industry?{query}")
    assert r.status_code == 422
    message = text_of(re.search(r'class="error-message">(.*?)</p>', r.text).group(1))
    assert message.startswith("入力内容に誤りがあります。") and f"{field}「" in message
    assert not any(w in message for w in ("Input should", "String should", "Field required", "valid"))
    assert "Traceback" not in r.text


# --- 波及効果 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def io_table():
    """The ripple page's default table: the shipped national 2015 table (issue #11 §5)."""
    return national_table_2015()


def expected_summary(table, demand: dict[str, float], *, c: float, local_output: bool = False) -> dict:  # noqa: ANN001
    """(stage, measure) → value for ``demand`` through :func:`chiiki.io.ripple_stages`."""
    F = np.zeros(table.n)
    for sector, value in demand.items():
        F[list(table.sectors).index(sector)] += value
    st = ripple_stages(table, F, c=c, local_output=local_output)
    out = {}
    for stage, x in zip(STAGES, (st.direct, st.first_indirect, st.second_indirect, st.total), strict=True):
        x = x[:, 0]
        coefficients = (np.ones(table.n), table.v, table.w, table.e)
        for measure, coef in zip(MEASURES, coefficients, strict=True):
            if coef is not None:
                out[stage, measure] = float(coef @ x)
    return out


def ripple_form(demand: dict[str, float | str], *, token: str, c: str = "0.7243", **extra: str) -> dict:
    data = {"csrf_token": token, "pref": "07", "name": "テスト需要", "c": c, **extra}
    for i, (sector, value) in enumerate(demand.items()):
        data[f"sector_{i}"], data[f"value_{i}"] = sector, str(value)
    return data


def summary_of(page: str) -> dict:
    """(stage, measure) → value; a measure the table cannot give (「—」) is left out."""
    return {
        (row[0], m): number(v)
        for row in table_rows(page, "ripple-summary")
        for m, v in zip(MEASURES, row[1:], strict=True)
        if v != "—"
    }


def test_ripple_form_lists_the_sectors_of_the_national_default_table_with_its_credit(as_user, io_table):
    r = as_user("koriyama").get("/ripple")
    assert r.status_code == 200 and f"経済波及効果 — {NATIONAL_2015_NAME}" in r.text
    assert NATIONAL_2015_CREDIT in r.text
    select_0 = r.text.split('name="sector_0">', 1)[1].split("</select>", 1)[0]
    options = [text_of(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select_0)]
    assert options == ["（選択）", *io_table.sectors]
    assert 'name="value_4"' in r.text and 'name="value_5"' not in r.text


def test_ripple_results_by_stage_equal_the_core_computation(as_user, io_table):
    client = as_user("koriyama")
    s0, s1 = io_table.sectors[1], io_table.sectors[4]
    r = client.post("/ripple", data=ripple_form({s0: 100, s1: "1,250.5"}, token=token_of(client), c="0.6"))
    assert r.status_code == 200, alerts(r.text)
    rows = table_rows(r.text, "ripple-summary")
    assert [row[0] for row in rows] == list(STAGES)
    got, want = summary_of(r.text), expected_summary(io_table, {s0: 100.0, s1: 1250.5}, c=0.6)
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=0.051), key
    # the total is the sum of the three stages and larger than the direct effect
    three = sum(got[stage, "生産誘発額"] for stage in STAGES[:3])
    assert got["総合効果", "生産誘発額"] == pytest.approx(three, abs=0.15)
    assert got["総合効果", "生産誘発額"] > got["直接効果", "生産誘発額"] > 0
    multiplier = float(re.search(r"波及倍率.*?<strong>([\d.]+)</strong>", r.text).group(1))
    assert multiplier == pytest.approx(want["総合効果", "生産誘発額"] / 1350.5, abs=0.0006)
    [chart] = [
        svg for svg in re.findall(r"<svg.*?</svg>", r.text, re.S) if "部門別の生産誘発額（段階別）" in svg
    ]
    assert s0 in chart and s1 in chart
    assert "c = 0.6" in r.text


def test_ripple_demand_given_as_local_output_is_the_direct_effect(as_user, io_table):
    client = as_user("koriyama")
    s0 = io_table.sectors[0]
    data = ripple_form({s0: 200}, token=token_of(client), local_output="true")
    r = client.post("/ripple", data=data)
    assert r.status_code == 200, alerts(r.text)
    got = summary_of(r.text)
    assert got["直接効果", "生産誘発額"] == 200.0
    want = expected_summary(io_table, {s0: 200.0}, c=0.7243, local_output=True)
    assert got["総合効果", "粗付加価値誘発額"] == pytest.approx(
        want["総合効果", "粗付加価値誘発額"], abs=0.051
    )
    assert 'name="local_output" value="true" checked' in r.text


def test_ripple_non_numeric_demand_is_a_422_naming_the_row(as_user, io_table):
    client = as_user("koriyama")
    data = ripple_form({io_table.sectors[0]: 100, io_table.sectors[1]: "百"}, token=token_of(client))
    r = client.post("/ripple", data=data)
    assert r.status_code == 422
    assert alerts(r.text) == ["2行目: 需要額「百」は数値ではありません。半角数字で入力してください。"]
    assert 'id="ripple-summary"' not in r.text and "Traceback" not in r.text


@pytest.mark.parametrize("c", ["abc", "1.5", "-0.1", "nan"])
def test_ripple_consumption_coefficient_outside_0_to_1_is_a_japanese_422(as_user, io_table, c):
    client = as_user("koriyama")
    r = client.post("/ripple", data=ripple_form({io_table.sectors[0]: 100}, token=token_of(client), c=c))
    assert r.status_code == 422
    assert alerts(r.text) == [
        f"消費転換係数 c「{c}」は 0〜1 の数値ではありません。0〜1 の小数で入力してください（例 0.7243）。"
    ]


def test_ripple_without_demand_asks_for_a_row(as_user):
    client = as_user("koriyama")
    r = client.post("/ripple", data=ripple_form({}, token=token_of(client)))
    assert r.status_code == 422
    assert alerts(r.text) == ["最終需要を1行以上入力してください（部門と金額）。"]


def test_ripple_post_without_csrf_token_is_refused(as_user, io_table):
    data = ripple_form({io_table.sectors[0]: 100}, token="")
    del data["csrf_token"]
    r = as_user("koriyama").post("/ripple", data=data)
    assert r.status_code == 403 and "CSRF" in r.text


def new_plan(client: TestClient, title: str) -> int:
    token = token_of(client, "/plans/new")
    data = {
        "csrf_token": token,
        "plan_type": "B",
        "title": title,
        "period_start": "2026",
        "period_end": "2030",
    }
    r = client.post("/plans/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def scenarios_of(web_seeded, plan_id: int) -> list[RippleScenario]:  # noqa: ANN001
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        rows = list(session.scalars(select(RippleScenario).where(RippleScenario.plan_id == plan_id)))
        session.expunge_all()
        return rows


def test_saving_a_scenario_attaches_it_to_the_owners_plan(as_user, io_table, web_seeded):
    client = as_user("fukushima")
    plan_id = new_plan(client, "波及効果を保存する計画")
    form_page = client.get("/ripple").text
    assert f'<option value="{plan_id}">{plan_id}: 波及効果を保存する計画（作成中）</option>' in form_page
    s0 = io_table.sectors[2]
    data = ripple_form({s0: 300}, token=token_of(client), name="工場新設", plan_id=str(plan_id), save="1")
    r = client.post("/ripple", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/plans/{plan_id}#ripple"
    page = client.get(f"/plans/{plan_id}").text
    assert f"シナリオ「工場新設」を計画 {plan_id} に保存しました。" in page
    section = page.split('<section id="ripple">', 1)[1].split("</section>", 1)[0]
    assert "<h3>工場新設（百万円、fukushima）</h3>" in section
    want = expected_summary(io_table, {s0: 300.0}, c=0.7243)
    rows = {row[0]: [number(v) for v in row[1:]] for row in body_rows(section)}
    assert list(rows) == list(STAGES)
    for stage in STAGES:
        for measure, value in zip(MEASURES, rows[stage], strict=True):
            if (stage, measure) in want:  # the national table has no employment row
                assert value == pytest.approx(want[stage, measure], abs=0.051), (stage, measure)
    [stored] = scenarios_of(web_seeded, plan_id)
    assert stored.name == "工場新設" and stored.created_by == "fukushima"
    assert stored.inputs["table_id"] == "national" and stored.inputs["demand"][0]["value"] == 300.0
    assert stored.inputs["credit"] == NATIONAL_2015_CREDIT
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        entries = audit_entries(session, entity="ripple_scenario", entity_id=stored.id)
        assert [(e.actor, e.action) for e in entries] == [("fukushima", "create")]


@pytest.mark.parametrize("user", ["tokyo", "reviewer", "tohoku"])
def test_only_the_plan_owner_can_save_a_scenario_to_it(as_user, io_table, web_seeded, user):
    plan_id = new_plan(as_user("fukushima"), f"他人が保存を試みる計画（{user}）")
    client = as_user(user)
    assert f'<option value="{plan_id}">' not in client.get("/ripple").text
    data = ripple_form({io_table.sectors[0]: 100}, token=token_of(client), plan_id=str(plan_id), save="1")
    r = client.post("/ripple", data=data, follow_redirects=False)
    assert r.status_code == 403
    message = text_of(re.search(r'class="error-message">(.*?)</p>', r.text).group(1))
    assert message == "波及効果のシナリオは計画の作成者（作成中・差戻し・承認後）だけが登録できます。"
    assert scenarios_of(web_seeded, plan_id) == []


def test_industry_page_suppresses_small_cells_for_readers_without_the_firm_data(as_user, matrix):
    from chiiki.industry.disclosure import firm_counts, suppressed_cells

    year = matrix["fiscal_year"].max()
    hidden = suppressed_cells(firm_counts(matrix, fiscal_year=year)).filter(pl.col("region_code") == "07")
    assert hidden.height > 0  # the small synthetic economy has small cells
    for user in ("koriyama", "admin", "tokyo"):
        r = as_user(user).get("/industry?pref=07&measure=sales")
        rows = {row[0].split(" ")[0]: row for row in table_rows(r.text, "lq")}
        shown_hidden = [code for code in hidden["industry_code"] if code in rows]
        assert shown_hidden and all(rows[c][1] == "秘匿" for c in shown_hidden)
        assert "社未満の産業" in r.text
    full = {
        row[0].split(" ")[0]: row
        for row in table_rows(as_user("fukushima").get("/industry?pref=07&measure=sales").text, "lq")
    }
    assert all(full[c][1] != "秘匿" for c in hidden["industry_code"] if c in full)
