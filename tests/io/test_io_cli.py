"""``chiiki io`` commands: multipliers, ripple (one and many scenarios), demo, and Japanese errors."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from chiiki.cli.main import app

DATA = Path(
    os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
)
LONG = DATA / "japan_io_2011_13sector_long.csv"
needs_data = pytest.mark.skipif(not LONG.exists(), reason=f"real IO table missing in {DATA}")
runner = CliRunner()


@needs_data
def test_io_multipliers_cli_writes_one_row_per_sector(tmp_path):
    out = tmp_path / "m.csv"
    result = runner.invoke(app, ["io", "multipliers", str(LONG), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "影響力係数" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM so Excel opens it
    frame = pl.read_csv(out)
    assert frame.columns == [
        "sector",
        "open_multiplier",
        "closed_multiplier",
        "backward_linkage",
        "forward_linkage",
        "import_ratio",
    ]
    assert frame.height == 13


@needs_data
def test_io_ripple_cli_many_scenarios_long_form(tmp_path):
    demand = tmp_path / "demand.csv"
    demand.write_text(
        "scenario,sector,value\n工場,製造業,1000\n観光,12_サービス,500\n観光,06,100\n", encoding="utf-8"
    )
    out = tmp_path / "ripple.csv"
    result = runner.invoke(
        app, ["io", "ripple", str(LONG), "--demand", str(demand), "--c", "0.7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "波及倍率" in result.output and "第2次間接効果" in result.output
    frame = pl.read_csv(out)
    assert frame.columns == ["scenario", "stage", "measure", "sector", "value"]
    assert frame.height == 2 * 4 * 3 * 13
    total = frame.filter(
        (pl.col("scenario") == "工場") & (pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額")
    )["value"].sum()
    assert total == pytest.approx(2132.125394, abs=1e-5)  # as in the hand computation (test_io_ripple)


@needs_data
def test_io_ripple_cli_local_output_and_xlsx(tmp_path):
    demand = tmp_path / "demand.csv"
    demand.write_bytes("sector,value\n製造業,1000\n".encode("cp932"))
    out = tmp_path / "ripple.xlsx"
    result = runner.invoke(
        app, ["io", "ripple", str(LONG), "--demand", str(demand), "--local-output", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_excel(out)
    direct = frame.filter((pl.col("stage") == "直接効果") & (pl.col("measure") == "生産誘発額"))[
        "value"
    ].sum()
    assert direct == pytest.approx(1000.0)


@needs_data
def test_io_ripple_cli_unknown_sector_is_a_clear_error(tmp_path):
    demand = tmp_path / "demand.csv"
    demand.write_text("sector,value\n宇宙産業,10\n", encoding="utf-8")
    result = runner.invoke(app, ["io", "ripple", str(LONG), "--demand", str(demand)])
    assert result.exit_code == 2
    assert "宇宙産業" in result.output and "Traceback" not in result.output


def test_io_multipliers_cli_bad_table_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "input_type,input_name,output_type,output_name,value_M\nindustry,a,industry,a,-5\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["io", "multipliers", str(bad)])
    assert result.exit_code == 2
    assert "生産額が0以下" in result.output


def test_io_demo_cli_writes_a_table_ripple_can_read(tmp_path):
    table = tmp_path / "demo.csv"
    result = runner.invoke(app, ["io", "demo", "--firms", "3000", "--seed", "2", "--out", str(table)])
    assert result.exit_code == 0, result.output
    demand = tmp_path / "demand.csv"
    demand.write_text("sector,value\n製造業,100\n", encoding="utf-8")
    result = runner.invoke(app, ["io", "ripple", str(table), "--demand", str(demand)])
    assert result.exit_code == 0, result.output
    assert "就業誘発数" in result.output
