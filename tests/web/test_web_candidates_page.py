"""A-plan candidate projects on the plan page (issue #6 §2, #7 §2; SPEC §6.1 A, §6.2 A): a bureau drafts
the A plan, a prefecture of its block proposes a project, the A requirements read it."""

from __future__ import annotations

import re

from web_helpers import csrf_of


def _a_plan(login) -> tuple[object, int]:
    bureau = login("tohoku")
    form = bureau.get("/plans/new").text
    r = bureau.post(
        "/plans/new",
        data={"csrf_token": csrf_of(form), "plan_type": "A", "title": "東北 A 候補試験", "period_start": "2026",
              "period_end": "2030", "focus_fields": ["1"]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return bureau, int(re.search(r"ID (\d+)", r.text).group(1))


def test_prefecture_of_the_block_proposes_a_candidate_project(login):
    bureau, plan_id = _a_plan(login)
    fukushima = login("fukushima")
    page = fukushima.get(f"/plans/{plan_id}").text
    assert 'id="candidate-form"' in page
    r = fukushima.post(
        f"/plans/{plan_id}/candidates",
        data={"csrf_token": csrf_of(page), "title": "半導体後工程の新工場", "field_id": "1",
              "investment_amount": "12,000,000", "ministry_0": "経済産業省", "since_0": "2025-04-01",
              "wage_plan": "毎年5%の賃上げ", "wage_growth_rate": "5"},
    )  # fmt: skip
    table = r.text.split('id="candidate-table"')[1].split("</table>")[0]
    assert "半導体後工程の新工場" in table and "12,000,000" in table and "経済産業省（2025-04-01〜）" in table
    assert "5.0%" in table and "福島県" in table
    refreshed = bureau.post(
        f"/plans/{plan_id}/requirements/refresh",
        data={"csrf_token": csrf_of(bureau.get(f"/plans/{plan_id}").text)},
    ).text
    reqs = refreshed.split('id="requirements-table"')[1].split("</table>")[0]
    assert "経済産業省（2025-04-01〜）" in reqs and "12,000,000 千円" in reqs


def test_candidate_with_a_bad_date_is_refused_and_nothing_is_saved(login):
    _, plan_id = _a_plan(login)
    fukushima = login("fukushima")
    page = fukushima.get(f"/plans/{plan_id}").text
    r = fukushima.post(
        f"/plans/{plan_id}/candidates",
        data={"csrf_token": csrf_of(page), "title": "日付誤り", "ministry_0": "総務省", "since_0": "令和7年"},
    )
    assert (
        "YYYY-MM-DD" in r.text
        and "日付誤り" not in r.text.split('id="candidate-table"')[1].split("</table>")[0]
    )


def test_prefecture_outside_the_block_cannot_propose(login):
    _, plan_id = _a_plan(login)
    tokyo = login("tokyo")
    assert tokyo.get(f"/plans/{plan_id}").status_code == 403
    r = tokyo.post(
        f"/plans/{plan_id}/candidates", data={"csrf_token": csrf_of(tokyo.get("/plans").text), "title": "x"}
    )
    assert r.status_code == 403 and "閲覧する権限がありません" in r.text
