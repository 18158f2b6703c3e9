"""Data-set registry (all-or-nothing with the files), the demo plans and the CLI shell."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from chiiki.data.datasets import current_version, list_versions
from chiiki.firms.examples import toy_economy
from chiiki.store import make_session_factory
from chiiki.store.audit import audit_entries
from chiiki.store.datasets import current_dataset, import_and_register, list_datasets


@pytest.fixture
def toy_source(tmp_path: Path) -> Path:
    src = tmp_path / "source"
    ds = toy_economy()
    src.mkdir()
    ds.companies.write_csv(src / "companies.csv")
    ds.transactions.write_csv(src / "transactions.csv")
    return src


def test_import_registers_version_with_hashes_and_counts(
    engine: Engine, toy_source: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = import_and_register(engine, toy_source, data, actor="admin")
    second = import_and_register(engine, toy_source, data, actor="admin")
    with make_session_factory(engine)() as s:
        rows = list_datasets(s, name="default")
        assert [(r.version, r.is_current) for r in rows] == [("v0001", False), ("v0002", True)]
        assert current_dataset(s).version == "v0002" == current_version(data, "default")
        row = rows[1]
        assert set(row.sha256) == {"companies.parquet", "transactions.parquet"}
        assert all(len(h) == 64 for h in row.sha256.values())
        assert Path(row.path) == (data / "datasets" / "default" / "v0002").resolve()
        assert row.report is not None and "errors" in row.report
        assert [e.action for e in audit_entries(s, entity="dataset")] == ["register", "register"]
    assert (first.version, second.version) == ("v0001", "v0002")


def test_failed_registration_removes_the_new_files(engine: Engine, toy_source: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_and_register(engine, toy_source, data, actor="admin")

    def boom(*_args) -> None:  # noqa: ANN002
        raise RuntimeError("database went away")

    event.listen(engine, "before_cursor_execute", boom)
    try:
        with pytest.raises(RuntimeError):
            import_and_register(engine, toy_source, data, actor="admin")
    finally:
        event.remove(engine, "before_cursor_execute", boom)
    assert list_versions(data, "default") == ["v0001"] and current_version(data, "default") == "v0001"
    with make_session_factory(engine)() as s:
        assert [r.version for r in list_datasets(s)] == ["v0001"]


def test_demo_plans_labelled_and_complete(session: Session) -> None:
    from chiiki.data.synth import generate_economy
    from chiiki.services.demo_plans import build_demo_plans
    from chiiki.store.documents import plan_document

    ds = generate_economy(n_firms=3000, years=(2022, 2023, 2024), seed=1)
    ids = build_demo_plans(session, ds)
    session.commit()
    docs = {k: plan_document(session, v) for k, v in ids.items()}
    assert all(d["plan"]["is_demo"] and "デモデータ" in d["plan"]["title"] for d in docs.values())
    b = docs["B"]
    assert (b["plan"]["prefecture_code"], b["plan"]["state"]) == ("07", "submitted")
    assert 0 < len(b["priority_firms"]) <= 20 and b["priority_firms"][0]["snapshot"]
    # issue #12 §8: the demo B plan's 重点支援企業 lie inside its focus fields (17 fields → JSIC 中分類)
    from chiiki.reference import field_jsic_mapping

    mapping = field_jsic_mapping()
    allowed = set(mapping.filter(pl.col("field_id").is_in(b["plan"]["focus_fields"]))["jsic_code"])
    assert {f["snapshot"]["jsic_code"] for f in b["priority_firms"]} <= allowed
    assert all(f["planner_reason"] for f in b["priority_firms"])
    # ... and the C plan's score column holds each firm's priority-company score, not its sales
    c_firms = docs["C"]["priority_firms"]
    assert c_firms and all(f["score"] != f["snapshot"]["sales"] for f in c_firms)
    assert all(f["score"] is None or 0 < f["score"] < 200 for f in c_firms)
    kpis = {k["code"]: k for k in b["kpis"]}
    assert kpis["sales"]["baseline"] > 0 and kpis["sales"]["targets"][-1]["fiscal_year"] == 2030
    assert b["ripple_scenarios"] and b["ripple_scenarios"][0]["results"]
    status = {r["code"]: r["status"] for r in b["requirements"]}
    assert status["B_TARGETS"] == status["B_TARGET_RULE"] == status["B_WAGE_RULE"] == "met"
    c = docs["C"]
    assert c["plan"]["owner_level"] == "municipality" and c["plan"]["municipality_code"].startswith("07")
    a = docs["A"]
    assert a["plan"]["block_code"] == "tohoku" and len(a["candidate_projects"]) == 3
    assert {p["prefecture_code"] for p in a["candidate_projects"]} == {"04", "06", "07"}


def test_demo_baseline_sales_equals_priority_firms_sum(session: Session) -> None:
    from chiiki.data.synth import generate_economy
    from chiiki.services.demo_plans import build_demo_plans, demo_scores
    from chiiki.store.plans import get_plan

    ds = generate_economy(n_firms=3000, years=(2022, 2023, 2024), seed=2)
    scores = demo_scores(ds, top_n=5)
    ids = build_demo_plans(session, ds, scores=scores, with_ripple=False)
    chosen = scores.filter("selected")["company_id"].to_list()
    expected = ds.companies.filter(pl.col("fiscal_year") == 2024, pl.col("company_id").is_in(chosen))[
        "sales"
    ].sum()
    sales = next(k for k in get_plan(session, ids["B"]).kpis if k.code == "sales")
    assert sales.baseline == expected and sales.baseline_year == 2024


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    from chiiki.cli.main import app
    from chiiki.store.settings import get_settings

    monkeypatch.setenv("CHIIKI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CHIIKI_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_plans_before_upgrade_says_what_to_do(cli) -> None:  # noqa: ANN001
    result = cli("plans", "list")
    assert result.exit_code == 2 and "chiiki db upgrade" in result.output and "Traceback" not in result.output


def test_cli_upgrade_list_show_export(cli, tmp_path: Path) -> None:  # noqa: ANN001
    from chiiki.plans.workflow import ActorRef
    from chiiki.store import create_engine_from_settings, get_settings, session_scope
    from chiiki.store.plans import create_plan

    assert cli("db", "upgrade").exit_code == 0
    assert json.loads(cli("plans", "list", "--format", "json").output) == []
    engine = create_engine_from_settings(get_settings())
    with session_scope(engine) as s:
        create_plan(
            s,
            actor=ActorRef("f", "prefecture", prefecture_code="07"),
            plan_type="B",
            title="福島B",
            period_start=2026,
            period_end=2030,
            prefecture_code="07",
        )
    engine.dispose()
    listed = json.loads(cli("plans", "list", "--format", "json").output)
    assert listed == [
        {
            "id": 1,
            "type": "B",
            "title": "福島B",
            "state": "draft",
            "state_label": "作成中",
            "owner": "福島県",
            "period": "2026-2030",
            "is_demo": False,
        }
    ]
    shown = cli("plans", "show", "1")
    assert shown.exit_code == 0 and "福島B" in shown.output and "計画要件" in shown.output
    missing = cli("plans", "show", "99")
    assert missing.exit_code == 2 and "計画 ID 99 は見つかりません" in missing.output
    out = tmp_path / "p.xlsx"
    assert cli("plans", "export", "1", "--format", "xlsx", "--out", str(out)).exit_code == 0 and out.exists()
    js = tmp_path / "p.json"
    assert cli("plans", "export", "1", "--out", str(js)).exit_code == 0
    assert json.loads(js.read_text("utf-8"))["plan"]["title"] == "福島B"
    assert cli("plans", "import", str(js)).exit_code == 0
    assert len(json.loads(cli("plans", "list", "--format", "json").output)) == 2
    pdf = tmp_path / "x.pdf"
    assert cli("plans", "export", "1", "--format", "pdf", "--out", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = cli("plans", "export", "1", "--format", "docx", "--out", str(tmp_path / "x.docx"))
    assert bad.exit_code == 2 and "xlsx・json・pdf" in bad.output
