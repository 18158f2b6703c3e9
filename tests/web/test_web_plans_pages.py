"""計画 pages (issue #7 §2, §4; SPEC §6): who sees which plans, creating A/B/C plans, editing with
concurrent-edit detection, priority firms from the score table, KPIs from the data and yearly
actuals, the workflow with review and screening, scope refusals, the audit trail and the Excel export.

Each test builds the plans it needs on the session's seeded app, so tests do not depend on order."""

from __future__ import annotations

import html
import io
import math
import re

import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import CSRF, complete_for_submit, logged_in

from chiiki.data import read_dataset
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.datasets import current_dataset
from chiiki.store.models import AuditLog, Plan

# --- helpers --------------------------------------------------------------------------------------


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def table_rows(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def flashes(page: str) -> list[tuple[str, str]]:
    return [(k, html.unescape(t)) for k, t in re.findall(r'<p class="flash (\w+)"[^>]*>([^<]+)</p>', page)]


def error_message(page: str) -> str:
    return text_of(re.search(r'class="error-message">(.*?)</p>', page, re.S).group(1))


def state_of(page: str) -> str:
    return text_of(re.search(r'id="plan-state">(.*?)</div>', page).group(1))


def form_version(page: str, action: str) -> str:
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def requirement_codes(page: str) -> list[str]:
    return re.findall(
        r'<tr data-requirement="([A-Z_]+)">', page.split('id="requirements-table"', 1)[1].split("</table>")[0]
    )


def listed_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/plans/(\d+)">', page.split('id="plans"', 1)[1])}


@pytest.fixture(scope="module")
def as_user(web_seeded):
    """``as_user(name)`` → a logged-in client (one per user and module; ``fresh=True`` for another
    browser session of the same user)."""
    clients: dict[str, TestClient] = {}
    extra: list[TestClient] = []

    def _client(user: str, *, fresh: bool = False) -> TestClient:
        if fresh or user not in clients:
            c = logged_in(web_seeded.app, user, web_seeded.passwords[user])
            if fresh:
                extra.append(c)
                return c
            clients[user] = c
        return clients[user]

    yield _client
    for c in [*clients.values(), *extra]:
        c.close()


def token_of(client: TestClient) -> str:
    return CSRF.search(client.get("/plans").text).group(1)


def overview(title: str, **fields: object) -> dict:
    data: dict = {"title": title, "period_start": "2026", "period_end": "2030", "description": ""}
    data.update(fields)
    return data


def create(client: TestClient, plan_type: str, title: str, **fields: object):  # noqa: ANN201
    data = {"csrf_token": token_of(client), "plan_type": plan_type, **overview(title, **fields)}
    return client.post("/plans/new", data=data, follow_redirects=False)


def new_plan(client: TestClient, plan_type: str, title: str, **fields: object) -> int:
    r = create(client, plan_type, title, **fields)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def act(client: TestClient, plan_id: int, action: str, comment: str = ""):  # noqa: ANN201
    page = client.get(f"/plans/{plan_id}").text
    data = {
        "csrf_token": CSRF.search(page).group(1),
        "action": action,
        "comment": comment,
        "version": form_version(page, f"/plans/{plan_id}/transition") if "/transition" in page else "1",
    }
    return client.post(f"/plans/{plan_id}/transition", data=data)


def pick(client: TestClient, plan_id: int, n: int) -> list[str]:
    page = client.get(f"/plans/{plan_id}").text
    ids = re.findall(r'name="company_id" value="([^"]+)"', page.split('id="pick-table"', 1)[1])[:n]
    r = client.post(
        f"/plans/{plan_id}/firms", data={"csrf_token": CSRF.search(page).group(1), "company_id": ids}
    )
    assert flashes(r.text)[0] == ("ok", f"重点支援企業を {n} 社登録しました。"), r.text
    return ids


def stored_plan(web_seeded, plan_id: int) -> Plan:  # noqa: ANN001
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        plan = session.get(Plan, plan_id)
        session.expunge(plan)
        return plan


def audit_trail(web_seeded, plan_id: int) -> list[tuple[str, str]]:  # noqa: ANN001
    """(actor, action) of the audit rows of the plan and of its parts, oldest first."""
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        plan = session.get(Plan, plan_id)
        parts = {
            "plan": {str(plan_id)},
            "plan_requirement": {str(r.id) for r in plan.requirements},
            "kpi": {str(k.id) for k in plan.kpis},
            "kpi_value": {str(v.id) for k in plan.kpis for v in k.values},
            "screening": {str(s.id) for s in plan.screenings},
            "ripple_scenario": {str(s.id) for s in plan.ripple_scenarios},
        }
        return [(e.actor, e.action) for e in audit_entries(session) if e.entity_id in parts.get(e.entity, ())]


@pytest.fixture(scope="module")
def dataset(web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        return read_dataset(current_dataset(session).path)


# --- list and create ------------------------------------------------------------------------------


def test_plan_list_shows_only_plans_the_user_may_see(as_user):
    b07 = new_plan(as_user("fukushima"), "B", "一覧: 福島県のB計画")
    c07 = new_plan(as_user("koriyama"), "C", "一覧: 郡山市のC計画")
    a_tohoku = new_plan(as_user("tohoku"), "A", "一覧: 東北のA計画")
    b13 = new_plan(as_user("tokyo"), "B", "一覧: 東京都のB計画")
    ours = {b07, c07, a_tohoku, b13}
    expected = {
        "fukushima": {b07, c07, a_tohoku},  # own prefecture (incl. its municipalities) and the block's A plan
        "koriyama": {c07},
        "tohoku": {b07, c07, a_tohoku},
        "kanto": {b13},
        "tokyo": {b13},
        "reviewer": ours,
        "admin": ours,
    }
    for user, want in expected.items():
        page = as_user(user).get("/plans").text
        assert listed_ids(page) & ours == want, user
    # the prefecture filter narrows the list
    assert listed_ids(as_user("reviewer").get("/plans?pref=13").text) & ours == {b13}
    assert listed_ids(as_user("reviewer").get("/plans?state=approved").text) & ours == set()


def test_prefecture_staff_create_a_b_plan(as_user, web_seeded):
    client = as_user("fukushima")
    form = client.get("/plans/new").text
    assert re.findall(
        r'<option value="(\w)"', form.split('name="plan_type"', 1)[1].split("</select>")[0]
    ) == [
        "B",
        "C",
    ]
    r = create(
        client, "B", "福島県 半導体クラスター計画", focus_fields=["1", "9"], local_resources=["観光"],
        local_resources_other="温泉、果樹", description="県内の部素材企業を核に…",
    )  # fmt: skip
    assert r.status_code == 303
    plan_id = int(r.headers["location"].rsplit("/", 1)[1])
    page = client.get(r.headers["location"]).text
    assert flashes(page)[0][1].startswith(
        f"計画「福島県 半導体クラスター計画」（ID {plan_id}）を作成しました。"
    )
    assert f"ID {plan_id}・B 地域産業クラスター計画・福島県" in page and state_of(page) == "作成中"
    assert requirement_codes(page) == [
        "B_EXPORT",
        "B_LOCALISE",
        "B_TARGETS",
        "B_TARGET_RULE",
        "B_WAGE_RULE",
        "B_SUPPORT",
    ]
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.plan_type, plan.owner_level, plan.prefecture_code, plan.created_by) == (
        "B", "prefecture", "07", "fukushima",
    )  # fmt: skip
    assert plan.focus_fields == [1, 9] and plan.local_resources == ["観光", "温泉", "果樹"]
    assert audit_trail(web_seeded, plan_id) == [("fukushima", "create")]


def test_municipal_staff_create_a_c_plan_of_their_municipality(as_user, web_seeded):
    client = as_user("koriyama")
    form = client.get("/plans/new").text
    assert re.findall(
        r'<option value="(\w)"', form.split('name="plan_type"', 1)[1].split("</select>")[0]
    ) == ["C"]
    plan_id = new_plan(client, "C", "郡山 地場産品の販路開拓", local_resources=["農林水産・食品"])
    page = client.get(f"/plans/{plan_id}").text
    assert "C 地場産業成長プラン・福島県郡山市" in page
    assert requirement_codes(page) == [
        "C_VALUE", "C_TARGETS", "C_TARGET_RULE", "C_WAGE_RULE", "C_DESK",
    ]  # fmt: skip
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.owner_level, plan.municipality_code, plan.prefecture_code) == ("municipality", "07203", "07")
    # municipal staff see no firm-level data: no score table to pick from, and picking is refused
    assert 'id="pick-table"' not in page
    r = client.post(
        f"/plans/{plan_id}/firms", data={"csrf_token": token_of(client), "company_id": ["C0000001"]}
    )
    assert r.status_code == 403 and "企業別データを閲覧する権限がない" in error_message(r.text)
    # a municipality may not draft a B plan
    r = create(client, "B", "郡山のB計画")
    assert r.status_code == 422 and "作成できる計画類型は C です。" in r.text


