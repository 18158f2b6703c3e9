"""``chiiki io read`` and the published tables in ``chiiki io multipliers`` / ``ripple`` (issue #11 items
4–6): what is shown, the sheet choice, the default national table and the honest limits."""

from __future__ import annotations

import numpy as np
import openpyxl
import polars as pl
import pytest
from published_tables import Z, no_import_rows, published_rows, write_xlsx
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.io import NATIONAL_2015_CREDIT

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["io", *args], env={"COLUMNS": "200"})


@pytest.fixture
def book(tmp_path):
    rows = published_rows()
    return write_xlsx(rows, tmp_path / "pref.xlsx", sheet="37部門", extra={"54部門": rows})


def test_io_read_shows_what_it_recognised_and_the_balances(book):
    result = _run("read", str(book), "--sheet", "37部門")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "認識した行・列",
        "部門",
        "01_農業",
        "粗付加価値（行）",
        "最終需要（列）",
        "調整項",
        "輸出（移出）（列）",
    ):
        assert text in out
    assert "合計の照合" in out and "すべて一致" in out and "県内生産額" in out
    assert "置けなかった行・列" in out and "なし" in out
    assert "就業者数の行がないため" in out
    assert "単位: 百万円" in out


def test_io_read_names_the_sheets_when_the_choice_is_ambiguous(book):
    result = _run("read", str(book))
    assert result.exit_code == 2
    out = result.output.replace("\n", "")  # the error console may wrap at 80 columns
    assert "--sheet" in out and "37部門" in out and "54部門" in out


def test_io_read_reports_unbalanced_totals_and_unplaced_rows(tmp_path):
    z = Z.copy()
    z[0, 1] += 3
    rows = published_rows(z=z)
    rows.insert(8, ["", "謎の行", 1.0, 2.0, 3.0])
    result = _run("read", str(write_xlsx(rows, tmp_path / "t.xlsx")))
    assert result.exit_code == 0, result.output
    assert "不一致" in result.output and "一致しない合計があります" in result.output
    assert "最大の差 3" in result.output
    assert "行 9「謎の行」" in result.output


def test_io_multipliers_and_ripple_read_a_sheet_directly(book, tmp_path):
    out = tmp_path / "m.csv"
    result = _run("multipliers", str(book), "--sheet", "54部門", "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame["sector"].to_list() == ["01_農業", "02_製造業", "03_サービス"]
    demand = tmp_path / "d.csv"
    demand.write_text("sector,value\n製造業,100\n", encoding="utf-8")
    result = _run("ripple", str(book), "--sheet", "54部門", "--demand", str(demand), "--c", "0.5")
    assert result.exit_code == 0, result.output
    assert "波及倍率" in result.output and "第2次間接効果" in result.output


def test_io_ripple_without_a_table_uses_the_national_table_and_credits_it(tmp_path):
    demand = tmp_path / "d.csv"
    demand.write_text("sector,value\n飲食料品,1000\n", encoding="utf-8")
    result = _run("ripple", "--demand", str(demand))
    assert result.exit_code == 0, result.output
    assert NATIONAL_2015_CREDIT in result.output.replace("\n", "")
    assert "37 部門" in result.output and "波及倍率" in result.output
    result = _run("multipliers")
    assert result.exit_code == 0 and "総務省" in result.output


def test_io_multipliers_on_the_soumu_workbook_equal_its_official_column_sums(shared_data, tmp_path):
    path = shared_data / "japan_io_2015_37/soumu_000629595_io2015_37sector_tool.xlsx"
    if not path.exists():
        pytest.skip(f"{path} がありません")
    out = tmp_path / "m.csv"
    result = _run("multipliers", str(path), "--sheet", "⑤取引基本表", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path, data_only=True, read_only=True)["⑥逆行列"]
    official = next(sheet.iter_rows(min_row=42, max_row=42, min_col=3, max_col=39, values_only=True))
    assert next(sheet.iter_rows(min_row=42, max_row=42, min_col=2, max_col=2, values_only=True))[0] == "列和"
    np.testing.assert_allclose(pl.read_csv(out)["open_multiplier"].to_numpy(), official, atol=4e-7)


@pytest.fixture
def twelve(shared_data):
    path = shared_data / "regional_io_2015_12sector.csv"
    if not path.exists():
        pytest.skip(f"{path} がありません")
    return path


def test_io_read_12_sector_table_states_its_limits(twelve):
    result = _run("read", str(twelve), "--area", "07000")
    assert result.exit_code == 0, result.output
    out = result.output.replace("\n", "")
    assert "地域別12部門表" in out and "福島県" in out and "計算できないこと" in out
    assert "照合できる合計がありません" in out and "すべて一致" not in out
    assert "輸入（移輸入）の列がないため" in out and "--imports-zero" in out


def test_io_ripple_refuses_the_open_model_without_imports_unless_stated_zero(twelve, tmp_path):
    demand = tmp_path / "d.csv"
    demand.write_text("sector,value\n製造業,100\n", encoding="utf-8")
    result = _run("ripple", str(twelve), "--area", "07000", "--demand", str(demand))
    assert result.exit_code == 2 and "輸入（移輸入）の列がない" in result.output
    result = _run("multipliers", str(twelve), "--area", "07000")
    assert result.exit_code == 0 and "閉鎖型 (I−A)⁻¹ の列和だけ" in result.output.replace("\n", "")
    result = _run("multipliers", str(twelve), "--area", "07000", "--imports-zero")
    assert result.exit_code == 0 and "輸入を0として計算します" in result.output
    # with imports stated zero the ripple still needs 民間消費支出 and 雇用者所得, and says so
    result = _run("ripple", str(twelve), "--area", "07000", "--demand", str(demand), "--imports-zero")
    assert result.exit_code == 2 and "民間消費支出" in result.output


def test_io_ripple_on_a_table_without_imports_runs_only_when_imports_are_stated_zero(tmp_path):
    book = write_xlsx(no_import_rows(), tmp_path / "no_imports.xlsx")
    demand = tmp_path / "d.csv"
    demand.write_text("sector,value\n工業,100\n", encoding="utf-8")
    refused = _run("ripple", str(book), "--demand", str(demand))
    assert refused.exit_code == 2 and "--imports-zero" in refused.output
    result = _run("ripple", str(book), "--demand", str(demand), "--imports-zero")
    assert result.exit_code == 0, result.output
    assert "輸入を0として計算します" in result.output and "波及倍率" in result.output
