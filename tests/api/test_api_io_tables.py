"""``/api/v1/io/tables``, ``/io/regional``, ``/io/circulation``, ``/io/scenarios`` and the ripple's
``table`` (issue #11 §5–6, issue #14 §1–5): results equal the core's, scope and errors in Japanese."""

from __future__ import annotations

from importlib import resources

import polars as pl
import pytest

from chiiki.io import demand_matrix, national_table_2015, ripple
from chiiki.io.circulation import circulation
from chiiki.io.national import NATIONAL_2015_CREDIT
from chiiki.io.ranges import RangeSettings, ripple_ranges
from chiiki.io.templates import scenarios_from_spec

NO_IMPORTS = (
    "○○県産業連関表（輸入の列なし）\n（単位：百万円）\n"
    ",01 農業,02 工業,民間消費支出,移輸出,県内生産額\n"
    "01 農業,10,20,50,20,100\n02 工業,30,40,80,50,200\n"
    "雇用者所得,40,90\n営業余剰,20,50\n県内生産額,100,200\n"
)


def national_csv() -> bytes:
    return resources.files("chiiki.io").joinpath("data", "japan_io_2015_37.csv").read_bytes()


@pytest.fixture(scope="module")
def uploaded(client, tokens) -> str:
    r = client.post("/api/v1/io/tables", headers=tokens["fukushima"], files={"file": ("pref.csv", national_csv())},
                    data={"title": "API で登録した表"})  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stored"] and body["table_id"].startswith("upload-") and len(body["report"]["sectors"]) == 37
    return body["table_id"]


def test_tables_list_starts_with_the_national_default(client, tokens, uploaded):
    ids = [t["id"] for t in client.get("/api/v1/io/tables", headers=tokens["koriyama"]).json()]
    assert ids[0] == "national" and uploaded in ids
    assert uploaded not in [t["id"] for t in client.get("/api/v1/io/tables", headers=tokens["tokyo"]).json()]


def test_ripple_takes_a_table_id_and_names_the_credit(client, tokens, uploaded):
    body = {"table": uploaded, "demand": [{"sector": "電子部品", "value": 100.0}]}
    r = client.post("/api/v1/io/ripple", json=body, headers=tokens["fukushima"])
    assert r.status_code == 200, r.text
    table = national_table_2015()
    F, _ = demand_matrix(table, pl.DataFrame({"sector": ["電子部品"], "value": [100.0]}))
    want = ripple(table, F).summary.filter(pl.col("stage") == "総合効果")
    got = {x["measure"]: x["value"] for x in r.json()["summary"] if x["stage"] == "総合効果"}
    for measure, value in zip(want["measure"].cast(pl.Utf8), want["value"], strict=True):
        assert got[measure] == pytest.approx(value, rel=1e-12)
    default = client.post(
        "/api/v1/io/ripple", json={"demand": body["demand"]}, headers=tokens["tokyo"]
    ).json()
    assert default["table_id"] == "national" and default["credit"] == NATIONAL_2015_CREDIT
    denied = client.post("/api/v1/io/ripple", json=body, headers=tokens["tokyo"])
    assert denied.status_code == 404 and "閲覧できない表" in denied.json()["detail"]


def test_upload_dry_run_stores_nothing_and_others_may_not_upload(client, tokens):
    before = len(client.get("/api/v1/io/tables", headers=tokens["fukushima"]).json())
    r = client.post("/api/v1/io/tables", headers=tokens["fukushima"], files={"file": ("x.csv", NO_IMPORTS.encode())},
                    data={"dry_run": "true"})  # fmt: skip
    assert r.status_code == 200 and not r.json()["stored"]
    assert any("輸入（移輸入）の列がない" in x for x in r.json()["limits"])
    assert len(client.get("/api/v1/io/tables", headers=tokens["fukushima"]).json()) == before
    r = client.post(
        "/api/v1/io/tables", headers=tokens["koriyama"], files={"file": ("x.csv", national_csv())}
    )
    assert r.status_code == 403 and "都道府県の担当者だけ" in r.json()["detail"]
    r = client.post("/api/v1/io/tables", headers=tokens["fukushima"], files={"file": ("x.pdf", b"%PDF")})
    assert r.status_code == 422 and "形式は使えません" in r.json()["detail"]


