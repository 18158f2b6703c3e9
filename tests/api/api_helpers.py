"""Helpers of the API tests."""

from __future__ import annotations


def fill_b_plan(client, headers: dict, plan_id: int, years: range) -> None:  # noqa: ANN001
    """What the submit guard asks of a B plan (issue #12 §1), over the API: two firms of 福島県 with
    the planner's reasons, the four KPIs with a baseline and a target for each year in ``years``,
    evidence for every manual requirement."""
    firms = client.get("/api/v1/firms/connector-hub?pref=07&per_page=2", headers=headers).json()["items"]
    r = client.post(
        f"/api/v1/plans/{plan_id}/priority-firms",
        headers=headers,
        json={"firms": [{"company_id": f["company_id"], "reason": "取引の要"} for f in firms]},
    )
    assert r.status_code == 200, r.text
    for code, base in {
        "regional_transactions": 1000,
        "sales": 5000,
        "employees": 100,
        "payroll": 400,
    }.items():
        r = client.put(
            f"/api/v1/plans/{plan_id}/kpis/{code}",
            headers=headers,
            json={"baseline": base, "baseline_year": years.start - 1,
                  "targets": {str(y): base + 10 * (i + 1) for i, y in enumerate(years)}},
        )  # fmt: skip
        assert r.status_code == 200, r.text
    for code in ("B_EXPORT", "B_LOCALISE", "B_SUPPORT"):
        r = client.put(
            f"/api/v1/plans/{plan_id}/requirements/{code}", headers=headers, json={"evidence": "根拠資料"}
        )
        assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/plans/{plan_id}/checks", headers=headers).json()["submit_missing"] == []
