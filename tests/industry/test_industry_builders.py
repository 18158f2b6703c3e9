"""Builders and aggregation of the region × industry frame (SPEC §4)."""

from __future__ import annotations

import polars as pl
import pytest

from chiiki.data import Dataset
from chiiki.industry import IndustryDataError, aggregate_industry, matrix_from_firms, read_matrix_csv


def _dataset() -> Dataset:
    companies = pl.DataFrame(
        {
            "company_id": ["a", "b", "c", "a"],
            "corporate_number": [None] * 4,
            "name": ["A", "B", "C", "A"],
            "prefecture_code": ["07", "07", "13", "07"],
            "municipality_code": ["07201", "07201", "13101", "07201"],
            "jsic_code": ["09", "09", "29", "09"],
            "fiscal_year": [2023, 2023, 2023, 2024],
            "sales": [100, 200, 300, 150],
            "operating_profit": [10, None, 30, 12],
            "employees": [5, None, 20, 6],
            "payroll": [40, 50, 60, 45],
        },
        schema_overrides={"corporate_number": pl.Utf8},
    )
    transactions = pl.DataFrame(
        schema={"supplier_id": pl.Utf8, "customer_id": pl.Utf8, "fiscal_year": pl.Int64, "amount": pl.Int64}
    )
    return Dataset(companies, transactions)


def test_matrix_from_firms_sums_by_prefecture_industry_year():
    f = matrix_from_firms(_dataset())
    got = {
        (r["region_code"], r["industry_code"], r["measure"], r["fiscal_year"]): r["value"]
        for r in f.iter_rows(named=True)
    }
    assert got[("07", "09", "employees", 2023)] == 5
    assert got[("07", "09", "establishments", 2023)] == 2
    assert got[("07", "09", "sales", 2023)] == 300
    assert got[("07", "09", "value_added", 2023)] == 50  # firm b has no operating profit
    assert got[("07", "09", "value_added", 2024)] == 57
    assert got[("13", "29", "sales", 2023)] == 300


def test_matrix_from_firms_by_municipality():
    f = matrix_from_firms(_dataset(), region="municipality")
    assert set(f["region_code"].to_list()) == {"07201", "13101"}
    with pytest.raises(IndustryDataError, match="prefecture か municipality"):
        matrix_from_firms(_dataset(), region="block")


def _write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "matrix.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_read_matrix_csv_reads_long_form_with_year_and_pads_codes(tmp_path):
    path = _write(
        tmp_path,
        '\ufeffregion_code,industry_code,measure,value,fiscal_year\n7,9,employees,"1,200",2024\n13,291,sales,5,2024\n',
    )
    f = read_matrix_csv(path)
    assert f["region_code"].to_list() == ["07", "13"]
    assert f["industry_code"].to_list() == ["09", "291"]
    assert f["value"].to_list() == [1200.0, 5.0]
    assert f.schema["fiscal_year"] == pl.Int64


def test_read_matrix_csv_reads_shift_jis(tmp_path):
    path = _write(tmp_path, "region_code,industry_code,measure,value\n07,E,value_added,10\n", "cp932")
    assert read_matrix_csv(path).height == 1


def test_read_matrix_csv_unknown_jsic_codes_reported(tmp_path):
    path = _write(
        tmp_path,
        "region_code,industry_code,measure,value\n07,09,employees,1\n07,9Z,employees,2\n07,100,workers,x\n07,,sales,-1\n",
    )
    with pytest.raises(IndustryDataError) as err:
        read_matrix_csv(path)
    msg = str(err.value)
    assert "3行目 industry_code='9Z'" in msg and "日本標準産業分類" in msg
    assert "4行目 measure='workers'" in msg
    assert "4行目 value='x'" in msg
    assert "5行目" in msg and "産業コードが空" in msg and "負の値" in msg
    assert "4 件" in msg or "件の問題" in msg


def test_read_matrix_csv_missing_columns_and_file(tmp_path):
    with pytest.raises(IndustryDataError, match="必要な列がありません: measure"):
        read_matrix_csv(_write(tmp_path, "region_code,industry_code,value\n07,09,1\n"))
    with pytest.raises(IndustryDataError, match="ファイルがありません"):
        read_matrix_csv(tmp_path / "nope.csv")


def test_aggregate_industry_minor_to_middle_to_major():
    f = pl.DataFrame(
        {
            "region_code": ["07", "07", "07", "07"],
            "industry_code": ["091", "092", "09", "291"],
            "measure": "employees",
            "value": [1.0, 2.0, 4.0, 8.0],
        }
    )
    middle = aggregate_industry(f, to="middle")
    assert dict(zip(middle["industry_code"], middle["value"], strict=True)) == {"09": 7.0, "29": 8.0}
    major = aggregate_industry(middle, to="major")
    assert major["industry_code"].to_list() == ["E"] and major["value"].item() == 15.0


def test_aggregate_industry_rejects_major_mixed_with_finer_and_unknown():
    f = pl.DataFrame(
        {"region_code": "07", "industry_code": ["E", "09"], "measure": "employees", "value": [1.0, 2.0]}
    )
    with pytest.raises(IndustryDataError, match="大分類"):
        aggregate_industry(f, to="middle")
    assert (
        aggregate_industry(f.filter(pl.col("industry_code") == "E"), to="middle")["industry_code"].item()
        == "E"
    )
    with pytest.raises(IndustryDataError, match="ZZ"):
        aggregate_industry(f.with_columns(industry_code=pl.lit("ZZ")), to="major")
