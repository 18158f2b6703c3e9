"""Maps, 花火図, 商流圏 and trend pages (issue #13 items 1–5): the figures equal sums and ratios worked
out here from the seeded data set with plain Polars (not through the services), a reader not entitled
to a prefecture's firms sees no firm of it and no aggregate of fewer than N firms, and every table
and chart downloads as CSV / Excel / SVG.

Entitlement for Fukushima (07), from SPEC §0 by hand: fukushima (its staff), tohoku (its bureau) and
reviewer see its firms; admin, tokyo, kanto and koriyama (municipal) do not."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from chiiki.data import read_dataset
from chiiki.store import session_scope
from chiiki.store.datasets import current_dataset

YEAR = 2024
ENTITLED_07 = ("fukushima", "tohoku", "reviewer")
NOT_ENTITLED_07 = ("admin", "tokyo", "kanto", "koriyama")
MIN = 3  # WebSettings.min_cell_firms


@pytest.fixture(scope="module")
def dataset(web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        path = Path(current_dataset(session).path)
    return read_dataset(path)


@pytest.fixture(scope="module")
def firms(dataset):
    return dataset.companies.filter(pl.col("fiscal_year") == YEAR)


@pytest.fixture(scope="module")
def links(dataset, firms):
    """The year's links with both ends' prefecture (self-links and unknown firms left out, duplicates
    summed), as the network uses them."""
    where = firms.select("company_id", "prefecture_code", "sales")
    return (
        dataset.transactions.filter(
            (pl.col("fiscal_year") == YEAR) & (pl.col("supplier_id") != pl.col("customer_id"))
        )
        .group_by("supplier_id", "customer_id")
        .agg(pl.col("amount").sum())
        .join(
            where.rename({"company_id": "supplier_id", "prefecture_code": "sp", "sales": "s_sales"}),
            on="supplier_id",
        )
        .join(
            where.rename({"company_id": "customer_id", "prefecture_code": "cp", "sales": "c_sales"}),
            on="customer_id",
        )
    )


def csv_frame(response) -> pl.DataFrame:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Japanese headers
    return pl.read_csv(io.BytesIO(response.content[3:]), infer_schema_length=None)


def a_firm_07(client) -> str:
    page = client.get(f"/firms?pref=07&year={YEAR}").text
    return re.findall(r'href="/firms/([^"?/]+)\?year', page)[0]


@pytest.fixture(scope="module")
def firm07(web_seeded):
    from web_helpers import logged_in

    c = logged_in(web_seeded.app, "fukushima", web_seeded.passwords["fukushima"])
    try:
        return a_firm_07(c)
    finally:
        c.close()


# --- maps ----------------------------------------------------------------------------------------


def test_national_map_sales_equal_the_firms_sums(login, firms):
    c = login("fukushima")
    page = c.get(f"/maps?indicator=sales&year={YEAR}")
    assert page.status_code == 200
    assert "<svg" in page.text and "売上高（全国・都道府県別）" in page.text and "凡例" not in page.text[:0]
    assert 'href="/maps/prefectures/07?' in page.text  # drill-down links
    table = csv_frame(c.get(f"/maps?indicator=sales&year={YEAR}&download=table&format=csv"))
    assert table.height == 47
    expected = dict(firms.group_by("prefecture_code").agg(pl.col("sales").sum()).iter_rows())
    got = dict(zip(table["地域コード"].cast(pl.Utf8).str.zfill(2), table["売上高（千円）"], strict=True))
    for code, value in expected.items():
        if got[code] is not None:  # a suppressed prefecture of another scope is empty
            assert got[code] == pytest.approx(value)
    assert got["07"] == pytest.approx(expected["07"])  # its own prefecture, never suppressed


def test_municipality_map_suppresses_small_sums_for_readers_not_entitled(login, firms):
    counts = dict(
        firms.filter(pl.col("prefecture_code") == "07").group_by("municipality_code").len().iter_rows()
    )
    small = {m for m, n in counts.items() if n < MIN}
    assert small, "the seeded data should have municipalities with fewer than 3 firms"
    url = f"/maps/prefectures/07?indicator=employees&year={YEAR}&download=table&format=csv"
    for user in NOT_ENTITLED_07:
        table = csv_frame(login(user).get(url))
        marked = dict(
            zip(table["地域コード"].cast(pl.Utf8).str.zfill(5), table["備考"].fill_null(""), strict=True)
        )
        values = dict(
            zip(table["地域コード"].cast(pl.Utf8).str.zfill(5), table["従業者数（人）"], strict=True)
        )
        for m in small:
            assert marked[m] == "秘匿" and values[m] is None, (user, m)
        hidden = {m for m, v in marked.items() if v == "秘匿"}
        assert len(hidden) > len(small) or len(small) > 1  # a lone cell gets a complement
    for user in ENTITLED_07:
        table = csv_frame(login(user).get(url))
        assert (table["備考"].fill_null("") != "秘匿").all(), user
        expected = dict(
            firms.filter(pl.col("prefecture_code") == "07")
            .group_by("municipality_code")
            .agg(pl.col("employees").sum())
            .iter_rows()
        )
        got = dict(zip(table["地域コード"].cast(pl.Utf8).str.zfill(5), table["従業者数（人）"], strict=True))
        for m, v in expected.items():
            assert got[m] == pytest.approx(v)


def test_municipality_map_page_names_not_codes(login):
    page = login("admin").get(f"/maps/prefectures/07?indicator=sales&year={YEAR}")
    assert page.status_code == 200
    assert "郡山市" in page.text and "福島市" in page.text
    assert 'href="/network/industry?pref=07"' in page.text and 'href="/trends/prefectures/07"' in page.text
    assert 'id="suppression-note"' in page.text and "秘匿" in page.text
    assert "07203" not in re.sub(r'href="[^"]*"|<path[^>]*>', "", page.text.split('id="map-table"')[1])


def test_lq_map_equals_a_hand_computed_location_quotient(login, firms):
    jsic = firms.group_by("jsic_code").len().sort("len", descending=True)["jsic_code"][0]
    table = csv_frame(
        login("reviewer").get(f"/maps?indicator=lq&jsic={jsic}&year={YEAR}&download=table&format=csv")
    )
    f = firms.filter(pl.col("jsic_code").is_not_null())
    nat_share = f.filter(pl.col("jsic_code") == jsic)["employees"].sum() / f["employees"].sum()
    by_pref = f.group_by("prefecture_code").agg(
        (pl.col("employees").filter(pl.col("jsic_code") == jsic).sum() / pl.col("employees").sum()).alias(
            "share"
        )
    )
    expected = {p: s / nat_share for p, s in by_pref.iter_rows()}
    col = next(c for c in table.columns if c.startswith("特化係数"))
    got = dict(zip(table["地域コード"].cast(pl.Utf8).str.zfill(2), table[col], strict=True))
    for p, v in expected.items():
        assert got[p] == pytest.approx(v, rel=1e-9), p


def test_block_map_and_svg_download(login):
    c = login("koriyama")
    page = c.get("/maps/blocks/tohoku?indicator=n_firms")
    assert page.status_code == 200 and "東北" in page.text
    svg = c.get("/maps/blocks/tohoku?indicator=n_firms&download=map&format=svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<?xml") and "<svg" in svg.text and "国土数値情報" in svg.text
    assert "attachment" in svg.headers["content-disposition"]
    assert c.get("/maps/blocks/atlantis").status_code == 404
    assert c.get("/maps/prefectures/99").status_code == 404


def test_plan_indicator_and_help_text(login):
    page = login("admin").get("/maps?indicator=plans")
    assert page.status_code == 200 and 'id="indicator-help"' in page.text and "計画の数" in page.text


def test_map_excel_download_opens(login):
    r = login("tohoku").get(f"/maps?indicator=value_added&year={YEAR}&download=table&format=xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("地域コード", "地域") and len(rows) == 48


# --- 花火図 ----------------------------------------------------------------------------------------


def test_firm_fireworks_first_tier_equals_the_firms_links(login, firms, links, firm07):
    c = login("fukushima")
    page = c.get(f"/firms/{firm07}/fireworks?year={YEAR}&tiers=1&top=500")
    assert page.status_code == 200
    assert "域内の仕入先" in page.text and "域外の販売先" in page.text and page.text.count("<svg") >= 2
    table = csv_frame(
        c.get(f"/firms/{firm07}/fireworks?year={YEAR}&tiers=1&top=500&download=partners&format=csv")
    )
    sup = links.filter((pl.col("customer_id") == firm07) & (pl.col("sp") == "07"))
    cus = links.filter((pl.col("supplier_id") == firm07) & (pl.col("cp") != "07"))
    got_sup = table.filter(pl.col("区分") == "1次仕入先")
    got_cus = table.filter(pl.col("区分") == "1次販売先")
    assert dict(zip(got_sup["企業ID"], got_sup["取引額（千円）"], strict=True)) == dict(
        sup.select("supplier_id", "amount").iter_rows()
    )
    assert dict(zip(got_cus["企業ID"], got_cus["取引額（千円）"], strict=True)) == dict(
        cus.select("customer_id", "amount").iter_rows()
    )


def test_firm_fireworks_second_tier_and_downloads(login, firm07):
    c = login("tohoku")
    table = csv_frame(c.get(f"/firms/{firm07}/fireworks?year={YEAR}&download=partners&format=csv"))
    assert set(table["区分"]) <= {"1次仕入先", "2次仕入先", "1次販売先", "2次販売先"}
    assert "2次仕入先" in set(table["区分"]) or "2次販売先" in set(table["区分"])
    svg = c.get(f"/firms/{firm07}/fireworks?year={YEAR}&download=suppliers_map&format=svg")
    assert svg.status_code == 200 and "<svg" in svg.text


@pytest.mark.parametrize("user", NOT_ENTITLED_07)
def test_firm_pages_are_hidden_from_readers_not_entitled(login, firm07, user):
    c = login(user)
    for url in (f"/firms/{firm07}/fireworks", f"/firms/{firm07}/dependence", f"/firms/{firm07}/trends",
                f"/firms/{firm07}/fireworks?download=partners&format=csv"):  # fmt: skip
        r = c.get(url)
        assert r.status_code == 404, (user, url)
        assert firm07 not in r.text.replace(f"企業ID {firm07}", "")


def test_second_tier_outside_the_readers_scope_is_anonymised(login, firms, links, firm07):
    """fukushima sees Fukushima only: its out-of-region customers' customers in other prefectures
    (tier 2) lose their names; the bureau of 東北 sees the 東北 ones by name."""
    table = csv_frame(
        login("fukushima").get(f"/firms/{firm07}/fireworks?year={YEAR}&download=partners&format=csv")
    )
    t2 = table.filter(pl.col("区分") == "2次販売先")
    tier1 = set(table.filter(pl.col("区分").str.starts_with("1次"))["企業ID"].drop_nulls())
    outside = t2.filter(
        (pl.col("都道府県") != "福島県")
        & (pl.col("企業ID").is_null() | ~pl.col("企業ID").is_in(sorted(tier1)))
    )
    assert outside.height > 0  # tier-2 partners that are not also first-tier partners
    assert outside["企業ID"].null_count() == outside.height
    assert (outside["企業名"] == "（閲覧権限のない地域の企業）").all()
    assert outside["取引額（千円）"].null_count() == 0  # the lines stay
    bureau = csv_frame(
        login("tohoku").get(f"/firms/{firm07}/fireworks?year={YEAR}&download=partners&format=csv")
    )
    tohoku = {"青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"}
    seen = bureau.filter((pl.col("区分") == "2次販売先") & pl.col("都道府県").is_in(sorted(tohoku)))
    assert seen["企業ID"].null_count() == 0


# --- 商流圏 ----------------------------------------------------------------------------------------


def test_dependence_first_tier_shares_are_amount_over_sales(login, links, firm07):
    c = login("fukushima")
    page = c.get(f"/firms/{firm07}/dependence?year={YEAR}&tiers=1&delta=100000")
    assert page.status_code == 200 and "商流圏" in page.text and "<svg" in page.text
    table = csv_frame(
        c.get(
            f"/firms/{firm07}/dependence?year={YEAR}&tiers=1&delta=100000&download=firms&format=xlsx".replace(
                "xlsx", "csv"
            )
        )
    )
    sup = links.filter((pl.col("customer_id") == firm07) & (pl.col("sp") == "07") & (pl.col("s_sales") > 0))
    expected = {s: a / sales for s, a, sales in sup.select("supplier_id", "amount", "s_sales").iter_rows()}
    got = dict(zip(table["企業ID"], table["売上のうち対象企業に至る割合"], strict=True))
    assert set(got) == set(expected)
    for k, v in expected.items():
        assert got[k] == pytest.approx(v)
    # a Δ at the firm asks each first-tier supplier for Δ × amount / the firm's sales
    f_sales = links.filter(pl.col("customer_id") == firm07)["c_sales"][0]
    d = dict(zip(table["企業ID"], table["生産の増加額（千円）"], strict=True))
    for s, a in sup.select("supplier_id", "amount").iter_rows():
        assert d[s] == pytest.approx(100000 * a / f_sales)


def test_dependence_out_of_scope_suppliers_keep_no_figures(login, firm07):
    r = login("fukushima").get(
        f"/firms/{firm07}/dependence?year={YEAR}&tiers=3&scope=all&download=firms&format=csv"
    )
    table = csv_frame(r)
    outside = table.filter(pl.col("都道府県") != "福島県")
    assert outside.height > 0
    for col in ("企業ID", "企業名", "売上高（千円）", "売上のうち対象企業に至る割合"):
        assert outside[col].null_count() == outside.height, col


# --- industry and prefecture flows ----------------------------------------------------------------


def test_prefecture_flows_equal_the_links_between_prefectures(login, links):
    c = login("fukushima")
    page = c.get(f"/network/prefectures?pref=07&year={YEAR}")
    assert page.status_code == 200 and "<svg" in page.text
    table = csv_frame(c.get(f"/network/prefectures?pref=07&year={YEAR}&download=flows&format=csv"))
    expected = (
        links.filter((pl.col("sp") == "07") | (pl.col("cp") == "07"))
        .group_by("sp", "cp")
        .agg(pl.col("amount").sum())
    )
    got = {
        (a, b): v
        for a, b, v in table.select("販売側の都道府県", "購入側の都道府県", "取引額（千円）").iter_rows()
    }
    names = {"07": "福島県"}
    own = expected.filter((pl.col("sp") == "07") & (pl.col("cp") == "07"))["amount"][0]
    assert got[(names["07"], names["07"])] == own
    assert len(got) == expected.height


def test_flows_with_few_firms_are_suppressed_for_readers_not_entitled(login):
    for url in (f"/network/prefectures?pref=07&year={YEAR}", f"/network/industry?pref=07&year={YEAR}"):
        full = csv_frame(login("tohoku").get(url + "&download=flows&format=csv"))
        part = csv_frame(login("admin").get(url + "&download=flows&format=csv"))
        small = full.filter((pl.col("販売企業数") < MIN) | (pl.col("購入企業数") < MIN))
        assert small.height > 0, url
        assert part.height == full.height - small.height
        assert ((part["販売企業数"] >= MIN) & (part["購入企業数"] >= MIN)).all()
        assert 'id="suppression-note"' in login("admin").get(url).text


def test_industry_flows_within_total_equals_in_prefecture_links(login, links):
    table = csv_frame(
        login("fukushima").get(f"/network/industry?pref=07&year={YEAR}&download=flows&format=csv")
    )
    within = table.filter(pl.col("流れ") == "域内取引")["取引額（千円）"].sum()
    assert within == links.filter((pl.col("sp") == "07") & (pl.col("cp") == "07"))["amount"].sum()
    page = login("fukushima").get(f"/network/industry?pref=07&year={YEAR}")
    assert "上位20産業" in page.text and "百万円" in page.text


# --- trends --------------------------------------------------------------------------------------


def test_firm_trend_series_and_change(login, dataset, firm07):
    c = login("fukushima")
    page = c.get(f"/firms/{firm07}/trends")
    assert page.status_code == 200
    assert re.search(
        r"データ: default [^、]+、2023〜2024年度", page.text
    )  # every chart names data set and years
    table = csv_frame(c.get(f"/firms/{firm07}/trends?download=table&format=csv"))
    rows = dataset.companies.filter(pl.col("company_id") == firm07).sort("fiscal_year")
    assert table["年度"].to_list() == rows["fiscal_year"].to_list()
    assert table["売上高（千円）"].to_list() == rows["sales"].to_list()
    s = rows["sales"].to_list()
    assert table["売上高の前年度比"][1] == pytest.approx(s[1] / s[0] - 1)


def test_prefecture_trend(login, dataset):
    c = login("koriyama")
    page = c.get("/trends/prefectures/07")
    assert page.status_code == 200 and "福島県" in page.text and "HHI" in page.text
    table = csv_frame(c.get("/trends/prefectures/07?download=table&format=csv"))
    n = (
        dataset.companies.filter(pl.col("prefecture_code") == "07")
        .group_by("fiscal_year")
        .len()
        .sort("fiscal_year")
    )
    assert table["企業数"].to_list() == n["len"].to_list()
    svg = c.get("/trends/prefectures/07?download=concentration&format=svg")
    assert svg.status_code == 200 and "集中度" in svg.text
