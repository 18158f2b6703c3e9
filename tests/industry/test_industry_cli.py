"""``chiiki industry`` commands (SPEC §4): the shell calls the core and writes CSV/Excel."""

from __future__ import annotations

import numpy as np
import polars as pl
from industry_helpers import long_frame
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.reference import field_jsic_mapping

runner = CliRunner()
CODES = sorted(set(field_jsic_mapping()["jsic_code"].to_list()))


def _matrix_csv(tmp_path):
    X = np.random.default_rng(1).lognormal(4, 1, (5, len(CODES)))
    path = tmp_path / "m.csv"
    long_frame(X, ["07", "08", "09", "10", "11"], CODES).write_csv(path)
    return path


def test_cli_lq_writes_csv_with_bom(tmp_path):
    out = tmp_path / "lq.csv"
    r = runner.invoke(
        app, ["industry", "lq", "--source", "matrix", str(_matrix_csv(tmp_path)), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pl.read_csv(out, schema_overrides={"region_code": pl.Utf8, "industry_code": pl.Utf8})
    assert df.columns[:6] == ["region_code", "industry_code", "measure", "value", "share", "lq"]
    assert df.height == 5 * len(CODES)


def test_cli_complexity_writes_three_tables(tmp_path):
    src = _matrix_csv(tmp_path)
    r = runner.invoke(
        app, ["industry", "complexity", "--source", "matrix", str(src), "--out", str(tmp_path / "c.csv")]
    )
    assert r.exit_code == 0, r.output
    assert pl.read_csv(tmp_path / "c_eci.csv").columns == ["region_code", "diversity", "eci"]
    assert {"industry_code", "pci"} <= set(pl.read_csv(tmp_path / "c_pci.csv").columns)
    assert {"region_code", "industry_code", "rca", "density"} <= set(
        pl.read_csv(tmp_path / "c_cells.csv").columns
    )
    r = runner.invoke(
        app, ["industry", "complexity", "--source", "matrix", str(src), "--out", str(tmp_path / "c.xlsx")]
    )
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "c.xlsx").sheetnames == ["eci", "pci", "cells"]


def test_cli_suggest_prints_ranked_fields(tmp_path):
    r = runner.invoke(
        app,
        [
            "industry",
            "suggest",
            "--source",
            "matrix",
            str(_matrix_csv(tmp_path)),
            "--pref",
            "07",
            "--format",
            "csv",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "rank,field_id,field_name" in r.output and "特化係数" in r.output


def test_cli_suggest_table_is_in_japanese(tmp_path):
    r = runner.invoke(
        app,
        ["industry", "suggest", "--source", "matrix", str(_matrix_csv(tmp_path)), "--pref", "07"],
    )
    assert r.exit_code == 0, r.output
    header = next(line for line in r.output.splitlines() if "順位" in line)
    assert all(h in header for h in ("戦略分野", "区分", "特化係数", "関連密度", "理由"))
    assert "field_id" not in r.output and "reason" not in r.output and "半導体" in r.output


def test_cli_bad_input_gives_japanese_error_not_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("region_code,industry_code,measure,value\n07,9Z,employees,1\n", encoding="utf-8")
    r = runner.invoke(app, ["industry", "lq", "--source", "matrix", str(bad)])
    assert r.exit_code == 2 and "9Z" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["industry", "lq", "--source", "xls", str(bad)])
    assert r.exit_code == 2 and "--source の種類" in r.output
    r = runner.invoke(
        app, ["industry", "suggest", "--source", "matrix", str(bad.with_name("none.csv")), "--pref", "07"]
    )
    assert r.exit_code == 2 and "ありません" in r.output