def test_bureau_creates_an_a_plan_of_its_block(as_user, web_seeded):
    client = as_user("tohoku")
    plan_id = new_plan(client, "A", "東北 半導体サプライチェーン計画", focus_fields=["1"])
    page = client.get(f"/plans/{plan_id}").text
    assert "A 戦略産業クラスター計画・東北ブロック" in page
    assert requirement_codes(page) == [
        "A_FIELD", "A_COORD", "A_INVEST", "A_WAGE",
    ]  # fmt: skip
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.owner_level, plan.block_code, plan.prefecture_code) == ("block", "tohoku", None)
    # an A plan without candidate projects is not submitted (issue #12 §1) ...
    refused = flashes(act(client, plan_id, "submit").text)[0]
    assert refused[0] == "error" and "候補プロジェクトが1件も提出されていません" in refused[1]
    # ... once a prefecture of the block proposes one, the A plan's owner may submit; only national
    # reviewers decide it, not the bureau itself
    pref = as_user("fukushima")
    r = pref.post(
        f"/plans/{plan_id}/candidates",
        data={"csrf_token": token_of(pref), "title": "浜通り 半導体後工程", "field_id": "1",
              "investment_amount": "3000000", "ministry_0": "経済産業省", "since_0": "2026-01-10",
              "wage_growth_rate": "6"},
    )  # fmt: skip
    assert flashes(r.text)[0][0] == "ok"
    assert flashes(act(client, plan_id, "submit").text)[0][0] == "ok"
    r = act(client, plan_id, "start_review")
    assert flashes(r.text)[0] == ("error", "A 計画の審査は国の審査担当だけが行えます（あなた: 経済産業局）。")
    assert stored_plan(web_seeded, plan_id).state == "submitted"


