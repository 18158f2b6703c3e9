"""Guarded plan process on the pages (issue #12 §1, §3, §7): an empty plan is refused with the list of
what is missing in Japanese; firms are picked from the whole prefecture with a reason, removable;
approval needs a full screening and a reason against the recommendation; actuals outside the period
or the KPI's range are refused and a correction keeps the earlier value; no identifier on screen."""

from __future__ import annotations

import html
import re

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import CSRF, logged_in

from chiiki.reference import field_jsic_mapping
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.models import Plan
from chiiki.store.plans import get_plan


def visible_text(page: str) -> str:
    """What a person reads: the page without tags, attributes, scripts and styles."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


IDENTIFIER = re.compile(
    r"\b[ABC]_[A-Z][A-Z_]+\b|regional_transactions|value_added|\bpayroll\b|\bemployees\b|\bsales\b|SPEC\s*§"
)


def flashes(page: str) -> list[str]:
    return [html.unescape(t) for _, t in re.findall(r'<p class="flash (\w+)"[^>]*>([^<]+)</p>', page)]


def token(client: TestClient, url: str) -> str:
    return CSRF.search(client.get(url).text).group(1)


@pytest.fixture(scope="module")
def as_user(web_seeded):
    clients: dict[str, TestClient] = {}

    def _client(user: str) -> TestClient:
        if user not in clients:
            clients[user] = logged_in(web_seeded.app, user, web_seeded.passwords[user])
        return clients[user]

    yield _client
    for c in clients.values():
        c.close()


def new_b_plan(client: TestClient, title: str, fields=(1, 9)) -> int:  # noqa: ANN001
    r = client.post(
        "/plans/new",
        data={
            "csrf_token": token(client, "/plans/new"),
            "plan_type": "B",
            "title": title,
            "period_start": "2026",
            "period_end": "2030",
            "focus_fields": [str(f) for f in fields],
        },
    )
    assert r.status_code == 200, r.text
    return int(re.search(r"/plans/(\d+)", str(r.url)).group(1))


def submit(client: TestClient, plan_id: int, comment: str = "") -> str:
    page = client.get(f"/plans/{plan_id}").text
    version = re.search(r'action="/plans/\d+/transition".*?name="version" value="(\d+)"', page, re.S).group(1)
    return client.post(
        f"/plans/{plan_id}/transition",
        data={
            "csrf_token": CSRF.search(page).group(1),
            "version": version,
            "action": "submit",
            "comment": comment,
        },
    ).text


def act(client: TestClient, plan_id: int, action: str, comment: str = "") -> str:
    page = client.get(f"/plans/{plan_id}").text
    version = re.search(r'action="/plans/\d+/transition".*?name="version" value="(\d+)"', page, re.S).group(1)
    return client.post(
        f"/plans/{plan_id}/transition",
        data={
            "csrf_token": CSRF.search(page).group(1),
            "version": version,
            "action": action,
            "comment": comment,
        },
    ).text


def db_of(web_seeded):  # noqa: ANN001, ANN201
    return session_scope(web_seeded.app.state.chiiki.engine)


def state_of(web_seeded, plan_id: int) -> str:  # noqa: ANN001
    with db_of(web_seeded) as db:
        return get_plan(db, plan_id).state


def fill_b(client: TestClient, plan_id: int) -> None:
    """Pick two firms of the focus fields with reasons, type the four KPIs, write the evidence."""
    page = client.get(f"/plans/{plan_id}/firms/pick").text
    ids = re.findall(r'name="company_id" value="([^"]+)"', page)[:2]
    assert len(ids) == 2
    r = client.post(
        f"/plans/{plan_id}/firms/add",
        data={"csrf_token": CSRF.search(page).group(1), "company_id": ids}
        | {f"reason_{i}": "取引の要" for i in ids},
    )
    assert "2 社を加えました" in r.text
    page = r.text
    for code, (base, end) in {
        "regional_transactions": (1000, 1100),
        "sales": (5000, 5600),
        "employees": (100, 103),
        "payroll": (400, 520),
    }.items():
        data = {"csrf_token": CSRF.search(page).group(1), "baseline": str(base), "baseline_year": "2025"}
        for i, y in enumerate(range(2026, 2031), start=1):
            data[f"target_{y}"] = str(base + (end - base) * i // 5)
        page = client.post(f"/plans/{plan_id}/kpis/{code}/manual", data=data).text
    for m in re.finditer(
        r'<form method="post" action="(/plans/\d+/requirements/[A-Z_]+)">.*?name="version" value="(\d+)".*?name="evidence"',
        page,
        re.S,
    ):
        page = client.post(
            m.group(1),
            data={
                "csrf_token": CSRF.search(page).group(1),
                "version": m.group(2),
                "evidence": "根拠資料: 計画書 3 章",
            },
        ).text


def test_empty_b_plan_is_refused_with_the_missing_items(as_user, web_seeded) -> None:
    owner = as_user("fukushima")
    plan_id = new_b_plan(owner, "空の計画")
    page = owner.get(f"/plans/{plan_id}").text
    check = visible_text(page.split('id="submit-check"', 1)[1].split("</div>", 1)[0])
    assert "不足しています" in check and "重点支援企業が1社も選ばれていません" in check
    refused = submit(owner, plan_id)
    message = " ".join(flashes(refused))
    assert "この計画はまだ提出できません" in message
    for item in (
        "根拠が未記入",
        "KPI「域内取引額」が設定されていません",
        "KPI「雇用者数」",
        "重点支援企業が1社も選ばれていません",
    ):
        assert item in message
    assert state_of(web_seeded, plan_id) == "draft"


def test_filled_plan_submits_and_approval_needs_screening_and_reason(as_user, web_seeded) -> None:
    owner, reviewer = as_user("fukushima"), as_user("reviewer")
    plan_id = new_b_plan(owner, "中身のある計画")
    fill_b(owner, plan_id)
    page = owner.get(f"/plans/{plan_id}").text
    assert "提出に必要な項目はそろっています" in visible_text(page)
    submit(owner, plan_id)
    assert state_of(web_seeded, plan_id) == "submitted"
    act(reviewer, plan_id, "start_review")
    # approving before any screening is refused
    refused = " ".join(flashes(act(reviewer, plan_id, "approve")))
    assert "まだ承認できません" in refused and "採点がまだ記録されていません" in refused
    # a screening recommending 差戻し (one requirement 0)
    page = reviewer.get(f"/plans/{plan_id}").text
    codes = re.findall(r'name="score_([A-Z_]+)"', page)
    data = {"csrf_token": CSRF.search(page).group(1), "comment": ""} | {f"score_{c}": "2" for c in codes}
    data[f"score_{codes[0]}"] = "0"
    page = reviewer.post(f"/plans/{plan_id}/screening", data=data).text
    assert "判定の目安は「差戻し」" in " ".join(flashes(page))
    assert "目安と異なる判断" in visible_text(page)
    refused = " ".join(flashes(act(reviewer, plan_id, "approve")))
    assert "理由を書いてください" in refused
    assert state_of(web_seeded, plan_id) == "under_review"
    act(reviewer, plan_id, "approve", comment="輸出の根拠は補足資料で確認できたため承認する")
    assert state_of(web_seeded, plan_id) == "approved"
    with db_of(web_seeded) as db:
        entry = [
            e for e in audit_entries(db, entity="plan", entity_id=plan_id) if e.action == "transition:approve"
        ][-1]
        assert entry.after["against_recommendation"] is True and entry.after["recommendation"] == "差戻し"
        assert entry.after["reason"].startswith("輸出の根拠")

    # actuals: outside the period and negative employees refused; a correction keeps the earlier value
    def actual(code: str, year: int, value: str) -> str:
        page = owner.get(f"/plans/{plan_id}").text
        return owner.post(
            f"/plans/{plan_id}/kpis/{code}/actual",
            data={
                "csrf_token": CSRF.search(page).group(1),
                "fiscal_year": str(year),
                "value": value,
                "note": "",
            },
        ).text

    assert "2035年度は計画期間（2026〜2030年度）の外です" in " ".join(flashes(actual("sales", 2035, "5200")))
    assert "負の値です" in " ".join(flashes(actual("employees", 2027, "-3")))
    assert "整数ではありません" in " ".join(flashes(actual("employees", 2027, "101.5")))
    actual("sales", 2027, "5200")
    page = owner.get(f"/plans/{plan_id}").text
    version = re.search(r"name=\"version\" value=\"(\d+)\"", page.split('id="kpi-sales"', 1)[1])
    page = owner.post(
        f"/plans/{plan_id}/kpis/sales/actual",
        data={
            "csrf_token": CSRF.search(page).group(1),
            "fiscal_year": "2027",
            "value": "5300",
            "note": "確定値",
            "version": version.group(1) if version else "",
        },
    ).text
    with db_of(web_seeded) as db:
        kpi = next(k for k in get_plan(db, plan_id).kpis if k.code == "sales")
        row = next(v for v in kpi.values if v.kind == "actual" and v.fiscal_year == 2027)
        assert row.value == 5300 and [h["value"] for h in row.history] == [5200]
    assert "実績の修正履歴" in visible_text(owner.get(f"/plans/{plan_id}").text)


def test_pick_page_lists_every_firm_of_the_focus_fields_sorted_and_paged(
    as_user,
    web_seeded,
) -> None:
    owner = as_user("fukushima")
    plan_id = new_b_plan(owner, "選定の計画", fields=(1, 9, 11))
    page = owner.get(f"/plans/{plan_id}/firms/pick?sort=sales&order=desc").text
    total = int(re.search(r"該当 ([\d,]+) 社", page).group(1).replace(",", ""))
    from chiiki.data import read_dataset
    from chiiki.store.datasets import current_dataset

    with db_of(web_seeded) as db:
        ds = read_dataset(current_dataset(db).path)
    year = max(ds.years)
    codes = set(field_jsic_mapping().filter(pl.col("field_id").is_in([1, 9, 11]))["jsic_code"])
    expected = ds.companies.filter(
        (pl.col("fiscal_year") == year)
        & (pl.col("prefecture_code") == "07")
        & pl.col("jsic_code").is_in(list(codes))
    )
    assert total == expected.height > 0
    rows = re.findall(r'<tr><td><input type="checkbox" name="company_id" value="([^"]+)">', page)
    top = (
        expected.sort(["sales", "company_id"], descending=[True, False])["company_id"]
        .head(len(rows))
        .to_list()
    )
    assert rows == top
    everything = owner.get(f"/plans/{plan_id}/firms/pick?scope=all").text
    assert (
        int(re.search(r"該当 ([\d,]+) 社", everything).group(1).replace(",", ""))
        == ds.companies.filter((pl.col("fiscal_year") == year) & (pl.col("prefecture_code") == "07")).height
    )
    # search by name tolerates 株式会社 and full-width letters
    name = expected.sort("company_id")["name"][0]
    found = owner.get(
        f"/plans/{plan_id}/firms/pick", params={"q": "株式会社" + name[:4], "scope": "all"}
    ).text
    assert name in found
    # a pick without a reason is refused; with one it is added, then removed (audited)
    cid = rows[0]
    refused = owner.post(
        f"/plans/{plan_id}/firms/add", data={"csrf_token": CSRF.search(page).group(1), "company_id": [cid]}
    ).text
    assert "選定理由が未記入" in " ".join(flashes(refused))
    added = owner.post(
        f"/plans/{plan_id}/firms/add",
        data={
            "csrf_token": CSRF.search(page).group(1),
            "company_id": [cid],
            f"reason_{cid}": "県外への販路の要",
        },
    ).text
    table = added.split('id="priority-firms"', 1)[1].split("</table>", 1)[0]
    assert "県外への販路の要" in table and "県内の総合スコア" in table
    removed = owner.post(
        f"/plans/{plan_id}/firms/{cid}/remove", data={"csrf_token": CSRF.search(added).group(1)}
    ).text
    assert "外しました" in " ".join(flashes(removed))
    with db_of(web_seeded) as db:
        assert get_plan(db, plan_id).priority_firms == []
        actions = [e.action for e in audit_entries(db)]
        assert "add_priority_firms" in actions and "delete" in actions
    # municipal staff cannot pick
    assert as_user("koriyama").get(f"/plans/{plan_id}/firms/pick").status_code == 403


def test_plan_pages_show_no_identifiers(as_user, web_seeded) -> None:
    """issue #12 §7: requirement codes, KPI keys and "SPEC §" never reach the screen."""
    owner = as_user("fukushima")
    plan_id = new_b_plan(owner, "表示の計画")
    fill_b(owner, plan_id)
    pages = {
        "owner": owner.get(f"/plans/{plan_id}").text,
        "pick": owner.get(f"/plans/{plan_id}/firms/pick").text,
    }
    submit(owner, plan_id)
    reviewer = as_user("reviewer")
    act(reviewer, plan_id, "start_review")
    pages["reviewer"] = reviewer.get(f"/plans/{plan_id}").text
    with db_of(web_seeded) as db:
        others = [p.id for p in db.scalars(select(Plan))]
    for other in others:
        pages[f"plan {other}"] = reviewer.get(f"/plans/{other}").text
    pages["list"] = reviewer.get("/plans").text
    for name, page in pages.items():
        found = IDENTIFIER.findall(visible_text(page))
        assert not found, f"{name}: {found[:5]}"
    # every requirement has a help text beside its label
    assert pages["owner"].count('class="note req-help"') == 6


