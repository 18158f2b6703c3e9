"""``chiiki firms …`` commands on the toy economy written as a validated data directory."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.data.datasets import write_dataset
from chiiki.firms import firm_ripple

runner = CliRunner()


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory, toy):
    d = tmp_path_factory.mktemp("toy")
    write_dataset(toy, d)
    return d


def test_cli_connector_hub_writes_csv_with_bom(toy_dir, tmp_path):
    out = tmp_path / "ch.csv"
    res = runner.invoke(app, ["firms", "connector-hub", str(toy_dir), "--year", "2024", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(out, schema_overrides={"region_code": pl.Utf8})
    assert frame.columns[:4] == ["company_id", "name", "region_code", "fiscal_year"]
    assert "除外" in res.output


def test_cli_connector_hub_region_filter_and_roles_parquet(toy_dir, tmp_path):
    out = tmp_path / "ch.parquet"
    args = ["firms", "connector-hub", str(toy_dir), "--region", "07", "--roles", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    frame = pl.read_parquet(out)
    assert frame.get_column("region_code").unique().to_list() == ["07"] and "participation" in frame.columns


def test_cli_score_xlsx_and_default_top10(toy_dir, tmp_path):
    out = tmp_path / "s.xlsx"
    res = runner.invoke(app, ["firms", "score", str(toy_dir), "--pref", "07", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "上位10社" in res.output
    frame = pl.read_excel(out)
    assert frame.height == 4 and frame.get_column("selected").all()


def test_cli_estimate_then_ripple(toy_dir, tmp_path):
    est = tmp_path / "est"
    res = runner.invoke(app, ["firms", "estimate-amounts", str(toy_dir), "--out", str(est)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["firms", "ripple", str(est), "--firm", "A", "--delta", "100", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert "推計値" in res.output and "誘発" in res.output


def test_cli_in_region_value(toy_dir):
    res = runner.invoke(app, ["firms", "in-region-value", str(toy_dir), "--firm", "A,B", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "60 千円" in res.output


def test_cli_bad_year_is_japanese_error_without_traceback(toy_dir):
    res = runner.invoke(app, ["firms", "connector-hub", str(toy_dir), "--year", "1999"])
    assert res.exit_code == 2
    assert "1999年度のデータがありません" in res.output and "Traceback" not in res.output


def test_cli_missing_directory_is_japanese_error(tmp_path):
    res = runner.invoke(app, ["firms", "connector-hub", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "見つかりません" in res.output


@pytest.mark.parametrize(
    "args",
    [
        ["connector-hub", "--year", "2024", "--roles"],
        ["score", "--pref", "07"],
        ["ripple", "--firm", "A", "--delta", "100"],
        ["in-region-value", "--firm", "A,B"],
    ],
)
def test_cli_same_output_with_and_without_stored_codes(toy_dir, tmp_path, args):
    """A data set stored before the integer codes existed (no code files) gives the same output."""
    import shutil

    from chiiki.data.codes import CODE_FILES

    old = tmp_path / "old"
    shutil.copytree(toy_dir, old)
    for name in CODE_FILES.values():
        (old / name).unlink()
    outputs = []
    for d in (toy_dir, old):
        out = tmp_path / f"{d.name}.parquet"
        res = runner.invoke(app, ["firms", args[0], str(d), *args[1:], "--out", str(out)])
        assert res.exit_code == 0, res.output
        outputs.append(pl.read_parquet(out))
    assert outputs[0].equals(outputs[1])


@pytest.fixture(scope="module")
def estimated_dir(tmp_path_factory, toy_dir):
    """The toy economy after ``estimate-amounts`` (C→D 2024 estimated)."""
    out = tmp_path_factory.mktemp("estimated")
    res = runner.invoke(app, ["firms", "estimate-amounts", str(toy_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_cli_ripple_and_roles_files_carry_uses_estimated(estimated_dir, tmp_path):
    """issue 13 item 7: the ripple's and the roles' CSV/JSON say which firms rest on estimates."""
    csv = tmp_path / "r.csv"
    res = runner.invoke(
        app, ["firms", "ripple", str(estimated_dir), "--firm", "A", "--delta", "100", "--out", str(csv)]
    )
    assert res.exit_code == 0, res.output
    flags = dict(pl.read_csv(csv).select("company_id", "uses_estimated").iter_rows())
    assert flags == {"A": False, "B": False, "C": True, "D": False}
    assert "推計" in res.output
    res = runner.invoke(app, ["firms", "roles", str(estimated_dir), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["company_id"] for r in rows if r["uses_estimated"]} == {"C", "D"}


def test_cli_estimate_refuses_to_write_an_unconverged_ras(tmp_path):
    from firms_helpers import make_companies, make_links

    from chiiki.data.contract import Dataset
    from chiiki.data.readers import read_manifest

    src, out = tmp_path / "src", tmp_path / "out"
    companies = make_companies([("s", "07", 100), ("c", "07", 1000)])
    write_dataset(Dataset(companies, make_links([("s", "c", None)])), src)
    purchases = tmp_path / "p.csv"
    purchases.write_text("company_id,fiscal_year,purchases\nc,2024,500\n", "utf-8")
    args = ["firms", "estimate-amounts", str(src), "--out", str(out), "--ras", "--purchases", str(purchases)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "収束しなかったため書き出しませんでした" in res.output
    assert not out.exists()
    res = runner.invoke(app, [*args, "--allow-unconverged"])
    assert res.exit_code == 0, res.output
    assert "警告" in res.output
    info = read_manifest(out)["estimated_amounts"]
    assert info["ras_converged"] is False and info["ras_max_residual"] == pytest.approx(0.8)


def test_cli_ripple_takes_a_shock_file(toy_dir, toy, tmp_path):
    shock = tmp_path / "shock.csv"
    shock.write_text('company_id,delta\nA,100\nB,"1,000"\nA,50\n', "utf-8")
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["firms", "ripple", str(toy_dir), "--shock", str(shock), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["company_id"]: r for r in json.loads(out.read_text("utf-8"))}
    assert rows["A"]["direct"] == 150 and rows["B"]["direct"] == 1000  # A's two rows summed
    assert rows["A"]["uses_estimated"] is False
    expected = firm_ripple(toy.companies, toy.transactions, year=2024, firms=["A", "B"], delta=[150, 1000])
    assert {k: v["total"] for k, v in rows.items()} == pytest.approx(
        dict(expected.firms.select("company_id", "total").iter_rows())
    )


def test_cli_ripple_shock_file_errors_name_the_row(toy_dir, tmp_path):
    shock = tmp_path / "shock.csv"
    shock.write_text("company_id,delta\nA,100\nB,たくさん\n", "utf-8")
    res = runner.invoke(app, ["firms", "ripple", str(toy_dir), "--shock", str(shock)])
    text = res.output.replace("\n", "")  # Rich wraps the message at the terminal width
    assert res.exit_code == 2 and "3 行目、列 delta" in text and "たくさん" in text
    shock.write_text("id,delta\nA,1\n", "utf-8")
    res = runner.invoke(app, ["firms", "ripple", str(toy_dir), "--shock", str(shock)])
    assert res.exit_code == 2 and "company_id" in res.output.replace("\n", "")
    res = runner.invoke(app, ["firms", "ripple", str(toy_dir), "--firm", "A", "--all", "--delta", "1"])
    assert res.exit_code == 2 and "どれか1つ" in res.output.replace("\n", "")


def test_cli_ripple_whole_prefecture_and_nation(toy_dir, toy, tmp_path):
    out = tmp_path / "r.parquet"
    res = runner.invoke(
        app, ["firms", "ripple", str(toy_dir), "--pref", "07", "--delta", "10", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    frame = pl.read_parquet(out)
    assert set(frame.filter("is_shocked").get_column("company_id")) == {"A", "B", "C", "D"}
    expected = firm_ripple(toy.companies, toy.transactions, year=2024, firms=list("ABCD"), delta=10)
    assert frame.get_column("total").sum() == pytest.approx(expected.total)
    res = runner.invoke(app, ["firms", "ripple", str(toy_dir), "--all", "--delta", "10", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert pl.read_parquet(out).filter("is_shocked").height == 8 and "全国の全 8 社" in res.output.replace(
        "\n", ""
    )


def test_cli_dependence_table_and_csv(toy_dir, tmp_path):
    res = runner.invoke(
        app, ["firms", "dependence", str(toy_dir), "--company", "A", "--tiers", "2", "--delta", "100"]
    )
    assert res.exit_code == 0, res.output
    text = res.output.replace("\n", "")
    assert "2次までの仕入先 5 社（1次 3 社、2次 2 社）" in text and "商流圏" in text
    out = tmp_path / "dep.csv"
    res = runner.invoke(
        app, ["firms", "dependence", str(toy_dir), "--company", "A", "--in-region", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    frame = pl.read_csv(out)
    assert (
        set(frame.get_column("company_id")) == {"B", "C", "D"}
        and frame.get_column("delta_output").is_null().all()
    )
    res = runner.invoke(app, ["firms", "dependence", str(toy_dir), "--company", "ZZ"])
    assert res.exit_code == 2 and "企業ID ZZ" in res.output


def test_connector_hub_reads_a_stored_versions_built_analyses_identically(tmp_path):
    """A registered version answers from its built analyses (issue #15 §9) with exactly what the
    computation gives."""
    import shutil

    from chiiki.data.datasets import write_dataset
    from chiiki.data.synth import generate_economy
    from chiiki.services.analysis_files import analyses_dir, build_analyses

    version = tmp_path / "v0001"
    write_dataset(generate_economy(n_firms=1200, years=(2023, 2024), seed=9), version)
    computed = runner.invoke(
        app, ["firms", "connector-hub", str(version), "--format", "csv", "--limit", "100000"]
    )
    build_analyses(version)
    stored = runner.invoke(
        app, ["firms", "connector-hub", str(version), "--format", "csv", "--limit", "100000"]
    )
    assert computed.exit_code == stored.exit_code == 0, stored.output
    assert stored.output.strip() == computed.output.strip() and computed.output.count("\n") > 1000
    shutil.rmtree(analyses_dir(version))
