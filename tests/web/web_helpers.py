"""Helpers shared by the web tests: the CSRF token of a page and a logged-in client."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "test-password-123"
"""The password :func:`chiiki.server.testing.seed_users` gives every sample user."""


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def logged_in(app: FastAPI, user: str, password: str = PASSWORD) -> TestClient:
    """A client with a session for ``user`` (the login form, CSRF token and all)."""
    c = TestClient(app, raise_server_exceptions=False)
    r = c.post(
        "/login", data={"username": user, "password": password, "csrf_token": csrf_of(c.get("/login").text)}
    )
    assert r.status_code == 200, r.text
    return c


REQUIRED_KPIS = {
    "regional_transactions": (1000, 1100),
    "sales": (5000, 5600),
    "employees": (100, 105),
    "payroll": (400, 520),
}


def _post(client: TestClient, url: str, page: str, data: dict) -> str:
    return client.post(url, data={"csrf_token": CSRF.search(page).group(1)} | data).text


def complete_for_submit(client: TestClient, plan_id: int) -> str:
    """Fill what the submit guard asks of a B or C plan (issue #12 §1), keeping what is there: two
    firms of the prefecture with reasons (B), the four KPIs with a baseline and a target for every
    year, evidence for each manual requirement. Returns the plan page."""
    page = client.get(f"/plans/{plan_id}").text
    is_b = "B 地域産業クラスター計画" in page.split("</h1>", 1)[0]
    if is_b and "まだ選定されていません" in page.split('id="priority-firms"', 1)[1].split("</table>", 1)[0]:
        pick = client.get(f"/plans/{plan_id}/firms/pick?scope=all").text
        ids = re.findall(r'name="company_id" value="([^"]+)"', pick)[:2]
        page = _post(
            client,
            f"/plans/{plan_id}/firms/add",
            pick,
            {"company_id": ids} | {f"reason_{i}": "取引の要" for i in ids},
        )
    for m in re.finditer(
        r'action="(/plans/\d+/firms/[^/"]+/reason)".*?<textarea name="reason"[^>]*>([^<]*)</textarea>',
        page,
        re.S,
    ):
        if not m.group(2).strip():
            page = _post(client, m.group(1), page, {"reason": "取引の要"})
    for code, (base, end) in REQUIRED_KPIS.items():
        form = page.split(f'id="kpi-manual-{code}"', 1)[1].split("</form>", 1)[0]
        values = dict(
            re.findall(r'name="((?:baseline|baseline_year|target_\d{4}|version))"[^>]*?value="([^"]*)"', form)
        )
        years = sorted(int(n[7:]) for n in re.findall(r'name="(target_\d{4})"', form))
        if values.get("baseline") and all(values.get(f"target_{y}") for y in years):
            continue
        data = {
            "baseline": values.get("baseline") or str(base),
            "baseline_year": values.get("baseline_year") or "2025",
        }
        if values.get("version"):
            data["version"] = values["version"]
        for i, y in enumerate(years, start=1):
            data[f"target_{y}"] = values.get(f"target_{y}") or str(base + (end - base) * i // len(years))
        page = _post(client, f"/plans/{plan_id}/kpis/{code}/manual", page, data)
    for m in re.finditer(
        r'<form method="post" action="(/plans/\d+/requirements/[A-Z_]+)">.*?name="version" value="(\d+)".*?<textarea name="evidence"[^>]*>([^<]*)</textarea>',
        page,
        re.S,
    ):
        if not m.group(3).strip():
            page = _post(client, m.group(1), page, {"version": m.group(2), "evidence": "根拠資料あり"})
    return page
