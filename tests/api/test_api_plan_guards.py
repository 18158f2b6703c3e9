"""The guarded plan process over the API (issue #12 §1–§3): an empty plan's submission is a 422 that
lists what is missing, filled over the API it goes through; approval needs a screening and a reason
against its recommendation; actuals are checked; 加点 for one firm and a list; firms picked with
reasons."""

from __future__ import annotations


def _new(client, tokens) -> dict:  # noqa: ANN001
    r = client.post(
        "/api/v1/plans",
        headers=tokens["fukushima"],
        json={
            "plan_type": "B",
            "title": "API の計画",
            "period_start": 2026,
            "period_end": 2028,
            "focus_fields": [1, 9, 11],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def _transition(client, tokens, who, plan_id, action, comment=""):  # noqa: ANN001, ANN202
    return client.post(
        f"/api/v1/plans/{plan_id}/transitions",
        headers=tokens[who],
        json={"action": action, "comment": comment},
    )


def test_api_guards_from_empty_plan_to_approval(client, tokens):
    pref, reviewer = tokens["fukushima"], tokens["reviewer"]
    plan = _new(client, tokens)
    pid = plan["id"]
    r = _transition(client, tokens, "fukushima", pid, "submit")
    assert r.status_code == 422
    body = r.json()
    assert "この計画はまだ提出できません" in body["detail"]
    messages = [e["message"] for e in body["errors"]]
    assert "重点支援企業が1社も選ばれていません" in messages and any("根拠が未記入" in m for m in messages)
    checks = client.get(f"/api/v1/plans/{pid}/checks", headers=pref).json()
    assert checks["submit_missing"] == messages
    # fill it over the API
    firms = client.get("/api/v1/firms/connector-hub?pref=07&per_page=200", headers=pref).json()["items"]
    chosen = [f["company_id"] for f in firms[:2]]
    r = client.post(
        f"/api/v1/plans/{pid}/priority-firms",
        headers=pref,
        json={"firms": [{"company_id": c, "reason": "取引の要"} for c in chosen]},
    )
    assert r.status_code == 200 and [f["planner_reason"] for f in r.json()] == ["取引の要"] * 2
    assert all(f["reasons"] for f in r.json())  # the selection rule's own reasons beside the planner's
    bad = client.put(
        f"/api/v1/plans/{pid}/kpis/employees",
        headers=pref,
        json={"baseline": 100, "baseline_year": 2025, "targets": {"2026": 100.5}},
    )
    assert bad.status_code == 422 and "整数" in bad.json()["detail"]
    for code, (b, t) in {
        "regional_transactions": (1000, 1100),
        "sales": (5000, 5600),
        "employees": (100, 103),
        "payroll": (400, 520),
    }.items():
        r = client.put(
            f"/api/v1/plans/{pid}/kpis/{code}",
            headers=pref,
            json={
                "baseline": b,
                "baseline_year": 2025,
                "targets": {str(y): b + (t - b) * i // 3 for i, y in enumerate((2026, 2027, 2028), start=1)},
            },
        )
        assert r.status_code == 200, r.text
    for code in ("B_EXPORT", "B_LOCALISE", "B_SUPPORT"):
        assert (
            client.put(
                f"/api/v1/plans/{pid}/requirements/{code}", headers=pref, json={"evidence": "根拠資料"}
            ).status_code
            == 200
        )
    assert client.get(f"/api/v1/plans/{pid}/checks", headers=pref).json()["submit_missing"] == []
    assert _transition(client, tokens, "fukushima", pid, "submit").status_code == 200
    assert _transition(client, tokens, "reviewer", pid, "start_review").status_code == 200
    r = _transition(client, tokens, "reviewer", pid, "approve")
    assert r.status_code == 422 and "採点がまだ記録されていません" in r.json()["detail"]
    codes = ["B_EXPORT", "B_LOCALISE", "B_TARGETS", "B_TARGET_RULE", "B_WAGE_RULE", "B_SUPPORT"]
    r = client.post(
        f"/api/v1/plans/{pid}/screenings",
        headers=reviewer,
        json={"scores": {c: 2 for c in codes} | {"B_EXPORT": 0}},
    )
    assert r.status_code == 201 and r.json()["decision_label"] == "差戻し"
    assert "不足（0点）の要件があります: 「実現する製品" in " ".join(r.json()["reasons"])
    r = _transition(client, tokens, "reviewer", pid, "approve")
    assert r.status_code == 422 and "理由を書いてください" in r.json()["detail"]
    assert (
        _transition(client, tokens, "reviewer", pid, "approve", "補足資料で確認").json()["state"]
        == "approved"
    )
    r = client.put(f"/api/v1/plans/{pid}/kpis/sales/actuals/2030", headers=pref, json={"value": 5500})
    assert r.status_code == 422 and "計画期間" in r.json()["detail"]
    r = client.put(f"/api/v1/plans/{pid}/kpis/payroll/actuals/2027", headers=pref, json={"value": -1})
    assert r.status_code == 422 and "負の値" in r.json()["detail"]
    first = client.put(
        f"/api/v1/plans/{pid}/kpis/sales/actuals/2027", headers=pref, json={"value": 5200}
    ).json()
    fixed = client.put(
        f"/api/v1/plans/{pid}/kpis/sales/actuals/2027",
        headers=pref,
        json={"value": 5300, "version": first["version"]},
    )
    assert fixed.status_code == 200 and [h["value"] for h in fixed.json()["history"]] == [5200]
    # the firm now earns the 加点 of a 重点支援企業 of an approved plan
    r = client.get("/api/v1/plans/bonus", headers=reviewer, params={"q": chosen[0]})
    assert r.status_code == 200, r.text
    [row] = r.json()["rows"]
    assert (
        row["sure"]
        and "API の計画" in row["priority_plans"]
        and row["reasons"].startswith("重点支援企業に選定")
    )


def test_api_bonus_list_and_scope(client, tokens):
    firms = client.get("/api/v1/firms/connector-hub?pref=07&per_page=3", headers=tokens["reviewer"]).json()[
        "items"
    ]
    names = [f["name"] for f in firms]
    r = client.post(
        "/api/v1/plans/bonus",
        headers=tokens["reviewer"],
        json={"applicants": [f"株式会社{n}" for n in names] + ["架空商事"]},
    )
    assert r.status_code == 200
    out = r.json()
    assert (out["sure"], out["not_found"]) == (3, 1) and "パーセンタイル" in out["rule"]
    assert [x["company_id"] for x in out["rows"][:3]] == [f["company_id"] for f in firms]
    # Tokyo's staff find the Fukushima firm but see no figures or points
    [hidden] = client.get(
        "/api/v1/plans/bonus", headers=tokens["tokyo"], params={"q": firms[0]["company_id"]}
    ).json()["rows"]
    assert hidden["hidden"] and hidden["bonus_points"] is None and hidden["connector_percentile"] is None
    denied = client.get("/api/v1/plans/bonus", headers=tokens["koriyama"], params={"q": "x"})
    assert denied.status_code == 403 and "加点の確認" in denied.json()["detail"]
