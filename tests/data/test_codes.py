"""Integer company codes stored beside a data set (chiiki.data.codes): written with every Parquet
data set, not part of the input contract, read back row-aligned (SPEC §2 storage, issue #3)."""

from __future__ import annotations

import json

import polars as pl
from polars.testing import assert_frame_equal

from chiiki.data import read_dataset
from chiiki.data.codes import (
    CODE_FILES,
    COMPANY_CODE,
    CUSTOMER_CODE,
    MANIFEST_KEY,
    SUPPLIER_CODE,
    scan_stored,
    strip_codes,
    with_codes,
)
from chiiki.data.contract import COMPANIES
from chiiki.data.datasets import import_dataset, write_dataset
from chiiki.data.readers import MANIFEST, read_manifest
from chiiki.data.validation import validate_directory
from chiiki.firms.examples import toy_economy


def test_codes_follow_id_order_and_are_null_for_unknown_parties():
    ds = with_codes(toy_economy())
    ids = ds.companies.select("company_id", COMPANY_CODE).unique().sort("company_id")
    assert ids.get_column(COMPANY_CODE).to_list() == list(range(8))  # A..H, every year alike
    x = ds.transactions.filter(pl.col("supplier_id") == "X")
    assert x.get_column(SUPPLIER_CODE).null_count() == x.height  # X is no company
    assert x.get_column(CUSTOMER_CODE).to_list() == [0] * x.height  # A
    assert_frame_equal(strip_codes(ds.companies), toy_economy().companies)


def test_stored_data_set_keeps_the_contract_files_and_adds_code_files(tmp_path):
    toy = toy_economy()
    manifest = write_dataset(with_codes(toy), tmp_path)  # codes in the frames are not written into them
    assert pl.read_parquet(tmp_path / "companies.parquet").columns == COMPANIES.names
    assert COMPANY_CODE not in pl.read_parquet(tmp_path / "transactions.parquet").columns
    assert set(manifest["files"]) == {"companies.parquet", "transactions.parquet"}
    assert {e["file"] for e in manifest[MANIFEST_KEY]["files"].values()} == set(CODE_FILES.values())
    report = validate_directory(tmp_path)  # a stored directory is still a valid input directory
    assert not report.has_errors  # (the toy has warnings of its own: unknown partner X, a self-link)
    assert_frame_equal(read_dataset(tmp_path).companies, toy.companies)


def test_scan_stored_reads_the_coded_form_row_aligned(tmp_path):
    toy = toy_economy()
    write_dataset(toy, tmp_path)
    manifest = read_manifest(tmp_path)
    coded = scan_stored(tmp_path, manifest, company_years=[2024], link_years=[2024], coded=True)
    expected = with_codes(toy)
    assert_frame_equal(coded.companies, expected.companies.filter(pl.col("fiscal_year") == 2024))
    assert_frame_equal(
        coded.transactions,
        expected.transactions.filter(pl.col("fiscal_year") == 2024).drop("supplier_id", "customer_id"),
    )
    plain = scan_stored(tmp_path, manifest, company_years=[2024], link_years=[2024])
    assert_frame_equal(plain.transactions, toy.transactions.filter(pl.col("fiscal_year") == 2024))


def test_scan_stored_ignores_codes_when_a_table_was_replaced(tmp_path):
    toy = toy_economy()
    write_dataset(toy, tmp_path)
    manifest = read_manifest(tmp_path)
    toy.transactions.head(5).write_parquet(tmp_path / "transactions.parquet")  # edited by hand
    ds = scan_stored(tmp_path, manifest, coded=True)
    assert COMPANY_CODE not in ds.companies.columns and "supplier_id" in ds.transactions.columns
    assert ds.transactions.height == 5
    del manifest[MANIFEST_KEY]  # an older data set without codes reads as before
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    assert "supplier_id" in scan_stored(tmp_path, read_manifest(tmp_path), coded=True).transactions.columns


def test_csv_output_has_no_code_files(tmp_path):
    manifest = write_dataset(toy_economy(), tmp_path, fmt="csv")
    assert MANIFEST_KEY not in manifest
    assert not any((tmp_path / f).exists() for f in CODE_FILES.values())


def test_import_writes_codes_and_user_code_columns_stay_an_error(tmp_path):
    toy = toy_economy()
    src = tmp_path / "src"
    src.mkdir()
    toy.companies.write_csv(src / "companies.csv")
    toy.transactions.write_csv(src / "transactions.csv")
    result = import_dataset(src, tmp_path / "store")
    assert MANIFEST_KEY in result.manifest
    coded = scan_stored(result.path, result.manifest, coded=True)
    assert_frame_equal(coded.companies, with_codes(read_dataset(result.path)).companies)
    bad = tmp_path / "bad"
    bad.mkdir()
    with_codes(toy).companies.write_csv(bad / "companies.csv")
    toy.transactions.write_csv(bad / "transactions.csv")
    report = validate_directory(bad)
    assert "extra_column" in report.errors.get_column("code").to_list()
