"""REST API behaviour: tokens, JSON errors in Japanese, pagination, firm detail, industry, ripple,
plans workflow and data upload (issue #7 §1)."""

from __future__ import annotations

import io

import polars as pl


def test_token_rejects_wrong_password_with_japanese_json(client):
    r = client.post("/api/v1/auth/token", json={"username": "fukushima", "password": "wrong"})
    assert r.status_code == 401
    assert r.json()["detail"] == "ユーザー名またはパスワードが違います。"


def test_requests_without_token_get_401_json(client):
    r = client.get("/api/v1/plans")
    assert r.status_code == 401
    assert "トークン" in r.json()["detail"] or "認証" in r.json()["detail"]


def test_forged_token_is_refused(client):
    r = client.get("/api/v1/plans", headers={"Authorization": "Bearer eyJzdWIiOiJyZXZpZXdlciJ9.x.y"})
    assert r.status_code == 401


def test_validation_error_is_japanese_json(client, tokens):
    r = client.get("/api/v1/firms/connector-hub?pref=99", headers=tokens["reviewer"])
    assert r.status_code == 422
    body = r.json()
    assert body["detail"].startswith("入力内容に誤りがあります")
    assert body["errors"][0]["field"] == "pref"


def test_unknown_path_is_json_404(client, tokens):
    r = client.get("/api/v1/nothing", headers=tokens["reviewer"])
    assert r.status_code == 404 and "見つかりません" in r.json()["detail"]


def test_ranking_pages_are_disjoint_and_sorted(client, tokens):
    h = tokens["fukushima"]
    p1 = client.get("/api/v1/firms/connector-hub?pref=07&per_page=5&page=1", headers=h).json()
    p2 = client.get("/api/v1/firms/connector-hub?pref=07&per_page=5&page=2", headers=h).json()
    everything = client.get("/api/v1/firms/connector-hub?pref=07&per_page=500", headers=h).json()
    assert p1["total"] == p2["total"] == everything["total"] > 10
    ids = [r["company_id"] for r in p1["items"] + p2["items"]]
    assert ids == [r["company_id"] for r in everything["items"][:10]]
    degrees = [r["connector_degree"] for r in everything["items"]]
    assert degrees == sorted(degrees, reverse=True)
    assert all(r["prefecture_code"] == "07" for r in everything["items"])
    # SPEC §3.1 identity: the degrees of a region sum to 1
    assert abs(sum(degrees) - 1.0) < 1e-9


def test_ranking_filters_by_industry(client, tokens):
    h = tokens["fukushima"]
    first = client.get("/api/v1/firms/connector-hub?pref=07&per_page=1", headers=h).json()["items"][0]
    r = client.get(
        f"/api/v1/firms/connector-hub?pref=07&jsic={first['jsic_code']}&per_page=500", headers=h
    ).json()
    assert r["total"] >= 1 and {x["jsic_code"] for x in r["items"]} == {first["jsic_code"]}


