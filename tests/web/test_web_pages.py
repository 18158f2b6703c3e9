"""Pages: login with session cookie and CSRF, rate limit, dashboard, 企業分析 within scope, errors
as Japanese pages without stack traces (issue #7 §2, §4)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf_of


def test_pages_redirect_to_login_when_anonymous(web_seeded):
    c = TestClient(web_seeded.app)
    r = c.get("/firms", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/firms")


def test_login_sets_httponly_strict_cookie(web_seeded):
    c = TestClient(web_seeded.app)
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"username": "fukushima", "password": "test-password-123", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_login_without_csrf_token_is_refused(web_seeded):
    c = TestClient(web_seeded.app)
    c.get("/login")
    r = c.post("/login", data={"username": "fukushima", "password": "test-password-123"})
    assert r.status_code == 403 and "CSRF" in r.text


def test_wrong_password_shows_japanese_message(web_seeded):
    c = TestClient(web_seeded.app)
    r = c.post(
        "/login", data={"username": "tokyo", "password": "nope", "csrf_token": csrf_of(c.get("/login").text)}
    )
    assert r.status_code == 401 and "ユーザー名またはパスワードが違います" in r.text


def test_logout_requires_csrf_and_ends_session(login):
    c = login("fukushima")
    assert c.post("/logout", data={}).status_code == 403
    r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303


def test_dashboard_shows_map_and_own_region_first(login):
    r = login("fukushima").get("/")
    assert r.status_code == 200
    assert "<svg" in r.text and 'data-pref="07"' in r.text and "福島県（あなたの担当地域）" in r.text
    table = r.text[r.text.index('id="pref-table"') :]
    assert table.index("福島県") < table.index("北海道")


def test_ranking_page_shows_scatter_ranking_and_pagination(login):
    c = login("fukushima")
    r = c.get("/firms?pref=07")
    assert r.status_code == 200
    assert "コネクター度 × ハブ度" in r.text and 'id="ranking"' in r.text and "ページ" in r.text
    src = re.search(r'data-svg-src="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    svg = c.get(src)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert 'class="cut"' in svg.text and 'href="/firms/' in svg.text


def test_scatter_is_cached_privately_and_revalidated_by_etag(login):
    c = login("fukushima")
    first = c.get("/firms/scatter.svg?pref=07&top=10")
    assert "private" in first.headers["cache-control"] and "no-store" not in first.headers["cache-control"]
    again = c.get("/firms/scatter.svg?pref=07&top=10", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = c.get("/firms/scatter.svg?pref=07&top=5")
    assert other.headers["etag"] != first.headers["etag"]


def test_scatter_of_another_prefecture_is_refused(login):
    r = login("fukushima").get("/firms/scatter.svg?pref=13")
    assert r.status_code == 403 and "<svg" not in r.text


def test_ranking_page_out_of_scope_is_refused(login):
    r = login("fukushima").get("/firms?pref=13")
    assert r.status_code == 403 and "権限がありません" in r.text


def test_municipal_user_sees_no_firm_level_page(login):
    r = login("koriyama").get("/firms?pref=07")
    assert r.status_code == 403 and "集計値のみ" in r.text


def test_ranking_excel_export_has_japanese_headers(login):
    r = login("tohoku").get("/firms?pref=07&export=xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "企業ID" and ws.max_row > 2


def test_firm_page_has_partners_and_map(login):
    c = login("fukushima")
    html = c.get("/firms?pref=07").text.split('id="ranking"')[1]
    cid = html.split('href="/firms/')[1].split("?")[0]
    r = c.get(f"/firms/{cid}")
    assert (
        r.status_code == 200
        and "域内の仕入先" in r.text
        and "域外の販売先" in r.text
        and "base-dots" in r.text
    )


def test_firm_page_of_other_prefecture_is_not_found(login, web_seeded):
    tokyo = login("tokyo").get("/firms?pref=13").text.split('id="ranking"')[1]
    cid = tokyo.split('href="/firms/')[1].split("?")[0]
    r = login("fukushima").get(f"/firms/{cid}")
    assert r.status_code == 404 and cid in r.text and "Traceback" not in r.text


def test_unknown_page_is_japanese_404(login):
    r = login("reviewer").get("/no-such-page")
    assert r.status_code == 404 and "見つかりませんでした" in r.text


def test_firm_page_breaks_the_score_into_six_weighted_standard_scores(login):
    c = login("fukushima")
    ranking = c.get("/firms?pref=07&sort=score&order=desc").text.split('id="ranking"')[1]
    cid = ranking.split('href="/firms/')[1].split("?")[0]
    html = c.get(f"/firms/{cid}").text
    table = html.split('id="score-breakdown"')[1].split("</table>")[0]
    for label in ("コネクター度", "ハブ度", "利益貢献", "雇用貢献", "利益成長率", "雇用成長率"):
        assert label in table
    assert "県内 1 位" in table


def test_score_breakdown_rescales_weights_over_present_indicators():
    from chiiki.services.analytics import score_breakdown

    firm = {"connector_degree": 0.2, "connector_degree_score": 60.0, "hub_degree": 0.1, "hub_degree_score": 55.0,
            "profit_mean": 10.0, "profit_mean_score": 50.0, "employees_mean": 5.0, "employees_mean_score": 45.0,
            "profit_growth": None, "profit_growth_score": None, "employment_growth": None,
            "employment_growth_score": None}  # fmt: skip
    rows = {r["code"]: r for r in score_breakdown(firm)}
    assert rows["connector_degree"]["weight"] == pytest.approx(0.25)
    assert rows["profit_growth"]["weight"] is None
    assert sum(r["weight"] or 0 for r in rows.values()) == pytest.approx(1.0)
