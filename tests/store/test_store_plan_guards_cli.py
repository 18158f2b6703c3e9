"""The plan guards on the command line (issue #12 §1, §2, §8): ``chiiki plans show`` with a KPI that has
no reported value, ``check`` listing what is missing, ``transition`` refused with the list, ``actual``
refused outside the period or range and keeping the earlier value of a correction, ``bonus``."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_helpers import complete_plan
from typer.testing import CliRunner

from chiiki.plans.workflow import ActorRef

FUKUSHIMA = ActorRef("fukushima", "prefecture", prefecture_code="07")
REVIEWER = ActorRef("reviewer", "reviewer")


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


def _engine():  # noqa: ANN202
    from chiiki.store import create_engine_from_settings, get_settings

    return create_engine_from_settings(get_settings())


def test_cli_guards_show_check_transition_actual(cli) -> None:  # noqa: ANN001
    from chiiki.server.testing import seed_users
    from chiiki.store import get_settings, session_scope
    from chiiki.store.parts import set_kpi
    from chiiki.store.plans import create_plan, get_plan, record_screening

    assert cli("db", "upgrade").exit_code == 0
    seed_users(get_settings())
    engine = _engine()
    with session_scope(engine) as s:
        plan = create_plan(s, actor=FUKUSHIMA, plan_type="B", title="福島B", period_start=2026, period_end=2030,
                           prefecture_code="07")  # fmt: skip
        set_kpi(
            s,
            plan.id,
            actor=FUKUSHIMA,
            code="sales",
            baseline=5000.0,
            baseline_year=2025,
            targets={2030: 5500.0},
        )
    # issue #12 §8: a KPI with no reported value no longer crashes the listing
    shown = cli("plans", "show", "1")
    assert shown.exit_code == 0 and "Traceback" not in shown.output and "未報告" in shown.output
    checked = cli("plans", "check", "1")
    assert checked.exit_code == 0 and "提出に不足している項目" in checked.output
    assert "重点支援企業が1社も選ばれていません" in checked.output
    refused = cli("plans", "transition", "1", "提出", "--as", "fukushima")
    assert refused.exit_code == 2 and "この計画はまだ提出できません" in refused.output
    assert "KPI「売上額」の目標が未入力の年度があります" in refused.output.replace("\n", "")
    with session_scope(engine) as s:
        complete_plan(s, 1, FUKUSHIMA)
    assert cli("plans", "transition", "1", "提出", "--as", "fukushima").exit_code == 0
    assert cli("plans", "transition", "1", "審査開始", "--as", "reviewer").exit_code == 0
    refused = cli("plans", "transition", "1", "承認", "--as", "reviewer")
    assert refused.exit_code == 2 and "採点がまだ記録されていません" in refused.output
    with session_scope(engine) as s:
        codes = [r.code for r in get_plan(s, 1).requirements]
        record_screening(s, 1, actor=REVIEWER, scores={c: (0 if c == "B_EXPORT" else 2) for c in codes})
    refused = cli("plans", "transition", "1", "承認", "--as", "reviewer")
    assert refused.exit_code == 2 and "理由を書いてください" in refused.output.replace("\n", "")
    ok = cli("plans", "transition", "1", "承認", "--as", "reviewer", "--comment", "補足資料で確認")
    assert ok.exit_code == 0 and "承認" in ok.output
    outside = cli("plans", "actual", "1", "雇用者数", "2035", "101", "--as", "fukushima")
    assert outside.exit_code == 2 and "計画期間（2026〜2030年度）の外" in outside.output.replace("\n", "")
    negative = cli("plans", "actual", "1", "雇用者数", "2027", "--as", "fukushima", "--", "-5")
    assert negative.exit_code == 2 and "負の値" in negative.output
    assert cli("plans", "actual", "1", "雇用者数", "2027", "101", "--as", "fukushima").exit_code == 0
    assert (
        cli(
            "plans", "actual", "1", "雇用者数", "2027", "102", "--as", "fukushima", "--note", "確定"
        ).exit_code
        == 0
    )
    with session_scope(engine) as s:
        kpi = next(k for k in get_plan(s, 1).kpis if k.code == "employees")
        row = next(v for v in kpi.values if v.kind == "actual")
        assert (row.value, row.note) == (102.0, "確定") and [h["value"] for h in row.history] == [101.0]
    shown = cli("plans", "show", "1")
    assert shown.exit_code == 0 and "102（2027）" in shown.output
    engine.dispose()


def test_cli_bonus(cli, tmp_path: Path) -> None:  # noqa: ANN001
    import polars as pl

    from chiiki.server.testing import import_synthetic, seed_users
    from chiiki.store import get_settings

    assert cli("db", "upgrade").exit_code == 0
    seed_users(get_settings())
    import_synthetic(get_settings().data_dir, n_firms=600, settings=get_settings())
    from chiiki.data import read_dataset
    from chiiki.services.datasets import current_dataset_ref
    from chiiki.store import session_scope

    engine = _engine()
    with session_scope(engine) as s:
        ref = current_dataset_ref(s, get_settings().data_dir)
    engine.dispose()
    firm = read_dataset(ref.path).companies.filter(pl.col("prefecture_code") == "07").row(0, named=True)
    out = cli("plans", "bonus", f"(株){firm['name']}", "--as", "reviewer")
    assert out.exit_code == 0, out.output
    assert "加点の基準" in out.output and "確定 1 件" in out.output
    listing = tmp_path / "list.csv"
    listing.write_text(f"企業名\n{firm['name']}\n架空商事\n", encoding="utf-8")
    target = tmp_path / "katen.xlsx"
    written = cli("plans", "bonus", "--file", str(listing), "--as", "reviewer", "--out", str(target))
    assert written.exit_code == 0 and target.exists() and "該当なし 1 件" in written.output
    sheet = pl.read_excel(target)
    assert sheet.columns[:3] == ["番号", "入力", "照合結果"] and sheet.height == 2
    refused = cli("plans", "bonus", firm["company_id"], "--as", "koriyama")
    assert refused.exit_code == 2 and "加点の確認" in refused.output
