"""Downloads under the tables and charts of the dashboard, 企業分析, 産業分析 and 波及効果 (issue #13
item 5) and the readability fixes of item 6: names instead of codes, amounts in 百万円/億円, a select
of 中分類, no exponent on an axis, a help text next to every indicator."""

from __future__ import annotations

import io
import re

import openpyxl
import polars as pl
from web_helpers import csrf_of

from chiiki.web.charts import compact_number, scatter_log_svg


def csv_frame(r) -> pl.DataFrame:
    assert r.status_code == 200, r.text[:300]
    assert r.content.startswith(b"\xef\xbb\xbf")
    return pl.read_csv(io.BytesIO(r.content[3:]), infer_schema_length=None)


def sheet_rows(r) -> list[tuple]:
    assert r.status_code == 200, r.text[:300]
    return list(
        openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )


def test_dashboard_table_and_map_download(login):
    c = login("admin")
    page = c.get("/")
    assert "download=table&amp;format=csv" in page.text and "download=map&amp;format=svg" in page.text
    table = csv_frame(c.get("/?download=table&format=csv"))
    assert table.height == 47 and table.columns[:3] == ["都道府県", "計画数", "企業数"]
    hidden = table.filter(pl.col("備考") == "秘匿")
    assert hidden["売上高（千円）"].null_count() == hidden.height  # suppressed as shown
    assert table["企業数"].sum() == 2500
    assert "<svg" in c.get("/?download=map&format=svg").text
    assert len(sheet_rows(c.get("/?download=table&format=xlsx"))) == 48


def test_ranking_csv_and_firm_page_downloads_are_scoped(login):
    c = login("fukushima")
    ranking = csv_frame(c.get("/firms?pref=07&export=csv"))
    assert ranking.height > 0 and "コネクター度" in ranking.columns
    cid = ranking["企業ID"][0]
    for key in ("suppliers", "customers", "breakdown"):
        assert csv_frame(c.get(f"/firms/{cid}?download={key}&format=csv")).height >= 0
    assert c.get(f"/firms/{cid}?download=map&format=svg").headers["content-type"].startswith("image/svg+xml")
    other = login("tokyo")
    assert other.get(f"/firms/{cid}?download=suppliers&format=csv").status_code == 404
    assert other.get("/firms?pref=07&export=csv").status_code == 403


def test_industry_downloads_keep_suppressed_cells_empty(login):
    c = login("admin")
    page = c.get("/industry?pref=07")
    for key in ("lq", "suggestions", "complexity"):
        assert f"download={key}&amp;format=csv" in page.text
    lq = csv_frame(c.get("/industry?pref=07&download=lq&format=csv"))
    assert {"産業コード", "産業", "特化係数", "秘匿"} <= set(lq.columns)
    hidden = lq.filter(pl.col("秘匿") == "秘匿")
    assert hidden.height > 0 and hidden["特化係数"].null_count() == hidden.height
    full = csv_frame(login("fukushima").get("/industry?pref=07&download=lq&format=csv"))
    assert (full["秘匿"].fill_null("") == "").all()
    svg = c.get("/industry?pref=07&download=lq_chart&format=svg")
    assert svg.status_code == 200 and "特化係数" in svg.text
    assert c.get("/industry?pref=07&download=nope&format=csv").status_code == 422


def test_ripple_result_downloads(login):
    c = login("koriyama")
    form_page = c.get("/ripple?pref=07").text
    sector = re.findall(r"<option\s*>([^<]+)</option>", form_page.split('name="sector_0"', 1)[1])[0]
    data = {
        "csrf_token": csrf_of(form_page),
        "pref": "07",
        "name": "試算",
        "c": "0.6",
        "sector_0": sector,
        "value_0": "100",
    }
    page = c.post("/ripple", data=data)
    assert page.status_code == 200 and 'value="summary.csv"' in page.text
    summary = csv_frame(c.post("/ripple", data={**data, "download": "summary.csv"}))
    assert summary["stage"].to_list() == ["直接効果", "第1次間接効果", "第2次間接効果", "総合効果"]
    effects = sheet_rows(c.post("/ripple", data={**data, "download": "effects.xlsx"}))
    assert len(effects) > 4
    svg = c.post("/ripple", data={**data, "download": "chart.svg"})
    assert svg.status_code == 200 and "部門別の生産誘発額" in svg.text


def test_names_not_codes_and_amounts_in_large_units(login):
    c = login("fukushima")
    ranking = c.get("/firms?pref=07").text
    body = ranking.split('id="ranking"', 1)[1]
    assert not re.search(r"<td>07\d{3}</td>", body)  # municipality names, not codes
    assert '<select name="jsic"><option value="">すべて</option>' in ranking
    cid = re.findall(r'href="/firms/([^"?/]+)\?year', ranking)[0]
    firm = c.get(f"/firms/{cid}").text
    assert "SPEC" not in firm and "花火図" in firm
    assert re.search(r'<div class="v">[\d,.]+(百万円|億円|千円|兆円)</div>', firm)


def test_help_texts_next_to_the_indicators(login):
    c = login("koriyama")
    industry = c.get("/industry?pref=07").text
    for key in ("lq", "eci", "rca", "density", "pci"):
        assert f'data-help="{key}"' in industry, key
    glossary = c.get("/help").text
    for term in ("偏差値", "ECI", "PCI", "RCA", "関連密度", "KPIの状況", "順調: 計画した変化"):
        assert term in glossary, term


def test_no_exponent_on_axes_and_zero_values_counted():
    assert [compact_number(v) for v in (1e-5, 0.00025, 3e-9)] == [
        "0.00001",
        "0.00025",
        "0.0000000030".rstrip("0"),
    ]
    svg = str(
        scatter_log_svg([0.0, 1e-5, 0.01, 0.3], [0.2, 0.0, 0.02, 0.1], title="t", x_label="x", y_label="y")
    )
    assert "e-0" not in svg and "値が0の2社は対数軸に表示できないため省略" in svg