@pytest.mark.parametrize("user", ["reviewer", "admin"])
def test_users_who_draft_no_plans_cannot_create_one(as_user, web_seeded, user):
    client = as_user(user)
    r = client.get("/plans/new")
    assert r.status_code == 403 and "計画を作成できません" in error_message(r.text)
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        before = len(session.scalars(select(Plan.id)).all())
    r = create(client, "B", "作れないはずの計画")
    assert r.status_code == 403 and "計画を作成できません" in error_message(r.text)
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        assert len(session.scalars(select(Plan.id)).all()) == before


def test_invalid_period_is_refused_in_japanese_and_keeps_the_input(as_user, web_seeded):
    client = as_user("fukushima")
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        before = len(session.scalars(select(Plan.id)).all())
    r = create(
        client, "C", "期間が逆の計画", period_start="2031", period_end="2026", focus_fields=["8"],
        local_resources=["伝統産品"], description="長い説明文",
    )  # fmt: skip
    assert r.status_code == 422
    assert "計画期間が正しくありません（2031〜2026年度）" in r.text
    assert 'name="title" required maxlength="300" size="60" value="期間が逆の計画"' in r.text
    assert 'value="C" selected' in r.text
    assert 'name="focus_fields" value="8" checked' in r.text
    assert 'name="local_resources" value="伝統産品" checked' in r.text
    assert ">長い説明文</textarea>" in r.text
    r = create(client, "B", "年度が数字でない計画", period_start="令和8")
    assert r.status_code == 422 and "計画期間の開始年度「令和8」は整数ではありません" in r.text
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        assert len(session.scalars(select(Plan.id)).all()) == before


# --- edit -----------------------------------------------------------------------------------------