def test_table_without_imports_needs_imports_zero(client, tokens):
    r = client.post(
        "/api/v1/io/tables", headers=tokens["fukushima"], files={"file": ("n.csv", NO_IMPORTS.encode())}
    )
    table_id = r.json()["table_id"]
    body = {"table": table_id, "demand": [{"sector": "農業", "value": 10.0}]}
    refused = client.post("/api/v1/io/ripple", json=body, headers=tokens["fukushima"])
    assert refused.status_code == 422 and "imports_zero" in refused.json()["detail"]
    ok = client.post("/api/v1/io/ripple", json={**body, "imports_zero": True}, headers=tokens["fukushima"])
    assert ok.status_code == 200, ok.text
    production = {x["stage"]: x["value"] for x in ok.json()["summary"] if x["measure"] == "生産誘発額"}
    # by hand: (I − A)⁻¹ ΔF with A = [[0.1, 0.1], [0.3, 0.2]], ΔF = (10, 0): (8 + 3) / 0.69
    assert production["直接効果"] + production["第1次間接効果"] == pytest.approx(11 / 0.69, rel=1e-12)
    report = client.get(f"/api/v1/io/tables/{table_id}", headers=tokens["koriyama"])
    assert report.status_code == 200 and report.json()["report"]["sectors"] == ["01_農業", "02_工業"]


def test_regional_json_csv_and_errors(client, tokens):
    r = client.get("/api/v1/io/regional?region=07&method=cilq", headers=tokens["fukushima"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["table_id"] == "regional:07:cilq:0.05"
        and len(body["sectors"]) == 37
        and body["credit"] == NATIONAL_2015_CREDIT
    )
    csv = client.get("/api/v1/io/regional?region=07&format=csv", headers=tokens["fukushima"])
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    bad = client.get("/api/v1/io/regional?region=07&method=zlq", headers=tokens["fukushima"])
    assert bad.status_code == 422 and "推計方法" in bad.json()["detail"]
    ripple_jobs = client.post("/api/v1/io/ripple", headers=tokens["fukushima"],
                              json={"table": body["table_id"], "demand": [{"sector": "商業", "value": 1e6}]})  # fmt: skip
    assert ripple_jobs.status_code == 200 and ripple_jobs.json()["jobs"]


def test_circulation_of_the_national_table(client, tokens):
    r = client.get("/api/v1/io/circulation?table=national", headers=tokens["reviewer"])
    assert r.status_code == 200
    circ = circulation(national_table_2015())
    assert r.json()["rate"] == pytest.approx(circ.rate) and r.json()["production"] == pytest.approx(
        circ.production
    )
    assert [x["部門"] for x in r.json()["net_exports"]] == circ.net_exports["部門"].to_list()


def test_scenarios_with_ranges_equal_the_core(client, tokens):
    specs = [{"name": "建設", "template": "construction", "amounts": {"public_works": 300.0}},
             {"name": "輸出", "template": "exports", "amounts": {"35": 100.0}}]  # fmt: skip
    body = {"scenarios": specs, "c": 0.7, "c_low": 0.6, "c_high": 0.8, "import_change": 0.1}
    r = client.post("/api/v1/io/scenarios", json=body, headers=tokens["tokyo"])
    assert r.status_code == 200, r.text
    want = ripple_ranges(national_table_2015(), scenarios_from_spec(specs),
                         settings=RangeSettings(c=0.7, c_low=0.6, c_high=0.8, import_change=0.1)).frame  # fmt: skip
    got = pl.DataFrame(r.json()["ranges"])
    assert got.select("low", "central", "high").to_numpy() == pytest.approx(
        want.select("low", "central", "high").to_numpy()
    )
    assert r.json()["cases"] == 9
    bad = client.post(
        "/api/v1/io/scenarios",
        json={"scenarios": [{"name": "x", "template": "rocket"}]},
        headers=tokens["tokyo"],
    )
    assert bad.status_code == 422 and "rocket" in bad.json()["detail"]