def test_firm_detail_lists_in_region_suppliers_and_out_of_region_customers(client, tokens):
    h = tokens["fukushima"]
    top = client.get("/api/v1/firms/connector-hub?pref=07&per_page=1", headers=h).json()["items"][0]
    r = client.get(f"/api/v1/firms/{top['company_id']}", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert all(s["prefecture_code"] == "07" for s in body["in_region_suppliers"])
    assert all(c["prefecture_code"] != "07" for c in body["out_of_region_customers"])
    # the customers' amounts add up to the firm's 域外販売額 (SPEC §3.1)
    assert abs(sum(c["amount"] for c in body["out_of_region_customers"]) - top["out_sales"]) < 1e-6


def test_lq_is_paginated_and_centred_on_one(client, tokens):
    r = client.get("/api/v1/industry/lq?pref=07&per_page=5", headers=tokens["fukushima"])
    assert r.status_code == 200
    body = r.json()
    assert len(body["items"]) == 5 and body["total"] > 5
    lqs = [x["lq"] for x in body["items"]]
    assert lqs == sorted(lqs, reverse=True) and lqs[0] >= 1.0


def test_ripple_total_is_sum_of_stages(client, tokens):
    body = {"demand": [{"sector": "電子部品", "value": 100.0}], "c": 0.7243}
    r = client.post("/api/v1/io/ripple", json=body, headers=tokens["fukushima"])
    assert r.status_code == 200, r.text
    s = pl.DataFrame(r.json()["summary"]).filter(pl.col("measure") == "生産誘発額")
    v = dict(zip(s["stage"], s["value"], strict=True))
    assert abs(v["直接効果"] + v["第1次間接効果"] + v["第2次間接効果"] - v["総合効果"]) < 1e-9
    assert r.json()["multipliers"][0]["ripple_multiplier"] >= 1.0 - 1e-9 or v["直接効果"] < 100


def test_ripple_unknown_sector_is_422_japanese(client, tokens):
    body = {"demand": [{"sector": "存在しない部門", "value": 1.0}]}
    r = client.post("/api/v1/io/ripple", json=body, headers=tokens["fukushima"])
    assert r.status_code == 422 and "部門" in r.json()["detail"]


def test_plan_workflow_create_edit_submit_review_approve(client, tokens, seeded):
    pref = tokens["fukushima"]
    r = client.post(
        "/api/v1/plans",
        headers=pref,
        json={
            "plan_type": "B",
            "title": "ふくしま半導体クラスター",
            "period_start": 2026,
            "period_end": 2030,
            "focus_fields": [1],
        },
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert (
        plan["state"] == "draft" and plan["prefecture_code"] == "07" and "submit" in plan["available_actions"]
    )
    r = client.patch(
        f"/api/v1/plans/{plan['id']}", headers=pref, json={"version": plan["version"], "title": "改題"}
    )
    assert r.status_code == 200 and r.json()["title"] == "改題"
    stale = client.patch(
        f"/api/v1/plans/{plan['id']}", headers=pref, json={"version": plan["version"], "title": "x"}
    )
    assert stale.status_code == 409
    # an empty plan is not submitted (issue #12 §1); tests/api/test_api_plan_guards.py fills one over
    # the API; here the store fills it
    refused = client.post(f"/api/v1/plans/{plan['id']}/transitions", headers=pref, json={"action": "submit"})
    assert refused.status_code == 422 and "まだ提出できません" in refused.json()["detail"]
    import sys
    from pathlib import Path

    from chiiki.store import session_scope
    from chiiki.store.plans import get_plan, record_screening

    sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
    from plan_helpers import complete_plan

    from chiiki.plans.workflow import ActorRef

    with session_scope(seeded.app.state.chiiki.engine) as db:
        complete_plan(db, plan["id"], ActorRef("fukushima", "prefecture", prefecture_code="07"))
    for who, action, state in (
        ("fukushima", "submit", "submitted"),
        ("reviewer", "start_review", "under_review"),
        ("reviewer", "approve", "approved"),
    ):
        if action == "approve":
            with session_scope(seeded.app.state.chiiki.engine) as db:
                codes = [r.code for r in get_plan(db, plan["id"]).requirements]
                record_screening(
                    db, plan["id"], actor=ActorRef("reviewer", "reviewer"), scores=dict.fromkeys(codes, 2)
                )
        r = client.post(
            f"/api/v1/plans/{plan['id']}/transitions", headers=tokens[who], json={"action": action}
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == state
    r = client.post(f"/api/v1/plans/{plan['id']}/transitions", headers=pref, json={"action": "approve"})
    assert r.status_code == 403


def test_plan_list_is_paginated(client, tokens):
    r = client.get("/api/v1/plans?per_page=1", headers=tokens["reviewer"])
    assert r.status_code == 200 and r.json()["per_page"] == 1 and len(r.json()["items"]) <= 1


def test_dataset_upload_with_error_reports_row_and_writes_nothing(client, tokens, seeded):
    before = client.get("/api/v1/datasets", headers=tokens["admin"]).json()
    companies = (
        "company_id,name,prefecture_code,municipality_code,jsic_code,fiscal_year,sales\n"
        "X1,会社1,07,07201,09,2024,1000\n"
        "X2,会社2,07,07201,09,2024,abc\n"
    )
    transactions = "supplier_id,customer_id,fiscal_year,amount\nX1,X2,2024,10\n"
    files = {
        "companies": ("companies.csv", io.BytesIO(companies.encode()), "text/csv"),
        "transactions": ("transactions.csv", io.BytesIO(transactions.encode()), "text/csv"),
    }
    r = client.post("/api/v1/datasets", headers=tokens["admin"], files=files)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(p["row"] == 3 and p["column"] == "sales" and p["severity"] == "error" for p in problems)
    after = client.get("/api/v1/datasets", headers=tokens["admin"]).json()
    assert after == before


def test_dataset_upload_refuses_unknown_file_type(client, tokens):
    files = {
        "companies": ("c.txt", io.BytesIO(b"x"), "text/plain"),
        "transactions": ("t.csv", io.BytesIO(b"x"), "text/csv"),
    }
    r = client.post("/api/v1/datasets", headers=tokens["admin"], files=files)
    assert r.status_code == 422 and "形式" in r.json()["detail"]


def test_security_headers_present(client):
    r = client.get("/login")
    assert (
        r.headers["x-frame-options"] == "DENY"
        and "default-src 'self'" in r.headers["content-security-policy"]
    )


def test_confidential_answers_are_never_cached_but_static_assets_may_be(client, tokens):
    api = client.get("/api/v1/firms/connector-hub?pref=07", headers=tokens["fukushima"])
    static = client.get("/static/app.css")
    assert api.headers["cache-control"] == "no-store" and api.headers["x-frame-options"] == "DENY"
    assert "cache-control" not in static.headers or "no-store" not in static.headers["cache-control"]


def test_validation_errors_are_japanese_field_by_field(client, tokens):
    r = client.get("/api/v1/firms/connector-hub?pref=99&page=0&sort=zzz", headers=tokens["reviewer"])
    body = r.json()
    assert r.status_code == 422
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert "都道府県コードは2桁" in by_field["pref"] and "「99」" in by_field["pref"]
    assert "1 以上" in by_field["page"] and "いずれか" in by_field["sort"] and " or " not in by_field["sort"]
    assert not any(w in body["detail"] for w in ("Input should", "String should", "Field required"))


def test_lq_suppresses_small_cells_for_municipal_staff(client, tokens):
    r = client.get("/api/v1/industry/lq?pref=07&per_page=500", headers=tokens["koriyama"])
    items = r.json()["items"]
    hidden = [x for x in items if x["suppressed"]]
    assert hidden and all(x["value"] is None and x["lq"] is None for x in hidden)
    assert any("秘匿" in n for n in r.json()["notes"])
