import json

from typer.testing import CliRunner

from chiiki.cli.main import app

runner = CliRunner()


def test_reference_municipalities_for_fukushima_as_json():
    res = runner.invoke(app, ["reference", "municipalities", "--pref", "07", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) == 59 and rows[0]["prefecture_code"] == "07"
    assert {"municipality_code", "check_digit", "name", "lat", "lng"} <= rows[0].keys()


def test_reference_prefectures_csv_keeps_leading_zeros():
    res = runner.invoke(app, ["reference", "prefectures", "--format", "csv"])
    assert res.exit_code == 0
    assert res.output.splitlines()[1].startswith("01,北海道")


def test_reference_fields_lists_17_with_jsic():
    res = runner.invoke(app, ["reference", "fields", "--format", "json"])
    rows = json.loads(res.output)
    assert len(rows) == 17 and "28" in rows[0]["jsic"]


def test_reference_blocks_filtered_by_prefecture():
    res = runner.invoke(app, ["reference", "blocks", "--pref", "07", "--format", "json"])
    assert [r["name"] for r in json.loads(res.output)] == ["東北"]


def test_unknown_prefecture_is_a_clear_error():
    res = runner.invoke(app, ["reference", "municipalities", "--pref", "99"])
    assert res.exit_code == 2
    assert "01〜47" in res.output