def test_bonus_page_one_firm_a_list_and_the_download(as_user, web_seeded) -> None:
    import io

    import openpyxl

    reviewer = as_user("reviewer")
    page = reviewer.get("/plans/bonus").text
    assert "加点の基準" in visible_text(page) and "パーセンタイル" in visible_text(page)
    firms = reviewer.get("/api/v1/plans").status_code  # the page works with a page session, not a token
    assert firms == 401
    with db_of(web_seeded) as db:
        from chiiki.data import read_dataset
        from chiiki.store.datasets import current_dataset

        ds = read_dataset(current_dataset(db).path)
    firm = ds.companies.filter(pl.col("prefecture_code") == "07").sort("company_id").row(0, named=True)
    one = reviewer.get("/plans/bonus", params={"q": "㈱" + firm["name"]}).text
    rows = re.findall(
        r"<tr[^>]*>(.*?)</tr>", one.split('id="bonus-table"', 1)[1].split("</table>", 1)[0], re.S
    )
    assert len(rows) == 2 and firm["name"] in rows[1] and "企業名で一致" in rows[1]
    listing = f"法人番号,企業名\n{firm['corporate_number'] or ''},{firm['name']}\n,架空商事\n".encode("cp932")
    batch = reviewer.post(
        "/plans/bonus",
        data={"csrf_token": CSRF.search(page).group(1)},
        files={"file": ("申請者.csv", listing, "text/csv")},
    ).text
    summary = visible_text(batch.split('id="bonus-summary"', 1)[1].split("</p>", 1)[0])
    assert "2 件を照合" in summary and "該当なし 1 件" in summary
    assert not IDENTIFIER.findall(visible_text(batch))
    r = reviewer.post(
        "/plans/bonus/download",
        data={
            "csrf_token": CSRF.search(batch).group(1),
            "applicants": f"{firm['name']}\n架空商事",
            "format": "xlsx",
        },
    )
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["加点"]
    assert [c.value for c in sheet[1]][:3] == ["番号", "入力", "照合結果"] and sheet.max_row == 3
    bad = reviewer.post("/plans/bonus", data={"csrf_token": CSRF.search(page).group(1), "applicants": ""})
    assert bad.status_code == 422 and "1行に1件" in visible_text(bad.text)
    denied = as_user("koriyama").get("/plans/bonus")
    assert denied.status_code == 403 and "加点の確認" in visible_text(denied.text)
