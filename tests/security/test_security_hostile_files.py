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


def _bomb(path, *, inflated_mb: int) -> None:
    """A workbook whose one sheet inflates from a few MB to ``inflated_mb`` MB (written streaming)."""
    import zipfile

    chunk = b"<c><v>0</v></c>" * 70_000  # about 1 MB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(inflated_mb):
                sheet.write(chunk)


def test_a_workbook_bomb_is_refused_before_parsing_within_bounded_memory(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "bomb"
    src.mkdir()
    _bomb(src / "companies.xlsx", inflated_mb=1024)
    (src / "transactions.csv").write_text(",".join(TRANSACTIONS.names) + "\n", "utf-8")
    assert (src / "companies.xlsx").stat().st_size < 8 * 1024**2  # a few MB on disk, 1 GB inflated
    probe = (
        "import resource, sys\n"
        "from chiiki.data.validation import validate_directory\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"r = validate_directory({str(src)!r})\n"
        "print(r.errors['message'][0])\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    message, grown_mb = out.strip().splitlines()
    assert "読み込みません" in message and "companies.xlsx" in message
    assert int(grown_mb) < 100  # refused from the archive's directory: nothing was inflated


def test_a_csv_saved_as_xlsx_and_an_impossible_sheet_are_clear_errors(tmp_path):
    import zipfile

    (tmp_path / "companies.xlsx").write_text(",".join(COMPANIES.names) + "\n1,2,3\n", "utf-8")
    (tmp_path / "transactions.csv").write_text(",".join(TRANSACTIONS.names) + "\n", "utf-8")
    report = validate_directory(tmp_path)
    assert "中身は CSV" in report.errors["message"][0]
    with zipfile.ZipFile(tmp_path / "companies.xlsx", "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:K5000000"/></worksheet>')
    report = validate_directory(tmp_path)
    assert "Excel の上限" in report.errors["message"][0]