def test_owner_edits_the_overview_and_the_change_is_audited(as_user, web_seeded):
    client = as_user("fukushima")
    plan_id = new_plan(client, "B", "編集前の名称", focus_fields=["1"])
    page = client.get(f"/plans/{plan_id}").text
    data = {"csrf_token": CSRF.search(page).group(1), "version": form_version(page, f"/plans/{plan_id}/edit")}
    data |= overview("編集後の名称", focus_fields=["1", "3"], description="追記しました")
    r = client.post(f"/plans/{plan_id}/edit", data=data)
    assert flashes(r.text)[0] == ("ok", "計画の概要を保存しました。")
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.title, plan.focus_fields, plan.description, plan.version) == (
        "編集後の名称",
        [1, 3],
        "追記しました",
        2,
    )
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        [entry] = audit_entries(session, entity="plan", entity_id=plan_id)[1:]
        assert (entry.actor, entry.action) == ("fukushima", "update")
        assert (entry.before["title"], entry.after["title"]) == ("編集前の名称", "編集後の名称")


def test_stale_edit_is_refused_and_nothing_is_lost(as_user, web_seeded):
    first = as_user("fukushima")
    second = as_user("fukushima", fresh=True)  # the same plan open in another browser
    plan_id = new_plan(first, "B", "同時編集の計画")
    page_1, page_2 = first.get(f"/plans/{plan_id}").text, second.get(f"/plans/{plan_id}").text
    version = form_version(page_2, f"/plans/{plan_id}/edit")
    saved = first.post(
        f"/plans/{plan_id}/edit",
        data={"csrf_token": CSRF.search(page_1).group(1), "version": version}
        | overview("先に保存した名称", description="先に保存した説明"),
    )
    assert flashes(saved.text)[0][0] == "ok"
    r = second.post(
        f"/plans/{plan_id}/edit",
        data={"csrf_token": CSRF.search(page_2).group(1), "version": version}
        | overview("後から保存した名称", focus_fields=["4"], description="後から書いた長い説明"),
    )
    assert r.status_code == 409
    conflict = text_of(r.text.split('id="edit-conflict"', 1)[1].split("</p>", 1)[0])
    assert (
        "他の利用者によって更新されました（編集開始時の版 1、現在の版 2）。上書きはしていません。" in conflict
    )
    assert "あなたの入力は下のフォームに残しています" in conflict
    # the first save is kept …
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.title, plan.description, plan.version) == ("先に保存した名称", "先に保存した説明", 2)
    assert "<td>先に保存した名称</td>" in r.text.split('id="saved-overview"', 1)[1]
    # … and so is the second user's input, in a form that now carries the current version
    edit = r.text.split('id="edit-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="後から保存した名称"' in edit and ">後から書いた長い説明</textarea>" in edit
    assert 'name="focus_fields" value="4" checked' in edit
    assert 'name="version" value="2"' in edit
    assert audit_trail(web_seeded, plan_id) == [("fukushima", "create"), ("fukushima", "update")]
    # saving again after seeing the conflict is a deliberate overwrite
    again = second.post(
        f"/plans/{plan_id}/edit",
        data={"csrf_token": CSRF.search(r.text).group(1), "version": "2"} | overview("後から保存した名称"),
    )
    assert (
        flashes(again.text)[0][0] == "ok" and stored_plan(web_seeded, plan_id).title == "後から保存した名称"
    )


def test_plan_forms_require_a_csrf_token(as_user, web_seeded):
    client = as_user("fukushima")
    plan_id = new_plan(client, "B", "CSRF を確かめる計画")
    r = client.post(f"/plans/{plan_id}/edit", data={"version": "1"} | overview("書き換え"))
    assert r.status_code == 403 and "CSRF" in error_message(r.text)
    r = client.post(f"/plans/{plan_id}/transition", data={"version": "1", "action": "submit"})
    assert r.status_code == 403
    plan = stored_plan(web_seeded, plan_id)
    assert (plan.title, plan.state, plan.version) == ("CSRF を確かめる計画", "draft", 1)


# --- priority firms and KPIs ----------------------------------------------------------------------


def test_priority_firms_are_picked_from_the_score_table_of_the_prefecture(as_user, web_seeded, dataset):
    client = as_user("fukushima")
    plan_id = new_plan(client, "B", "重点支援企業を選ぶ計画")
    page = client.get(f"/plans/{plan_id}").text
    pick_rows = table_rows(page, "pick-table")
    ids = re.findall(r'name="company_id" value="([^"]+)"', page.split('id="pick-table"', 1)[1])
    year = max(dataset.years)
    prefs = dict(
        dataset.companies.filter(pl.col("fiscal_year") == year)
        .select("company_id", "prefecture_code")
        .iter_rows()
    )
    assert ids and {prefs[i] for i in ids} == {"07"}
    scores = [float(row[3]) for row in pick_rows]
    assert scores == sorted(scores, reverse=True)
    picked = pick(client, plan_id, 3)
    page = client.get(f"/plans/{plan_id}").text
    rows = table_rows(page, "priority-firms")
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [row[5] for row in rows] == ["fukushima"] * 3
    assert (
        re.findall(
            r'<a href="/firms/([^"?]+)\?dataset=\d+">',
            page.split('id="priority-firms"', 1)[1].split("</table>")[0],
        )
        == picked
    )
    assert audit_trail(web_seeded, plan_id)[-1] == ("fukushima", "set_priority_firms")
    # a firm of another prefecture cannot be slipped in
    other = next(i for i, p in prefs.items() if p == "13")
    r = client.post(
        f"/plans/{plan_id}/firms", data={"csrf_token": token_of(client), "company_id": [picked[0], other]}
    )
    assert flashes(r.text)[0] == (
        "error", "選んだ企業の一部がこの計画の都道府県の最新年度のデータにありません。",
    )  # fmt: skip
    assert [f.company_id for f in stored_plan_firms(web_seeded, plan_id)] == picked


def stored_plan_firms(web_seeded, plan_id: int):  # noqa: ANN001, ANN201
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        firms = sorted(session.get(Plan, plan_id).priority_firms, key=lambda f: f.rank)
        session.expunge_all()
        return firms


def test_kpis_from_data_take_the_priority_firms_figures(as_user, web_seeded, dataset):
    client = as_user("fukushima")
    plan_id = new_plan(client, "B", "KPI を設定する計画", period_start="2026", period_end="2028")
    page = client.get(f"/plans/{plan_id}").text
    assert 'id="kpis-from-data"' not in page  # only once firms are picked
    picked = pick(client, plan_id, 2)
    r = client.post(f"/plans/{plan_id}/kpis/from-data", data={"csrf_token": token_of(client)})
    year = max(dataset.years)
    assert flashes(r.text)[0] == (
        "ok",
        f"重点支援企業の{year}年度データから KPI 5 件の基準値と目標を設定しました。",
    )
    firms = dataset.companies.filter((pl.col("fiscal_year") == year) & pl.col("company_id").is_in(picked))
    sales = int(firms["sales"].sum())
    kpi = r.text.split('id="kpi-sales"', 1)[1].split('<div class="kpi"', 1)[0]
    assert "<h3>売上額（千円）</h3>" in kpi and "<svg" in kpi
    rows = body_rows_of(kpi)
    assert rows[0][:2] == [f"基準 {year}", f"{sales:,} 千円"]
    # yearly targets over the plan period: +10 % of sales by the end (SPEC §6.3 default rule)
    assert [row[0] for row in rows[1:]] == ["2026", "2027", "2028"]
    # whole 千円, rounded up so that the target still meets the rule (issue #12 §8)
    assert rows[-1][1] == f"{math.ceil(sales * 1.1 - 1e-9):,}" and rows[-1][3] == "未報告"
    assert re.findall(r'<div class="kpi" id="kpi-(\w+)">', r.text) == [
        "regional_transactions", "sales", "employees", "payroll", "value_added",
    ]  # fmt: skip
    # the automatic requirement checks now see the targets
    statuses = [row[2] for row in table_rows(r.text, "requirements-table")]
    assert dict(zip(requirement_codes(r.text), statuses, strict=True))["B_TARGETS"] == "充足"
    trail = audit_trail(web_seeded, plan_id)
    assert trail.count(("fukushima", "create")) == 6  # the plan and its five KPIs
    assert ("fukushima", "auto_check") in trail


def body_rows_of(fragment: str) -> list[list[str]]:
    body = fragment.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# --- workflow -------------------------------------------------------------------------------------


def test_plan_goes_through_review_to_approval_and_reports_actuals(as_user, web_seeded):
    owner, reviewer = as_user("fukushima"), as_user("reviewer")
    plan_id = new_plan(owner, "B", "審査を通る計画", period_start="2026", period_end="2028")
    pick(owner, plan_id, 2)
    owner.post(f"/plans/{plan_id}/kpis/from-data", data={"csrf_token": token_of(owner)})
    page = owner.get(f"/plans/{plan_id}").text
    evidence = {"csrf_token": CSRF.search(page).group(1), "evidence": "輸出比率 40%（2024年度決算）"}
    evidence["version"] = form_version(page, f"/plans/{plan_id}/requirements/B_EXPORT")
    assert flashes(owner.post(f"/plans/{plan_id}/requirements/B_EXPORT", data=evidence).text)[0][0] == "ok"
    complete_for_submit(owner, plan_id)
    # the reviewer cannot act on a draft
    assert re.findall(r'id="action-(\w+)"', reviewer.get(f"/plans/{plan_id}").text) == []
    r = act(owner, plan_id, "submit", "提出します")
    assert (
        flashes(r.text)[0] == ("ok", "「提出」を行いました（状態: 提出済）。")
        and state_of(r.text) == "提出済"
    )
    assert 'id="edit-form"' not in r.text  # a submitted plan is not editable
    page = reviewer.get(f"/plans/{plan_id}").text
    assert re.findall(r'id="action-(\w+)"', page) == ["start_review"]
    r = act(reviewer, plan_id, "start_review")
    assert state_of(r.text) == "審査中" and 'id="screening-form"' in r.text
    # the reviewer judges a manual requirement and scores every requirement (SPEC §6.4)
    status = {
        "csrf_token": CSRF.search(r.text).group(1),
        "status": "met",
        "reviewer_comment": "輸出実績を確認",
    }
    status["version"] = form_version(r.text, f"/plans/{plan_id}/requirements/B_EXPORT")
    r = reviewer.post(f"/plans/{plan_id}/requirements/B_EXPORT", data=status)
    assert flashes(r.text)[0] == (
        "ok", "要件「実現する製品・サービスが海外輸出で外貨を稼げる又は国内で上位シェアを目指すものか」を保存しました。"
    )  # fmt: skip
    scores = {
        "B_EXPORT": "2",
        "B_LOCALISE": "na",
        "B_TARGETS": "2",
        "B_TARGET_RULE": "2",
        "B_WAGE_RULE": "1",
        "B_SUPPORT": "2",
    }
    data = {"csrf_token": CSRF.search(r.text).group(1), "comment": "概ね妥当"} | {
        f"score_{k}": v for k, v in scores.items()
    }
    r = reviewer.post(f"/plans/{plan_id}/screening", data=data)
    assert flashes(r.text)[0] == ("ok", "審査結果を記録しました: 合計 9 / 10 点、判定の目安は「承認」。")
    [screening] = table_rows(r.text, "screenings")
    assert screening[1:4] == ["reviewer", "9 / 10", "承認"] and screening[5] == "概ね妥当"
    r = act(reviewer, plan_id, "approve", "承認します")
    assert state_of(r.text) == "承認"
    history = table_rows(r.text, "history")
    assert [(row[1], row[2], row[3], row[4]) for row in history] == [
        ("作成", "作成中", "fukushima", ""),
        ("提出", "提出済", "fukushima", "提出します"),
        ("審査開始", "審査中", "reviewer", ""),
        ("承認", "承認", "reviewer", "承認します"),
    ]
    # once approved the owner reports yearly actuals
    page = owner.get(f"/plans/{plan_id}").text
    kpi = page.split('id="kpi-employees"', 1)[1].split('<div class="kpi"', 1)[0]
    target_2026 = next(row[1] for row in body_rows_of(kpi) if row[0] == "2026")
    actual = {
        "csrf_token": CSRF.search(page).group(1),
        "fiscal_year": "2026",
        "value": "1,000,000",
        "note": "速報値",
    }
    r = owner.post(f"/plans/{plan_id}/kpis/employees/actual", data=actual)
    assert flashes(r.text)[0][0] == "ok"
    kpi = r.text.split('id="kpi-employees"', 1)[1].split('<div class="kpi"', 1)[0]
    row_2026 = next(row for row in body_rows_of(kpi) if row[0] == "2026")
    assert row_2026 == ["2026", target_2026, "1,000,000", "達成"]
    assert kpi.count("<polyline") == 2  # targets (dashed) and actuals drawn
    r = act(owner, plan_id, "start_monitoring")
    assert (
        state_of(r.text) == "フォローアップ中" and table_rows(r.text, "history")[-1][2] == "フォローアップ中"
    )
    # every write of the story is in the audit trail, in order
    trail = audit_trail(web_seeded, plan_id)
    expected_steps = [
        ("fukushima", "create"), ("fukushima", "set_priority_firms"), ("fukushima", "update"),
        ("fukushima", "transition:submit"), ("reviewer", "transition:start_review"), ("reviewer", "update"),
        ("reviewer", "create"), ("reviewer", "transition:approve"), ("fukushima", "record_actual"),
        ("fukushima", "transition:start_monitoring"),
    ]  # fmt: skip
    remaining = iter(trail)
    assert all(step in remaining for step in expected_steps), trail


def test_bureau_returns_a_plan_of_its_block_and_the_owner_revises_it(as_user, web_seeded):
    owner, bureau = as_user("fukushima"), as_user("tohoku")
    plan_id = new_plan(owner, "B", "差し戻される計画")
    complete_for_submit(owner, plan_id)
    act(owner, plan_id, "submit")
    assert state_of(act(bureau, plan_id, "start_review").text) == "審査中"
    page = bureau.get(f"/plans/{plan_id}").text
    data = {"csrf_token": CSRF.search(page).group(1), "comment": "目標が未設定"}
    data |= {f"score_{code}": "0" for code in set(re.findall(r'name="score_(\w+)"', page))}
    r = bureau.post(f"/plans/{plan_id}/screening", data=data)
    assert flashes(r.text)[0][1].startswith(
        "審査結果を記録しました: 合計 0 / 12 点、判定の目安は「差戻し」。"
    )
    r = act(bureau, plan_id, "return", "KPI を設定してください")
    assert state_of(r.text) == "差戻し"
    assert table_rows(r.text, "history")[-1][1:5] == ["差戻し", "差戻し", "tohoku", "KPI を設定してください"]
    # another block's bureau cannot even see it
    assert as_user("kanto").get(f"/plans/{plan_id}").status_code == 403
    # the owner edits the returned plan and submits again
    page = owner.get(f"/plans/{plan_id}").text
    assert 'id="edit-form"' in page
    data = {"csrf_token": CSRF.search(page).group(1), "version": form_version(page, f"/plans/{plan_id}/edit")}
    assert (
        flashes(owner.post(f"/plans/{plan_id}/edit", data=data | overview("差し戻し後に修正")).text)[0][0]
        == "ok"
    )
    assert state_of(act(owner, plan_id, "submit").text) == "提出済"
    assert [a for _, a in audit_trail(web_seeded, plan_id)].count("transition:submit") == 2


def test_owner_cannot_review_their_own_plan(as_user, web_seeded):
    owner = as_user("fukushima")
    plan_id = new_plan(owner, "B", "自分では審査できない計画")
    complete_for_submit(owner, plan_id)
    act(owner, plan_id, "submit")
    r = act(owner, plan_id, "start_review")
    assert flashes(r.text)[0] == (
        "error",
        "この計画の審査は国の審査担当、または東北ブロックの経済産業局だけが行えます（あなた: 都道府県職員）。",
    )
    assert stored_plan(web_seeded, plan_id).state == "submitted"
    r = owner.post(f"/plans/{plan_id}/screening", data={"csrf_token": token_of(owner)})
    assert flashes(r.text)[0][0] == "error" and "審査" in flashes(r.text)[0][1]


# --- scope ----------------------------------------------------------------------------------------


def tokyo_writes(web_seeded) -> int:  # noqa: ANN001
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        return len(session.scalars(select(AuditLog.id).where(AuditLog.actor == "tokyo")).all())


def test_user_of_another_prefecture_can_neither_see_nor_act_on_the_plan(as_user, web_seeded):
    owner, other = as_user("fukushima"), as_user("tokyo")
    plan_id = new_plan(owner, "B", "他県からは見えない計画")
    pick(owner, plan_id, 1)
    owner.post(f"/plans/{plan_id}/kpis/from-data", data={"csrf_token": token_of(owner)})
    denied = "この計画（B 地域産業クラスター計画）を閲覧する権限がありません。"
    for path in (f"/plans/{plan_id}", f"/plans/{plan_id}/export.xlsx"):
        r = other.get(path)
        assert r.status_code == 403 and error_message(r.text) == denied, path
    token = token_of(other)
    before = tokyo_writes(web_seeded)
    writes = {
        "edit": {"version": "1"} | overview("乗っ取り"),
        "transition": {"version": "1", "action": "submit"},
        "firms": {"company_id": ["C0000001"]},
        "kpis/from-data": {},
        "kpis/sales/actual": {"fiscal_year": "2026", "value": "1"},
        "requirements/B_EXPORT": {"version": "1", "evidence": "x"},
        "requirements/refresh": {},
        "screening": {},
    }
    for path, data in writes.items():
        r = other.post(f"/plans/{plan_id}/{path}", data={"csrf_token": token} | data)
        assert r.status_code == 403 and error_message(r.text) == denied, path
    assert (stored_plan(web_seeded, plan_id).title, stored_plan(web_seeded, plan_id).state) == (
        "他県からは見えない計画", "draft",
    )  # fmt: skip
    assert all(actor == "fukushima" for actor, _ in audit_trail(web_seeded, plan_id))
    assert tokyo_writes(web_seeded) == before
    r = other.get("/plans/999999")
    assert r.status_code == 404 and "計画 ID 999999 は見つかりません" in error_message(r.text)


# --- export ---------------------------------------------------------------------------------------


def test_excel_export_holds_the_plans_sheets(as_user):
    owner = as_user("fukushima")
    plan_id = new_plan(owner, "B", "Excel に出力する計画", focus_fields=["9"])
    picked = pick(owner, plan_id, 2)
    owner.post(f"/plans/{plan_id}/kpis/from-data", data={"csrf_token": token_of(owner)})
    assert f'href="/plans/{plan_id}/export.xlsx"' in owner.get(f"/plans/{plan_id}").text
    r = as_user("reviewer").get(f"/plans/{plan_id}/export.xlsx")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="plan_{plan_id}.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["概要", "要件", "KPI", "重点支援企業", "経済波及効果", "支援策"]
    summary = {row[0]: row[1] for row in wb["概要"].iter_rows(min_row=5, values_only=True) if row[0]}
    assert summary["計画ID"] == plan_id and summary["計画名"] == "Excel に出力する計画"
    assert summary["策定主体"] == "福島県（都道府県）" and summary["状態"] == "作成中"
    assert summary["重点分野（17の戦略分野）"].startswith("9 ")
    firms = [row[1] for row in wb["重点支援企業"].iter_rows(min_row=5, values_only=True) if row[1]]
    assert firms == picked
    kpis = [row[0] for row in wb["KPI"].iter_rows(min_row=5, max_row=9, values_only=True)]
    assert kpis == ["域内取引額", "売上額", "雇用者数", "給与総額", "付加価値額"]
    requirements = [row[1] for row in wb["要件"].iter_rows(min_row=5, values_only=True) if row[1]]
    assert len(requirements) == 6


def test_a_plan_export_has_the_candidate_projects_sheet(as_user):
    plan_id = new_plan(as_user("tohoku"), "A", "A 計画の出力")
    wb = openpyxl.load_workbook(io.BytesIO(as_user("tohoku").get(f"/plans/{plan_id}/export.xlsx").content))
    assert "候補プロジェクト" in wb.sheetnames and wb["概要"]["A1"].value == "A 計画の出力 — 計画の概要"
