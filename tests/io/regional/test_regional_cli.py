"""``chiiki io regionalize / circulation / scenarios`` end to end (Japanese output, no tracebacks)."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.io import read_io_table

runner = CliRunner()


def test_regionalize_prefecture_writes_a_table_ripple_can_read(tmp_path, national37_file, census_path):
    out = tmp_path / "miyazaki.csv"
    args = [
        "io",
        "regionalize",
        "--region",
        "45",
        "--national",
        str(national37_file),
        "--census",
        str(census_path),
    ]
    result = runner.invoke(app, [*args, "--method", "cilq", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "宮崎県" in result.output and "CILQ" in result.output and "推計" in result.output
    frame = pl.read_csv(out)
    assert set(frame["status"]) == {"推計"}
    table = read_io_table(out)
    assert table.n == 37 and table.e is not None
    demand = tmp_path / "demand.csv"
    demand.write_text("sector,value\n11,100\n", encoding="utf-8")
    ripple = runner.invoke(app, ["io", "ripple", str(out), "--demand", str(demand)])
    assert ripple.exit_code == 0 and "就業誘発数" in ripple.output


def test_regionalize_xlsx_has_the_table_first_then_details(tmp_path, census_path):
    out = tmp_path / "fukushima.xlsx"
    args = [
        "io",
        "regionalize",
        "--region",
        "07",
        "--census",
        str(census_path),
    ]
    assert runner.invoke(app, [*args, "--out", str(out)]).exit_code == 0
    assert read_io_table(out).n == 37
    sheets = pl.read_excel(out, sheet_id=0)
    assert list(sheets) == ["産業連関表", "部門別", "推計方法"]


def test_regionalize_municipality_from_firm_data_and_census(
    tmp_path, census_path, small_economy_dir, small_economy
):
    city = (
        small_economy.companies.group_by("municipality_code")
        .len()
        .sort("len", descending=True)["municipality_code"][0]
    )
    result = runner.invoke(
        app,
        ["io", "regionalize", "--region", city, "--census", str(census_path),
         "--data", str(small_economy_dir), "--out", str(tmp_path / "city.parquet")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "企業データ" in result.output and (tmp_path / "city.parquet").exists()


def test_regionalize_errors_are_japanese(census_path):
    result = runner.invoke(
        app,
        [
            "io",
            "regionalize",
            "--region",
            "07201",
            "--census",
            str(census_path),
        ],
    )
    assert result.exit_code == 2 and "企業データ" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["io", "regionalize", "--region", "宇宙"])
    assert result.exit_code == 2 and "見つかりません" in result.output


def test_regionalize_defaults_to_the_shipped_national_table(census_path):
    result = runner.invoke(app, ["io", "regionalize", "--region", "07", "--census", str(census_path)])
    assert result.exit_code == 0, result.output
    assert "総務省" in result.output and "福島県" in result.output


def test_regionalize_non_traded_option(tmp_path, census_path):
    args = ["io", "regionalize", "--region", "45", "--census", str(census_path)]
    default, none = tmp_path / "default.csv", tmp_path / "none.csv"
    result = runner.invoke(app, [*args, "--out", str(default)])
    assert result.exit_code == 0 and "移輸出入のない部門" in result.output
    assert runner.invoke(app, [*args, "--non-traded", "none", "--out", str(none)]).exit_code == 0
    with_rule, without = read_io_table(default), read_io_table(none)
    construction = with_rule.sectors.index("41_建設")
    assert with_rule.m[construction] == 0.0 < without.m[construction]
    result = runner.invoke(app, [*args, "--non-traded", "41,99"])
    assert result.exit_code == 2 and "99" in result.output and "Traceback" not in result.output


def test_circulation_of_an_estimated_table(tmp_path, census_path):
    table = tmp_path / "t.csv"
    runner.invoke(
        app,
        [
            "io",
            "regionalize",
            "--region",
            "07",
            "--census",
            str(census_path),
            "--out",
            str(table),
        ],
    )
    result = runner.invoke(
        app, ["io", "circulation", str(table), "--other-income", "100000", "--out", str(tmp_path / "c.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert "地域経済循環率" in result.output and "域外から稼ぐ" in result.output
    assert "100.0%" not in result.output.splitlines()[0]  # income from outside lowers the rate


def test_scenarios_compare_templates_with_ranges(tmp_path, census_path):
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            [
                {"name": "道路", "template": "construction", "amounts": {"public_works": 1000}},
                {
                    "name": "観光",
                    "template": "tourism",
                    "visitors": 50000,
                    "per_head": {"lodging": 10000},
                    "outside_share": 0.7,
                },
                {"name": "工場", "template": "plant", "sector": "32", "output": 3000, "employment": 150},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "scenarios.xlsx"
    result = runner.invoke(
        app,
        ["io", "scenarios", "--spec", str(spec), "--region", "45", "--census", str(census_path),
         "--c-low", "0.6", "--c-high", "0.8", "--import-change", "0.1", "--vary", "slq,flq:0.1", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "27 通り" in result.output and "人材需要" in result.output and "E 製造業" in result.output
    assert list(pl.read_excel(out, sheet_id=0)) == ["範囲", "比較1", "人材需要"]


def test_scenarios_bad_spec_lists_problems(tmp_path, national37_file):
    spec = tmp_path / "bad.json"
    spec.write_text('[{"name": "x", "template": "bridge"}]', encoding="utf-8")
    result = runner.invoke(app, ["io", "scenarios", "--spec", str(spec), "--table", str(national37_file)])
    assert result.exit_code == 2 and "bridge" in result.output and "Traceback" not in result.output
