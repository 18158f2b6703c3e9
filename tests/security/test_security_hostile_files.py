"""Hostile and degenerate files (issue #10 §6): clear Japanese errors, nothing imported."""

from __future__ import annotations

import polars as pl
import pytest

from chiiki.data import COMPANIES, TRANSACTIONS
from chiiki.data.datasets import import_dataset
from chiiki.data.validation import DataValidationError, validate_directory


def _codes(report) -> set[str]:
    return set(report.errors.get_column("code"))


def test_a_companies_file_with_only_a_header_is_refused_and_not_imported(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "companies.csv").write_text(",".join(COMPANIES.names) + "\n", "utf-8")
    (src / "transactions.csv").write_text(",".join(TRANSACTIONS.names) + "\n", "utf-8")
    report = validate_directory(src)
    assert report.has_errors and "no_rows" in _codes(report)
    assert "見出し行しかありません" in report.errors.filter(pl.col("code") == "no_rows")["message"][0]
    with pytest.raises(DataValidationError):
        import_dataset(src, tmp_path / "store")
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("companies.*"))


def test_a_parquet_file_with_list_columns_is_a_clear_error(tmp_path):
    pl.DataFrame({c: [["x"]] if c == "name" else ["1"] for c in COMPANIES.names}).write_parquet(
        tmp_path / "companies.parquet"
    )
    pl.DataFrame({c: [[1]] if c == "amount" else ["1"] for c in TRANSACTIONS.names}).write_parquet(
        tmp_path / "transactions.parquet"
    )
    report = validate_directory(tmp_path)
    bad = report.errors.filter(pl.col("code") == "unsupported_type")
    assert sorted(bad.get_column("column")) == ["amount", "name"]
    assert all("型" in m and "使えません" in m for m in bad.get_column("message"))
