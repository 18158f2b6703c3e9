"""計画の記録・提出用 PDF・お知らせ・利用者管理 pages (issue #12 §4, §5, §6): an A plan's candidate
projects screened one by one by the bureau and its 有識者検討会; a C plan's 相談窓口 with yearly counts
as a KPI; the PDF with the plan's title in Japanese text and a marker firm's figures only for a
reader entitled to them; notices of submission and return (with the reason) behind the bell; an
administrator creating, disabling (the user's session ends at once), resetting and re-scoping users;
times in JST; the print stylesheet."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from test_web_plans_pages import act, as_user, flashes, new_plan, pick, table_rows  # noqa: F401
from web_helpers import CSRF, complete_for_submit, logged_in

from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.models import Plan


def token(client, path: str = "/plans") -> str:  # noqa: ANN001
    return CSRF.search(client.get(path).text).group(1)


def post(client, path: str, data: dict, *, page: str = "/plans"):  # noqa: ANN001, ANN201
    return client.post(path, data={"csrf_token": token(client, page), **data})


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    fonts = set()
    for p in reader.pages:
        for f in (p.get("/Resources", {}).get("/Font", {}) or {}).values():
            obj = f.get_object()
            fonts.add(str(obj.get("/BaseFont")))
    return text, fonts


def test_a_plan_candidates_screened_one_by_one_with_meetings(as_user):  # noqa: F811
    bureau, pref = as_user("tohoku"), as_user("fukushima")
    plan_id = new_plan(
        bureau, "A", "記録: 東北 戦略産業クラスター計画", period_end="2035", focus_fields=["1"]
    )
    page = bureau.get(f"/plans/{plan_id}").text
    assert 'id="firms"' not in page and "重点支援企業" not in page  # an A plan has none
    r = post(pref, f"/plans/{plan_id}/candidates", {
        "title": "次世代半導体拠点", "field_id": "1", "investment_amount": "3,000,000",
        "ministry_0": "経済産業省", "since_0": "2026-01-15", "wage_growth_rate": "6",
    }, page=f"/plans/{plan_id}")  # fmt: skip
    assert flashes(r.text)[0][0] == "ok", r.text
    page = bureau.get(f"/plans/{plan_id}").text
    # the checklist followed the new candidate at once (no refresh pressed)
    req = {row[0]: row[2] for row in table_rows(page, "requirements-table")}
    assert any(v == "充足" for v in req.values()), req
    project_id = re.search(r'id="candidate-(\d+)"', page).group(1)
    # adopting against the score's recommendation without a reason is refused
    bad = {f"score_{c}": "0" for c in ("A_FIELD", "A_COORD", "A_INVEST", "A_WAGE")}
    r = post(bureau, f"/plans/{plan_id}/candidates/{project_id}/screening", {**bad, "decision": "adopt"},
             page=f"/plans/{plan_id}")  # fmt: skip
    assert flashes(r.text)[0][0] == "error" and "理由" in flashes(r.text)[0][1]
    good = {f"score_{c}": "2" for c in ("A_FIELD", "A_COORD", "A_INVEST", "A_WAGE")}
    r = post(bureau, f"/plans/{plan_id}/candidates/{project_id}/screening",
             {**good, "decision": "adopt", "comment": "素案に盛り込む"}, page=f"/plans/{plan_id}")  # fmt: skip
    assert "8 / 8 点" in flashes(r.text)[0][1] and "素案に採択" in r.text
    r = post(bureau, f"/plans/{plan_id}/meetings", {
        "held_on": "2026-07-01", "title": "第1回 東北地域戦略産業検討会", "members": "東北大学 教授\n経済団体 代表",
        "opinions": "裾野産業を広げる", "decisions": "候補1件を素案に採択",
    }, page=f"/plans/{plan_id}")  # fmt: skip
    rows = table_rows(r.text, "meetings-table")
    assert rows[0][:3] == ["2026-07-01", "第1回 東北地域戦略産業検討会", "東北大学 教授、経済団体 代表"]
    # the prefecture sees the records but keeps none
    assert 'id="meeting-form"' not in pref.get(f"/plans/{plan_id}").text
    r = post(
        pref, f"/plans/{plan_id}/meetings", {"held_on": "2026-07-01", "title": "x"}, page=f"/plans/{plan_id}"
    )
    assert flashes(r.text)[0][0] == "error"


def test_c_plan_desk_log_and_yearly_counts_as_kpi(as_user):  # noqa: F811
    town = as_user("koriyama")
    plan_id = new_plan(town, "C", "記録: 郡山 地場産業成長プラン", period_start="2025", period_end="2027")
    r = post(town, f"/plans/{plan_id}/desks", {"name": "郡山市 地場産業相談窓口", "department": "産業政策課",
             "contact": "024-000-0000", "opened_on": "2025-04-01"}, page=f"/plans/{plan_id}")  # fmt: skip
    desk_id = re.search(r'name="desk_id"><option value="(\d+)"', r.text).group(1)
    for day in ("2025-05-10", "2026-03-31", "2026-04-01"):
        r = post(town, f"/plans/{plan_id}/consultations",
                 {"desk_id": desk_id, "held_on": day, "topic": "販路開拓", "client": "A酒造"}, page=f"/plans/{plan_id}")  # fmt: skip
        assert flashes(r.text)[0][0] == "ok", r.text
    assert table_rows(r.text, "consultation-counts") == [["2025年度", "2 件"], ["2026年度", "1 件"]]
    r = post(town, f"/plans/{plan_id}/consultations", {"desk_id": desk_id, "held_on": "2999-01-01", "topic": "x"},
             page=f"/plans/{plan_id}")  # fmt: skip
    assert flashes(r.text)[0][0] == "error" and "未来" in flashes(r.text)[0][1]
    r = post(town, f"/plans/{plan_id}/consultations/kpi",
             {"baseline_year": "2024", "baseline": "10", "target_2025": "12", "target_2026": "14", "target_2027": "16"},
             page=f"/plans/{plan_id}")  # fmt: skip
    assert 'id="kpi-consultations"' in r.text and "相談窓口の相談件数" in r.text


def test_pdf_has_title_japanese_font_and_respects_scope(as_user, web_seeded):  # noqa: F811
    planner = as_user("fukushima")
    plan_id = new_plan(planner, "B", "PDF試験 ふくしま次世代産業計画", focus_fields=["1"])
    pick(planner, plan_id, 3)
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        firm = s.get(Plan, plan_id).priority_firms[0]
        marker_sales = f"{int(firm.snapshot['sales']):,}"
    r = planner.get(f"/plans/{plan_id}/document.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert 'filename="plan_' in r.headers["content-disposition"]
    text, fonts = pdf_text(r.content)
    assert "PDF試験 ふくしま次世代産業計画" in text
    assert all(w in text for w in ("概要", "要件と根拠", "KPI", "重点支援企業", "波及効果", "審査結果"))
    assert any(re.fullmatch(r"/[A-Z]{6}\+IPA\w*Gothic", f) for f in fonts), fonts  # embedded (subset)
    assert marker_sales in text  # entitled: the firm's figures are there
    # an administrator may read the plan but is entitled to no firm data
    admin_text, _ = pdf_text(as_user("admin").get(f"/plans/{plan_id}/document.pdf").content)
    assert "PDF試験 ふくしま次世代産業計画" in admin_text and marker_sales not in admin_text
    assert "非表示" in admin_text
    # one who may not see the plan gets no PDF
    assert as_user("tokyo").get(f"/plans/{plan_id}/document.pdf").status_code == 403


def test_submit_tells_reviewers_and_return_tells_authors_why(as_user):  # noqa: F811
    planner, reviewer = as_user("fukushima"), as_user("reviewer")
    before = int((re.search(r'id="notice-count">(\d+)<', reviewer.get("/").text) or [0, 0])[1])
    plan_id = new_plan(planner, "B", "通知試験 計画")
    complete_for_submit(planner, plan_id)
    act(planner, plan_id, "submit")
    page = reviewer.get("/").text
    assert int(re.search(r'id="notice-count">(\d+)<', page).group(1)) == before + 1
    notes = reviewer.get("/notifications").text
    assert "計画「通知試験 計画」が提出されました" in notes and "JST" in notes
    act(reviewer, plan_id, "start_review")
    act(reviewer, plan_id, "return", comment="KPI の根拠資料を添付してください")
    notes = planner.get("/notifications").text
    assert "計画「通知試験 計画」が差し戻されました" in notes and "KPI の根拠資料を添付してください" in notes
    n_id = re.search(r'name="id" value="(\d+)"', notes).group(1)
    r = planner.post("/notifications/read", data={"csrf_token": CSRF.search(notes).group(1), "id": n_id,
                     "next": f"/plans/{plan_id}"})  # fmt: skip
    assert r.url.path == f"/plans/{plan_id}"
    assert f'name="id" value="{n_id}"' not in planner.get("/notifications").text
    page = planner.get(f"/plans/{plan_id}").text
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d JST</td>", page)  # the history in JST


def test_admin_manages_users(as_user, web_seeded):  # noqa: F811
    admin = as_user("admin")
    assert as_user("fukushima").get("/admin/users").status_code == 403
    r = post(admin, "/admin/users", {"username": "aizu-staff", "password": "short", "role": "prefecture",
             "prefecture_code": "07"}, page="/admin/users")  # fmt: skip
    assert r.status_code == 422 and "12文字以上" in r.text
    r = post(admin, "/admin/users", {"username": "aizu-staff", "password": "aizu-password-123",
             "role": "prefecture", "prefecture_code": "07", "display_name": "会津 太郎"}, page="/admin/users")  # fmt: skip
    assert flashes(r.text)[0] == ("ok", "利用者「aizu-staff」を作成しました。")
    staff = logged_in(web_seeded.app, "aizu-staff", "aizu-password-123")
    assert staff.get("/plans").status_code == 200
    page = admin.get("/admin/users").text
    row = page.split('id="user-aizu-staff"', 1)[1].split("</tr>", 1)[0]
    uid = re.search(r"/admin/users/(\d+)/active", row).group(1)
    version = re.search(r'name="version" value="(\d+)"', row).group(1)
    r = post(admin, f"/admin/users/{uid}/role", {"version": version, "role": "bureau", "block_code": "tohoku",
             "display_name": "会津 太郎"}, page="/admin/users")  # fmt: skip
    assert "東北ブロック" in r.text.split('id="user-aizu-staff"', 1)[1].split("</tr>", 1)[0]
    version = re.search(r'name="version" value="(\d+)"', r.text.split('id="user-aizu-staff"', 1)[1]).group(1)
    r = post(admin, f"/admin/users/{uid}/password", {"version": version}, page="/admin/users")
    new_password = re.search(r'id="new-password".*?<code>([^<]+)</code>', r.text, re.S).group(1)
    assert staff.get("/plans", follow_redirects=False).status_code == 303  # the old session ended
    staff = logged_in(web_seeded.app, "aizu-staff", new_password)
    version = re.search(
        r'name="version" value="(\d+)"', admin.get("/admin/users").text.split('id="user-aizu-staff"', 1)[1]
    ).group(1)
    r = post(admin, f"/admin/users/{uid}/active", {"version": version, "active": "0"}, page="/admin/users")
    assert "利用停止" in flashes(r.text)[0][1]
    assert staff.get("/plans", follow_redirects=False).status_code == 303  # disabled: logged out at once
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        actions = [e.action for e in audit_entries(s, entity="user", entity_id=uid)]
    assert actions == ["create", "update", "change_password", "update"]


def test_print_stylesheet_hides_menus_and_forms(web_seeded):
    from fastapi.testclient import TestClient

    css = TestClient(web_seeded.app).get("/static/app.css").text
    block = css.split("@media print", 1)[1]
    hidden = next(rule for rule in block.split("}") if "display:none" in rule).split("{")[0]
    selectors = {s.strip() for s in hidden.split(",")}
    assert {"header.top", "nav", "form", "details", "button", ".button", ".no-print"} <= selectors


@pytest.mark.parametrize("user", ["fukushima", "reviewer"])
def test_pdf_link_on_the_plan_page(as_user, user):  # noqa: F811
    plan_id = new_plan(as_user("fukushima"), "B", f"PDF リンク {user}")
    assert f'href="/plans/{plan_id}/document.pdf"' in as_user(user).get(f"/plans/{plan_id}").text


def test_cli_exports_the_pdf_as_a_user(as_user, web_seeded, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from chiiki.cli.main import app as cli

    planner = as_user("fukushima")
    plan_id = new_plan(planner, "B", "CLI PDF 計画", focus_fields=["1"])
    pick(planner, plan_id, 3)
    with session_scope(web_seeded.app.state.chiiki.engine) as s:
        marker = f"{int(s.get(Plan, plan_id).priority_firms[0].snapshot['sales']):,}"
    runner = CliRunner(env={"CHIIKI_DATA_DIR": str(web_seeded.data_dir)})
    texts = {}
    for who in ("fukushima", None):
        out = tmp_path / f"{who}.pdf"
        res = runner.invoke(
            cli,
            ["plans", "export", str(plan_id), "--pdf", "--out", str(out), *(["--as", who] if who else [])],
        )
        assert res.exit_code == 0, res.output
        texts[who] = pdf_text(out.read_bytes())[0]
    assert "CLI PDF 計画" in texts[None] and marker in texts["fukushima"] and marker not in texts[None]


def test_pdf_without_a_font_says_what_to_install(monkeypatch):
    from chiiki.plans.pdf import FontMissingError, find_japanese_font

    monkeypatch.delenv("CHIIKI_PDF_FONT", raising=False)
    with pytest.raises(FontMissingError, match="fonts-ipafont-gothic"):
        find_japanese_font(["/nonexistent/font.ttf"])


def test_pdf_lays_out_very_long_texts():
    from chiiki.plans.pdf import plan_pdf_bytes

    long = "長い説明文。" * 3000
    doc = {
        "plan": {
            "id": 1, "plan_type": "B", "type_label": "B 地域産業クラスター計画", "title": "長文の計画",
            "owner": "福島県", "owner_level_label": "都道府県", "period_start": 2026, "period_end": 2027,
            "focus_fields": [], "focus_field_names": [], "local_resources": [], "description": long,
            "state_label": "作成中", "is_demo": False,
        },
        "requirements": [{"label": "要件", "is_auto": False, "status_label": "未確認", "evidence": long,
                          "auto_explanation": "", "reviewer_comment": long}],
        "kpis": [], "priority_firms": [], "ripple_scenarios": [], "screenings": [],
        "state_history": [{"at": "2026-12-03T00:00:00+00:00", "action": "submit", "to_state": "submitted",
                           "actor": "x", "comment": long}],
    }  # fmt: skip
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(plan_pdf_bytes(doc))).pages)
    assert "長文の計画" in text and "以下略" in text and "2026-12-03 09:00 JST" in text


def test_excel_export_carries_the_c_records(as_user):  # noqa: F811
    import openpyxl

    town = as_user("koriyama")
    plan_id = new_plan(town, "C", "Excel 記録 郡山", period_start="2025", period_end="2027")
    r = post(town, f"/plans/{plan_id}/desks", {"name": "郡山 相談窓口"}, page=f"/plans/{plan_id}")
    desk_id = re.search(r'name="desk_id"><option value="(\d+)"', r.text).group(1)
    post(town, f"/plans/{plan_id}/consultations", {"desk_id": desk_id, "held_on": "2025-05-10", "topic": "販路"},
         page=f"/plans/{plan_id}")  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(town.get(f"/plans/{plan_id}/export.xlsx").content))
    assert book.sheetnames[-1] == "相談窓口"
    cells = [c.value for row in book["相談窓口"].iter_rows() for c in row if c.value is not None]
    assert "郡山 相談窓口" in cells and "販路" in cells and 2025 in cells
