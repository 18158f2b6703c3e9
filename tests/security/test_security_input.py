"""Permissions and bad text (issue #10 §9): refreshing a plan's requirement statuses is an edit;
NUL bytes and lone surrogates get a Japanese 422, on SQLite and PostgreSQL alike, never a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, csrf_of, logged_in

PLAN = {"plan_type": "B", "title": "計画", "period_start": 2026, "period_end": 2030}


def _api(app, user: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False)
    tok = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()
    c.headers["Authorization"] = f"Bearer {tok['access_token']}"
    return c


@pytest.mark.parametrize(
    "body",
    [
        {**PLAN, "title": "計画\u0000名"},
        {**PLAN, "description": "説明\ud800"},
        {**PLAN, "local_resources": ["温泉\x00"]},
    ],
)
def test_unstorable_text_in_json_is_a_japanese_422(app_any_db, body):
    raw = json.dumps(body)  # ASCII escapes: how a client spells a NUL or a lone surrogate
    r = _api(app_any_db.app, "fukushima").post(
        "/api/v1/plans", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "保存できない文字" in r.json()["detail"]


def test_unstorable_text_in_query_and_form(app_seeded):
    c = logged_in(app_seeded.app, "fukushima")
    assert c.get("/plans?state=%00").status_code == 422
    r = c.post(
        "/plans/new", data={**PLAN, "title": "a\x00b", "csrf_token": csrf_of(c.get("/plans/new").text)}
    )
    assert r.status_code == 422 and "保存できない文字" in r.text
    api = _api(app_seeded.app, "fukushima")
    assert api.get("/api/v1/plans", params={"state": "\x00"}).status_code == 422


def test_requirement_refresh_is_an_edit(app_seeded):
    owner = _api(app_seeded.app, "fukushima")
    plan = owner.post("/api/v1/plans", json=PLAN).json()
    for user in ("admin", "reviewer", "tohoku"):
        c = logged_in(app_seeded.app, user)
        page = c.get(f"/plans/{plan['id']}")
        assert "自動判定を更新" not in page.text
        r = c.post(
            f"/plans/{plan['id']}/requirements/refresh",
            data={"csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code in (303, 403)
        if r.status_code == 303:
            assert "できるのは" in c.get(r.headers["location"]).text  # refused, said why
    c = logged_in(app_seeded.app, "fukushima")
    page = c.get(f"/plans/{plan['id']}")
    assert "自動判定を更新" in page.text
