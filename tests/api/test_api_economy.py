"""The regional-economy API (issue #13 items 1–4): the figures, the scope of firm-level routes and
the suppression of small aggregates, expected values written out from SPEC §0 by hand."""

from __future__ import annotations

import pytest

FIRMS_07 = {"reviewer", "tohoku", "fukushima"}
USERS = ("admin", "reviewer", "tohoku", "kanto", "fukushima", "tokyo", "koriyama")


@pytest.fixture(scope="module")
def firm07(client, tokens):
    return client.get("/api/v1/firms/connector-hub?pref=07&per_page=1", headers=tokens["reviewer"]).json()[
        "items"
    ][0]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("route", ["fireworks", "dependence", "trend"])
def test_firm_routes_only_for_entitled_readers(client, tokens, firm07, user, route):
    r = client.get(f"/api/v1/firms/{firm07['company_id']}/{route}", headers=tokens[user])
    assert r.status_code == (200 if user in FIRMS_07 else 404), (user, route, r.text[:200])
    if r.status_code == 404:
        assert "閲覧する権限" in r.json()["detail"]


def test_fireworks_first_tier_is_the_firm_page_partners(client, tokens, firm07):
    h = tokens["fukushima"]
    cid = firm07["company_id"]
    fw = client.get(f"/api/v1/firms/{cid}/fireworks?tiers=1&top=500", headers=h).json()
    detail = client.get(f"/api/v1/firms/{cid}?limit=1000", headers=h).json()
    sup = {p["company_id"]: p["amount"] for p in fw["partners"] if p["kind"] == "1次仕入先"}
    cus = {p["company_id"]: p["amount"] for p in fw["partners"] if p["kind"] == "1次販売先"}
    assert sup == {p["company_id"]: p["amount"] for p in detail["in_region_suppliers"]}
    assert cus == {p["company_id"]: p["amount"] for p in detail["out_of_region_customers"]}
    assert all(e["tier"] == 1 for e in fw["edges"])


def test_dependence_by_tier_counts_its_firms(client, tokens, firm07):
    r = client.get(
        f"/api/v1/firms/{firm07['company_id']}/dependence?tiers=3&delta=1000", headers=tokens["tohoku"]
    )
    body = r.json()
    assert r.status_code == 200 and body["tiers"] == 3
    counts = {}
    for f in body["firms"]:
        counts[f["tier"]] = counts.get(f["tier"], 0) + 1
    assert {t["tier"]: t["n_firms"] for t in body["by_tier"]} == counts
    assert all(0 <= f["share"] <= 1 for f in body["firms"])


def test_map_values_suppressed_for_admin_not_for_prefecture_staff(client, tokens):
    mine = client.get("/api/v1/maps/prefecture?code=07&indicator=sales", headers=tokens["fukushima"]).json()
    theirs = client.get("/api/v1/maps/prefecture?code=07&indicator=sales", headers=tokens["admin"]).json()
    assert not any(r["suppressed"] for r in mine["regions"])
    hidden = [r for r in theirs["regions"] if r["suppressed"]]
    assert hidden and all(r["value"] is None for r in hidden) and theirs["notes"]
    small = [r for r in mine["regions"] if r["n_firms"] is not None and 0 < r["n_firms"] < 3]
    assert {r["code"] for r in small} <= {r["code"] for r in hidden}


def test_map_bad_input_is_a_japanese_error(client, tokens):
    r = client.get("/api/v1/maps/block?code=atlantis", headers=tokens["admin"])
    assert r.status_code == 404 and "ブロック" in r.json()["detail"]
    r = client.get("/api/v1/maps/japan?indicator=nope", headers=tokens["admin"])
    assert r.status_code == 422


def test_flows_and_trend_of_a_prefecture(client, tokens):
    full = client.get("/api/v1/network/prefectures?pref=07", headers=tokens["fukushima"]).json()
    part = client.get("/api/v1/network/prefectures?pref=07", headers=tokens["kanto"]).json()
    assert part["n_suppressed"] == len(full["flows"]) - len(part["flows"]) > 0
    ind = client.get("/api/v1/network/industry?pref=07", headers=tokens["koriyama"]).json()
    assert all(f["n_suppliers"] >= 3 and f["n_customers"] >= 3 for f in ind["flows"])
    trend = client.get("/api/v1/trends/prefectures/07", headers=tokens["admin"]).json()
    assert [s["fiscal_year"] for s in trend["series"]] == [2023, 2024]
