"""Authorisation matrix: every role × every endpoint × in and out of scope (issue #7 tests).

The expected outcome of each cell is written out here by hand from SPEC §0 and §6.5, not computed
with the code under test, so a leak anywhere makes a cell fail.
"""

from __future__ import annotations

import io

import pytest

USERS = ("admin", "reviewer", "tohoku", "kanto", "fukushima", "tokyo", "koriyama")

# who may see firm-level data of Fukushima (07, 東北) and of Tokyo (13, 関東)
FIRMS_07 = {"reviewer", "tohoku", "fukushima"}
FIRMS_13 = {"reviewer", "kanto", "tokyo"}
# who may see / edit / submit a B plan of Fukushima
PLAN_07_VIEW = {"admin", "reviewer", "tohoku", "fukushima"}
PLAN_07_EDIT = {"fukushima"}
UPLOAD = {"admin", "fukushima", "tokyo"}
EVERYONE = set(USERS)


@pytest.fixture(scope="module")
def fixtures(client, tokens):
    reviewer = tokens["reviewer"]
    firm07 = client.get("/api/v1/firms/connector-hub?pref=07&per_page=1", headers=reviewer).json()["items"][0]
    firm13 = client.get("/api/v1/firms/connector-hub?pref=13&per_page=1", headers=reviewer).json()["items"][0]
    plan = client.post(
        "/api/v1/plans",
        headers=tokens["fukushima"],
        json={"plan_type": "B", "title": "権限テスト計画", "period_start": 2026, "period_end": 2028},
    ).json()
    return {
        "firm07": firm07["company_id"],
        "firm13": firm13["company_id"],
        "plan": plan["id"],
        "version": plan["version"],
    }


def _cases():
    ok_or = lambda allowed, denied: (allowed, denied)  # noqa: E731
    return [
        ("firms ranking 07", "GET", "/api/v1/firms/connector-hub?pref=07", None, FIRMS_07, ok_or(200, 403)),
        ("firms ranking 13", "GET", "/api/v1/firms/connector-hub?pref=13", None, FIRMS_13, ok_or(200, 403)),
        ("firm page 07", "GET", "/api/v1/firms/{firm07}", None, FIRMS_07, ok_or(200, 404)),
        ("firm page 13", "GET", "/api/v1/firms/{firm13}", None, FIRMS_13, ok_or(200, 404)),
        ("lq 07 (aggregate)", "GET", "/api/v1/industry/lq?pref=07", None, EVERYONE, ok_or(200, 403)),
        ("lq 13 (aggregate)", "GET", "/api/v1/industry/lq?pref=13", None, EVERYONE, ok_or(200, 403)),
        (
            "ripple (aggregate)",
            "POST",
            "/api/v1/io/ripple",
            {"demand": [{"sector": "電子部品", "value": 10}]},
            EVERYONE,
            ok_or(200, 403),
        ),
        ("plan list", "GET", "/api/v1/plans", None, EVERYONE, ok_or(200, 403)),
        ("plan read", "GET", "/api/v1/plans/{plan}", None, PLAN_07_VIEW, ok_or(200, 403)),
        (
            "plan edit",
            "PATCH",
            "/api/v1/plans/{plan}",
            {"version": 999, "title": "x"},
            PLAN_07_EDIT,
            ok_or(409, 403),
        ),
        (
            "plan withdraw (not allowed in draft)",
            "POST",
            "/api/v1/plans/{plan}/transitions",
            {"action": "withdraw"},
            set(),
            ok_or(200, 403),
        ),
        (
            "plan approve",
            "POST",
            "/api/v1/plans/{plan}/transitions",
            {"action": "approve"},
            set(),
            ok_or(200, 403),
        ),
        ("plan checks", "GET", "/api/v1/plans/{plan}/checks", None, PLAN_07_VIEW, ok_or(200, 403)),
        ("bonus lookup", "GET", "/api/v1/plans/bonus?q={firm07}", None, FIRMS_07 | FIRMS_13, ok_or(200, 403)),
        (
            "plan screening (not under review)",
            "POST",
            "/api/v1/plans/{plan}/screenings",
            {"scores": {}},
            set(),
            ok_or(201, 403),
        ),
        (
            "priority firms (unknown firm)",
            "POST",
            "/api/v1/plans/{plan}/priority-firms",
            {"firms": [{"company_id": "NO-SUCH-FIRM", "reason": "理由"}]},
            PLAN_07_EDIT,
            ok_or(422, 403),
        ),
        (
            "actual (plan not approved)",
            "PUT",
            "/api/v1/plans/{plan}/kpis/sales/actuals/2027",
            {"value": 1},
            set(),
            ok_or(200, (403, 404)),
        ),
        ("dataset list", "GET", "/api/v1/datasets", None, EVERYONE, ok_or(200, 403)),
        ("dataset upload", "POST", "/api/v1/datasets", "FILES", UPLOAD, ok_or(422, 403)),
    ]


CASES = _cases()


def _call(client, method, url, body, headers):
    if body == "FILES":
        files = {
            "companies": ("c.csv", io.BytesIO(b"company_id\n"), "text/csv"),
            "transactions": ("t.csv", io.BytesIO(b"supplier_id\n"), "text/csv"),
        }
        return client.request(method, url, files=files, headers=headers)
    return client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_authorization_matrix(client, tokens, fixtures, user, case):
    name, method, url, body, allowed, (ok, denied) = case
    r = _call(client, method, url.format(**fixtures), body, tokens[user])
    expected = ok if user in allowed else denied
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert r.status_code in expected, f"{user} {name}: {r.status_code} {r.text[:200]}"
    if r.status_code >= 400:
        assert isinstance(r.json()["detail"], str) and not r.json()["detail"].isascii()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_endpoint_refuses_anonymous(client, fixtures, case):
    _, method, url, body, _, _ = case
    assert _call(client, method, url.format(**fixtures), body, {}).status_code == 401


@pytest.mark.parametrize("user", USERS)
def test_plan_list_shows_only_visible_plans(client, tokens, fixtures, user):
    ids = {p["id"] for p in client.get("/api/v1/plans?per_page=200", headers=tokens[user]).json()["items"]}
    assert (fixtures["plan"] in ids) == (user in PLAN_07_VIEW)


@pytest.mark.parametrize("user", USERS)
def test_ranking_never_returns_firms_of_another_prefecture(client, tokens, user):
    for pref, allowed in (("07", FIRMS_07), ("13", FIRMS_13)):
        r = client.get(f"/api/v1/firms/connector-hub?pref={pref}&per_page=500", headers=tokens[user])
        if user in allowed:
            assert {x["prefecture_code"] for x in r.json()["items"]} == {pref}
        else:
            assert r.status_code == 403 and "items" not in r.json()
