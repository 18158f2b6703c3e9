"""Export of a plan to Excel (checked cell by cell with openpyxl) and JSON, and re-import of the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from plan_helpers import complete_plan
from sqlalchemy.orm import Session
from test_store_plans import FUKUSHIMA, MIYAGI, REVIEWER, new_b, scores_frame

from chiiki.plans.export import read_plan_json, write_plan_json, write_plan_xlsx
from chiiki.plans.workflow import ActorRef
from chiiki.store import InvalidInputError, PermissionDeniedError
from chiiki.store.documents import import_plan_document, plan_document, strip_volatile
from chiiki.store.parts import save_ripple_scenario, set_kpi, set_priority_firms, sync_support_measures
from chiiki.store.plans import refresh_requirements, transition_plan

ADMIN = ActorRef("admin", "admin")


@pytest.fixture
def plan_id(session: Session) -> int:
    sync_support_measures(session, actor="system")
    plan = new_b(session, description="説明文", is_demo=True)
    set_priority_firms(session, plan.id, scores_frame(), actor=FUKUSHIMA, score_run="2024年度")
    set_kpi(
        session,
        plan.id,
        actor=FUKUSHIMA,
        code="sales",
        baseline=5000.0,
        baseline_year=2025,
        targets={2026: 5100.0, 2030: 5500.0},
        baseline_source="対象企業の売上高の合計",
        target_rule="+10%",
    )
    save_ripple_scenario(
        session,
        plan.id,
        actor=FUKUSHIMA,
        name="投資100億円",
        inputs={"c": 0.7243},
        results=[
            {"scenario": "s", "stage": st, "measure": "生産誘発額", "sector": sec, "value": v}
            for st, sec, v in [
                ("直接効果", "製造業", 60.0),
                ("直接効果", "商業", 40.0),
                ("総合効果", "製造業", 90.0),
                ("総合効果", "商業", 63.5),
            ]
        ],
    )
    complete_plan(session, plan.id, FUKUSHIMA)
    refresh_requirements(session, plan.id, actor=FUKUSHIMA)
    transition_plan(session, plan.id, "submit", actor=FUKUSHIMA, comment="提出")
    session.commit()
    return plan.id


def test_excel_export_cell_by_cell(session: Session, plan_id: int, tmp_path: Path) -> None:
    path = write_plan_xlsx(plan_document(session, plan_id), tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["概要", "要件", "KPI", "重点支援企業", "経済波及効果", "支援策"]
    ov = wb["概要"]
    assert ov["A1"].value == "ふくしま計画 — 計画の概要"
    assert ov["A2"].value.startswith("※デモデータ")
    assert (ov["A4"].value, ov["B4"].value) == ("項目", "内容")
    assert (ov["A5"].value, ov["B5"].value) == ("計画ID", plan_id)
    assert (ov["A6"].value, ov["B6"].value) == ("計画類型", "B 地域産業クラスター計画")
    assert (ov["A8"].value, ov["B8"].value) == ("策定主体", "福島県（都道府県）")
    assert (ov["A9"].value, ov["B9"].value) == ("計画期間", "2026〜2030年度")
    assert ov["B10"].value == "1 AI・半導体、9 資源・エネルギー安全保障・GX"
    assert (ov["A12"].value, ov["B12"].value) == ("状態", "提出済")
    req = wb["要件"]
    assert [c.value for c in req[4]] == [
        "番号",
        "要件",
        "判定方法",
        "状態",
        "根拠",
        "自動判定の説明",
        "審査コメント",
    ]
    assert [req["A5"].value, req["C5"].value, req["D5"].value] == [1, "審査", "未確認"]
    assert (
        req["B7"].value.startswith("域内取引額、売上額")
        and req["C7"].value == "自動"
        and req["D7"].value == "充足"  # the submitted plan has all four KPIs (submit guard)
    )
    kpi = wb["KPI"]
    assert [c.value for c in kpi[4]][:9] == [
        "KPI",
        "単位",
        "基準年度",
        "基準値",
        "2026年度 目標",
        "2027年度 目標",
        "2028年度 目標",
        "2029年度 目標",
        "2030年度 目標",
    ]
    assert [c.value for c in kpi[5]][:9] == ["売上額", "千円", 2025, 5000, 5100, 5500, 5500, 5500, 5500]
    assert kpi["D5"].number_format == "#,##0"
    assert (
        kpi["J5"].value == "'+10%"
    )  # neutralised: no spreadsheet evaluates it and kpi["K5"].value == "対象企業の売上高の合計"
    assert kpi["A10"].value == "実績と達成状況"  # after the four KPIs of the submitted plan
    assert [c.value for c in kpi[12]][:5] == ["売上額", 2026, 5100, None, "未報告"]
    firms = wb["重点支援企業"]
    assert [c.value for c in firms[4]] == [
        "順位",
        "企業ID",
        "企業名",
        "総合スコア",
        "選定理由",
        "コネクター度",
        "選定日時",
        "選定に使ったスコア表",
    ]  # Japanese headers, no identifiers (issue #12 §5)
    assert [c.value for c in firms[5]][:6] == [1, "b", "郡山部品", 70.2, "上位2社", 0.3]  # rounded
    assert firms["F5"].number_format == "0.00%" and firms["G5"].value.endswith(" JST")
    assert firms["H5"].value == "2024年度"
    rip = wb["経済波及効果"]
    assert rip["A4"].value == "シナリオ: 投資100億円（単位: 百万円、就業誘発数は人）"
    assert [c.value for c in rip[6]][:2] == ["入力（前提）", None]  # the ripple inputs (issue #12 §5)
    assert [c.value for c in rip[7]][:2] == ["消費転換係数", 0.7243]
    assert [c.value for c in rip[9]][:4] == ["シナリオ", "指標", "直接効果", "総合効果"]
    assert [c.value for c in rip[10]][:4] == ["s", "生産誘発額", 100.0, 153.5]
    measures = wb["支援策"]
    assert [c.value for c in measures[4]] == ["区分", "支援策", "適用理由"]
    names = [measures.cell(row=r, column=2).value for r in range(5, measures.max_row + 1)]
    assert "地域未来交付金での優先採択" in names and "新たな財政措置の検討" not in names


def test_a_plan_export_has_candidate_projects_sheet(session: Session, tmp_path: Path) -> None:
    from chiiki.store.parts import add_candidate_project
    from chiiki.store.plans import create_plan

    tohoku = ActorRef("tohoku", "bureau", block_code="tohoku")
    plan = create_plan(
        session,
        actor=tohoku,
        plan_type="A",
        title="東北A",
        period_start=2026,
        period_end=2035,
        block_code="tohoku",
        focus_fields=[1],
    )
    add_candidate_project(
        session,
        plan.id,
        actor=MIYAGI,
        prefecture_code="04",
        title="半導体拠点",
        field_id=1,
        investment_amount=300_000_000,
        ministries=[{"name": "経済産業省", "since": "2026-01-15"}],
        wage_plan="+18%",
        wage_growth_rate=0.06,
    )
    ws = load_workbook(write_plan_xlsx(plan_document(session, plan.id), tmp_path / "a.xlsx"))[
        "候補プロジェクト"
    ]
    assert [c.value for c in ws[5]] == [
        "宮城県",
        "半導体拠点",
        "1 AI・半導体",
        300_000_000,
        "経済産業省（2026-01-15〜）",
        "'+18%",
        0.06,
        "miyagi",
    ]
    assert ws["G5"].number_format == "0.00%"


def test_json_reimport_gives_the_same_plan(session: Session, plan_id: int, tmp_path: Path) -> None:
    doc = plan_document(session, plan_id)
    path = write_plan_json(doc, tmp_path / "plan.json")
    new = import_plan_document(session, read_plan_json(path), actor=ADMIN)
    session.commit()
    session.expire_all()
    again = plan_document(session, new.id)
    assert new.id != plan_id
    assert json.loads(json.dumps(strip_volatile(again))) == json.loads(json.dumps(strip_volatile(doc)))


def test_json_import_by_owner_starts_as_draft(session: Session, plan_id: int) -> None:
    doc = plan_document(session, plan_id)
    new = import_plan_document(session, doc, actor=FUKUSHIMA)
    assert new.state == "draft" and [h.action for h in new.state_history] == ["import"]
    with pytest.raises(PermissionDeniedError):
        import_plan_document(session, doc, actor=MIYAGI)


def test_json_import_refuses_other_documents(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="計画の JSON"):
        import_plan_document(session, {"format": "x", "plan": {}}, actor=ADMIN)


def test_reviewer_comment_survives_export(session: Session, plan_id: int) -> None:
    from chiiki.store.plans import update_requirement

    transition_plan(session, plan_id, "start_review", actor=REVIEWER)
    update_requirement(
        session,
        plan_id,
        "B_EXPORT",
        actor=REVIEWER,
        expected_version=None,
        status="met",
        reviewer_comment="確認済み",
    )
    doc = plan_document(session, plan_id)
    item = next(r for r in doc["requirements"] if r["code"] == "B_EXPORT")
    assert (item["status_label"], item["reviewer_comment"]) == ("充足", "確認済み")
