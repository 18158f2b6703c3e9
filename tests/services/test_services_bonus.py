"""加点 lookup (issue #12 §2; SPEC §6.4): percentiles and points worked by hand from the firm table,
priority status from approved plans only, name matching that tolerates 株式会社/(株)/㈱ and
full-width letters and says when it is unsure, the scope of firm figures, and a batch of 1,000
applicants."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.plans.rules import PlanRules
from chiiki.plans.workflow import ActorRef
from chiiki.server.testing import import_synthetic
from chiiki.services import bonus
from chiiki.services.access import Principal
from chiiki.services.analytics import Analytics
from chiiki.services.datasets import current_dataset_ref
from chiiki.store import create_engine_from_settings, session_scope, upgrade
from chiiki.store.parts import set_priority_firms
from chiiki.store.plans import create_plan, record_screening, transition_plan
from chiiki.store.settings import StoreSettings

REVIEWER = Principal("kuni", "reviewer")
FUKUSHIMA = ActorRef("fukushima", "prefecture", prefecture_code="07")
RULES = PlanRules(bonus_priority=2, bonus_degree=1, bonus_percentile=90.0, bonus_max=3)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("bonus")
    settings = StoreSettings(data_dir=data_dir)
    engine = create_engine_from_settings(settings)
    upgrade(engine)
    import_synthetic(data_dir, n_firms=3000, settings=settings)
    with session_scope(engine) as db:
        ref = current_dataset_ref(db, data_dir)
    analytics = Analytics(ref)
    firms = analytics.firm_year().firms
    yield engine, analytics, firms
    engine.dispose()


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (what NFKC folds back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def hand_percentile(firms: pl.DataFrame, company_id: str, column: str) -> float:
    row = firms.filter(pl.col("company_id") == company_id).row(0, named=True)
    pref = firms.filter(pl.col("prefecture_code") == row["prefecture_code"])[column].to_numpy()
    return 100.0 * np.sum(pref <= row[column]) / len(pref)


def test_one_firm_by_name_number_and_id_worked_by_hand(world) -> None:
    engine, analytics, firms = world
    top = (
        firms.filter(pl.col("prefecture_code") == "07")
        .sort("connector_degree", descending=True)
        .row(0, named=True)
    )
    with session_scope(engine) as db:
        for query in (top["corporate_number"], top["company_id"], "株式会社" + full_width(top["name"])):
            result = bonus.lookup(analytics, db, REVIEWER, [query], rules=RULES)
            [row] = result.table.to_dicts()
            assert row["company_id"] == top["company_id"], query
            c = hand_percentile(firms, top["company_id"], "connector_degree")
            h = hand_percentile(firms, top["company_id"], "hub_degree")
            assert row["connector_percentile"] == pytest.approx(round(c, 1))
            assert row["hub_percentile"] == pytest.approx(round(h, 1))
            expected = int(c >= 90) + int(h >= 90)
            assert row["bonus_points"] == expected
            assert row["priority_plans"] == "なし"
    assert c == 100.0  # the prefecture's top connector: every firm has a degree ≤ its own


def test_priority_firm_of_an_approved_plan_gets_the_points_with_the_plan_named(world) -> None:
    engine, analytics, firms = world
    pick = firms.filter(pl.col("prefecture_code") == "07").sort("connector_degree").row(0, named=True)
    with session_scope(engine) as db:
        plan = create_plan(db, actor=FUKUSHIMA, plan_type="B", title="加点の計画", period_start=2026,
                           period_end=2030, prefecture_code="07")  # fmt: skip
        frame = pl.DataFrame({"company_id": [pick["company_id"]], "score": [50.0], "selected": [True],
                              "reasons": [["テスト"]], "name": [pick["name"]]})  # fmt: skip
        set_priority_firms(
            db, plan.id, frame, actor=FUKUSHIMA, score_run="t", planner_reasons={pick["company_id"]: "理由"}
        )
        before = bonus.lookup(analytics, db, REVIEWER, [pick["company_id"]], rules=RULES).table.row(
            0, named=True
        )
        # a draft plan names the firm but gives no points
        assert "加点の計画" in before["priority_plans"] and "作成中" in before["priority_plans"]
        assert "重点支援企業" not in before["reasons_text"]
        import sys

        sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
        from plan_helpers import complete_plan

        complete_plan(db, plan.id, FUKUSHIMA)
        transition_plan(db, plan.id, "submit", actor=FUKUSHIMA)
        transition_plan(db, plan.id, "start_review", actor=REVIEWER)
        record_screening(db, plan.id, actor=REVIEWER, scores={r.code: 2 for r in plan.requirements})
        transition_plan(db, plan.id, "approve", actor=REVIEWER)
        after = bonus.lookup(analytics, db, REVIEWER, [pick["company_id"]], rules=RULES).table.row(
            0, named=True
        )
    assert "承認" in after["priority_plans"] and after["bonus_points"] == before["bonus_points"] + 2
    assert after["reasons_text"].startswith("重点支援企業に選定（+2点）")


def test_unsure_matches_are_said_and_scope_hides_figures(world) -> None:
    engine, analytics, firms = world
    row = firms.filter(pl.col("prefecture_code") == "07").row(0, named=True)
    tokyo = Principal("tokyo", "prefecture", prefecture_code="13")
    with session_scope(engine) as db:
        result = bonus.lookup(
            analytics,
            db,
            tokyo,
            [row["company_id"], row["name"][:6], "存在しない商事", "1234567890123"],
            rules=RULES,
        )
    found, partial, none, bad = result.table.to_dicts()
    assert found["match"] == "company_id" and found["hidden"] and found["bonus_points"] is None
    assert found["connector_percentile"] is None and "権限" in found["reasons_text"]
    assert (
        partial["match"] in ("partial", "several")
        and partial["company_id"] is None
        and partial["candidates_text"]
    )
    assert none["match"] == "none" and bad["match"] in ("bad_number", "none")
    # municipal staff and administrators are no data roles
    with session_scope(engine) as db, pytest.raises(Exception, match="加点の確認"):
        bonus.lookup(analytics, db, Principal("m", "municipal", municipality_code="07203"), ["x"])


def test_batch_of_1000_applicants(world) -> None:
    engine, analytics, firms = world
    sample = firms.filter(pl.col("corporate_number").is_not_null()).sort("company_id").head(950)
    rows = sample.to_dicts()
    queries, expected = [], []
    for i, r in enumerate(rows):
        kind = i % 4
        if kind == 0:
            queries.append(r["corporate_number"])
        elif kind == 1:
            queries.append(r["company_id"])
        elif kind == 2:
            queries.append(f"(株){r['name']}")
        else:
            queries.append(unicodedata.normalize("NFKC", "㈱") + full_width(r["name"]) + "　株式会社")
        expected.append(r["company_id"])
    queries += [f"架空商事{i:03d}" for i in range(50)]
    expected += [None] * 50
    start = time.perf_counter()
    with session_scope(engine) as db:
        result = bonus.lookup(analytics, db, REVIEWER, queries, rules=RULES)
    elapsed = time.perf_counter() - start
    table = result.table
    assert table.height == 1000 and table["row"].to_list() == list(range(1, 1001))
    assert table["company_id"].to_list() == expected
    assert (result.sure, result.not_found) == (950, 50)
    points = table.filter(pl.col("company_id").is_not_null())["bonus_points"]
    assert points.is_not_null().all() and points.min() >= 0 and points.max() <= RULES.bonus_max
    frame = bonus.download_frame(result)
    assert frame.columns[:3] == ["番号", "入力", "照合結果"] and frame.height == 1000
    assert elapsed < 30, elapsed


def test_read_applicants_from_csv_and_excel(tmp_path: Path) -> None:
    from chiiki.data.writers import write_xlsx

    csv = "法人番号,企業名\n1234567890123,\n,(株)会津精密\n".encode("cp932")
    assert bonus.read_applicants(csv, "list.csv") == ["1234567890123", "(株)会津精密"]
    path = tmp_path / "list.xlsx"
    write_xlsx({"一覧": pl.DataFrame({"申請者": ["郡山部品", "いわき化成"]})}, path)
    assert bonus.read_applicants(path.read_bytes(), "list.xlsx") == ["郡山部品", "いわき化成"]
    assert bonus.read_applicants("会津精密\n郡山部品\n".encode(), "x.csv") == ["会津精密", "郡山部品"]
    with pytest.raises(Exception, match="CSV"):
        bonus.read_applicants(b"x", "list.pdf")
