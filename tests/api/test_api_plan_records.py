"""API of plan records, the plan PDF and notifications (issue #12 §4–6): a C plan's desk and
consultations counted per fiscal year, an A plan's 有識者検討会 only by its bureau, the PDF with the
plan's title, the reviewer told of a submission."""

from __future__ import annotations

import io

from api_helpers import fill_b_plan
from pypdf import PdfReader


def test_c_plan_desk_and_consultations(client, tokens):
    town = tokens["koriyama"]
    plan = client.post("/api/v1/plans", headers=town, json={
        "plan_type": "C", "title": "API 郡山プラン", "period_start": 2025, "period_end": 2027,
    }).json()  # fmt: skip
    desk = client.post(f"/api/v1/plans/{plan['id']}/desks", headers=town, json={"name": "相談窓口"})
    assert desk.status_code == 201, desk.text
    for day in ("2025-06-01", "2026-02-01", "2026-06-01"):
        r = client.post(f"/api/v1/plans/{plan['id']}/desks/{desk.json()['id']}/consultations", headers=town,
                        json={"held_on": day, "topic": "販路"})  # fmt: skip
        assert r.status_code == 201 and r.json()["fiscal_year"] == (2025 if day < "2026-04" else 2026)
    rec = client.get(f"/api/v1/plans/{plan['id']}/records", headers=tokens["reviewer"]).json()
    assert rec["counts"] == [{"fiscal_year": 2025, "count": 2}, {"fiscal_year": 2026, "count": 1}]
    r = client.post(f"/api/v1/plans/{plan['id']}/desks", headers=tokens["fukushima"], json={"name": "x"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/plans/{plan['id']}/records", headers=tokens["tokyo"]).status_code == 403


def test_a_plan_meeting_by_its_bureau_only(client, tokens):
    plan = client.post("/api/v1/plans", headers=tokens["tohoku"], json={
        "plan_type": "A", "title": "API 東北A", "period_start": 2026, "period_end": 2035,
    }).json()  # fmt: skip
    body = {"held_on": "2026-07-01", "title": "第1回", "members": ["委員A", "委員B"], "decisions": "了承"}
    assert (
        client.post(
            f"/api/v1/plans/{plan['id']}/meetings", headers=tokens["fukushima"], json=body
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/plans/{plan['id']}/meetings", headers=tokens["tohoku"], json=body)
    assert r.status_code == 201 and r.json()["members"] == ["委員A", "委員B"]
    rec = client.get(f"/api/v1/plans/{plan['id']}/records", headers=tokens["tohoku"]).json()
    assert [m["title"] for m in rec["meetings"]] == ["第1回"] and rec["candidates"] == []


def test_pdf_and_notification_of_submission(client, tokens):
    plan = client.post("/api/v1/plans", headers=tokens["fukushima"], json={
        "plan_type": "B", "title": "API 提出用PDF計画", "period_start": 2026, "period_end": 2028,
    }).json()  # fmt: skip
    r = client.get(f"/api/v1/plans/{plan['id']}/document.pdf", headers=tokens["fukushima"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "API 提出用PDF計画" in text and "要件と根拠" in text
    fill_b_plan(client, tokens["fukushima"], plan["id"], range(2026, 2029))
    before = client.get("/api/v1/notifications", headers=tokens["kanto"]).json()["unread"]
    unread = client.get("/api/v1/notifications", headers=tokens["tohoku"]).json()["unread"]
    client.post(
        f"/api/v1/plans/{plan['id']}/transitions", headers=tokens["fukushima"], json={"action": "submit"}
    )
    got = client.get("/api/v1/notifications", headers=tokens["tohoku"]).json()
    assert (
        got["unread"] == unread + 1
        and got["items"][0]["title"] == "計画「API 提出用PDF計画」が提出されました"
    )
    assert got["items"][0]["created_at"].endswith(("Z", "+00:00"))  # UTC, the zone named
    assert (
        client.get("/api/v1/notifications", headers=tokens["kanto"]).json()["unread"] == before
    )  # other block
    r = client.post(
        "/api/v1/notifications/read", headers=tokens["tohoku"], json={"ids": [got["items"][0]["id"]]}
    )
    assert r.json() == {"marked": 1}
