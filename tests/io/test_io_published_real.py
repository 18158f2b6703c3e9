"""Published tables as they are (issue #11 items 4–6): 総務省's 2015 37-sector workbook against its own
inverse, the 185-sector 2015 table, 宮崎県's 2011 tables, the 2015 12-sector regional tables, and the
national table shipped in the package."""

from __future__ import annotations

from importlib import resources

import numpy as np
import openpyxl
import polars as pl
import pytest
from published_tables import write_xlsx

from chiiki.io import (
    NATIONAL_2015_CREDIT,
    IOSettings,
    IOTableError,
    check_table,
    multiplier_frame,
    national_table_2015,
    national_table_2015_with_report,
    read_io_table,
    read_published_table,
    read_table_with_report,
)

SOUMU = "japan_io_2015_37/soumu_000629595_io2015_37sector_tool.xlsx"
TAKEDA = "japan_io_2015_185/io2015_185_takeda_wide.csv"


def _shared(shared_data, name: str):
    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{path} がありません")
    return path


@pytest.fixture(scope="module")
def soumu(shared_data):
    return _shared(shared_data, SOUMU)


def _official_inverse(path) -> np.ndarray:
    """Sheet ⑥逆行列 read on its own with openpyxl: rows 5–41, columns C–AM (37 × 37)."""
    sheet = openpyxl.load_workbook(path, data_only=True, read_only=True)["⑥逆行列"]
    rows = sheet.iter_rows(min_row=5, max_row=41, min_col=3, max_col=39, values_only=True)
    return np.array(list(rows), dtype=float)


def test_soumu_open_inverse_equals_its_sheet_6(soumu):
    table, report = read_published_table(soumu, sheet="⑤取引基本表")
    official = _official_inverse(soumu)
    assert official.shape == (37, 37)
    assert np.abs(table.B - official).max() <= 1e-8  # the sheet holds 8 decimals
    assert table.n == 37 and table.sectors[0] == "01_農林漁業" and table.sectors[-1] == "69_分類不明"
    assert table.unit == "百万円" and "１００万円" in report.unit_note
    assert table.X.sum() == 1_017_818_388  # README: Σ国内生産額
    assert table.import_names == ("（控除）輸入", "（控除）関税", "（控除）輸入品商品税")
    assert table.export_names == ("輸出",)
    assert "民間消費支出" in table.final_demand_names and "雇用者所得" in table.value_added_names
    assert report.balanced and report.max_balance_difference == 0 and report.unplaced == ()
    assert len(report.of("total")) == 12 and len(report.of("reference")) == 3  # 輸入係数, 自給率 … not read
    assert report.problems == ()


def test_soumu_workbook_without_sheet_reads_the_transaction_sheet(soumu):
    table, report = read_published_table(soumu)
    assert report.sheet == "⑤取引基本表" and table.n == 37
    assert "ただ1つのシート「⑤取引基本表」" in report.notes[0]


def test_soumu_inverse_sheet_is_not_a_transaction_table(soumu):
    with pytest.raises(IOTableError, match="生産額が分かりません"):
        read_published_table(soumu, sheet="⑥逆行列")


def test_packaged_national_table_equals_the_official_workbook(soumu):
    shipped, report = national_table_2015_with_report()
    official, _ = read_published_table(soumu, sheet="⑤取引基本表")
    assert shipped.sectors == official.sectors and shipped.unit == "百万円"
    for block in ("Z", "final_demand", "exports", "imports", "value_added"):
        np.testing.assert_array_equal(getattr(shipped, block), getattr(official, block))
    np.testing.assert_array_equal(shipped.B, official.B)
    assert report.balanced and report.unplaced == ()
    assert national_table_2015() is shipped  # cached


def test_packaged_national_table_carries_its_credit():
    text = resources.files("chiiki.io").joinpath("data", "japan_io_2015_37.csv").read_text("utf-8")
    assert NATIONAL_2015_CREDIT in text and "総務省" in NATIONAL_2015_CREDIT
    readme = resources.files("chiiki.io").joinpath("data", "README.md").read_text("utf-8")
    assert NATIONAL_2015_CREDIT in readme
    table = national_table_2015()
    assert table.n == 37 and table.X.sum() == 1_017_818_388 and table.imports_known


@pytest.fixture(scope="module")
def takeda(shared_data):
    return _shared(shared_data, TAKEDA)


def _takeda_blocks(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z, the final-demand columns (exports and imports included) and X from the CSV by hand."""
    frame = pl.read_csv(path, infer_schema=False)
    codes = frame["row_code"].to_list()
    sector_rows = [i for i, c in enumerate(codes) if c.isdigit()]
    values = frame.drop("row_code", "row_name").cast(pl.Float64).to_numpy()
    n = len(sector_rows)
    return values[np.ix_(sector_rows, range(n))], values[sector_rows, n:-1], values[sector_rows, -1]


def test_185_sector_table_reads_balances_and_matches_a_hand_computation(takeda):
    table, report = read_published_table(takeda, unit="十億円")
    Z, final, x = _takeda_blocks(takeda)
    assert table.n == 185 and table.unit == "十億円"
    np.testing.assert_array_equal(table.Z, Z)
    np.testing.assert_allclose(table.X, x, rtol=0, atol=1e-9)
    assert table.X.sum() == pytest.approx(1_017_818.388, abs=1e-6)  # README, 10億円
    assert table.value_added.sum() == pytest.approx(548_238.714, abs=1e-6)
    imports = final[:, -4:].sum(axis=1)  # impo, impd, imta, imtx
    domestic = Z.sum(axis=1) + final[:, :8].sum(axis=1)  # the 8 domestic final-demand columns
    m = -imports / domestic
    by_hand = np.linalg.inv(np.eye(185) - (1 - m)[:, None] * (Z / x))
    np.testing.assert_allclose(table.B, by_hand, rtol=0, atol=1e-10)
    assert report.balanced and report.max_balance_difference < 1e-9
    assert len(table.export_names) == 2 and len(table.import_names) == 4
    assert len(report.limits) == 3  # no 民間消費支出, no 雇用者所得 (wages split), no employment row
    assert any("家計消費支出" in line for line in report.limits)


def test_185_sector_settings_lift_its_limits(takeda):
    settings = IOSettings(consumption_column="家計消費支出", income_row="賃金・俸給")
    table, report = read_published_table(takeda, settings=settings)
    assert len(report.limits) == 1 and "就業者数" in report.limits[0]
    assert table.h.sum() == pytest.approx(1.0)


def test_185_sector_workbook_in_published_layout_reads_like_the_csv(takeda, tmp_path):
    frame = pl.read_csv(takeda, infer_schema=False)
    columns = frame.columns[2:]
    rows: list[list[object]] = [["平成27年産業連関表（185部門）"], ["（単位：10億円）"], []]
    rows.append(["", "", *(c.split("_", 1)[0] for c in columns)])
    rows.append(["", "", *(c.split("_", 1)[1] for c in columns)])
    for line in frame.iter_rows():
        rows.append([line[0], line[1], *(float(v) if v else None for v in line[2:])])
    book = write_xlsx(rows, tmp_path / "io185.xlsx")
    from_book, report = read_published_table(book)
    from_csv, _ = read_published_table(takeda)
    assert from_book.unit == "十億円" and from_book.sectors == from_csv.sectors
    np.testing.assert_array_equal(from_book.Z, from_csv.Z)
    np.testing.assert_array_equal(from_book.B, from_csv.B)
    assert report.balanced


@pytest.mark.parametrize("sectors", [37, 54])
def test_miyazaki_tables_with_combined_trade_and_adjustment(shared_data, sectors):
    path = _shared(shared_data, f"miyazaki_io_2011/miyazaki2011_{sectors}sector_wide.csv")
    table, report = read_published_table(path, unit="万円")
    assert table.n == sectors and table.unit == "万円"
    assert table.export_names == ("移輸出",) and table.import_names == ("（控除）移輸入",)
    assert "調整項" in table.final_demand_names
    assert table.X.sum() == 637_372_066  # README: Σ県内生産額 (万円)
    assert table.exports.sum() == 154_506_564 and table.imports.sum() == -211_826_339
    assert report.balanced and report.max_balance_difference == 0 and report.unplaced == ()
    assert any(p.label.endswith("県内需用合計") for p in report.of("total"))  # the original's spelling
    check_table(table)


@pytest.fixture(scope="module")
def twelve(shared_data):
    return _shared(shared_data, "regional_io_2015_12sector.csv")


def test_12_sector_table_loads_and_says_what_it_cannot_compute(twelve):
    table, report = read_published_table(twelve, area="07000")
    raw = pl.read_csv(twelve, infer_schema=False).filter(pl.col("AreaID(string)") == "07000")
    Z = np.array([[float(raw[f"R{i}C{j}"][0]) for j in range(1, 13)] for i in range(1, 13)])
    Y = np.array([float(raw[f"Y{i}"][0]) for i in range(1, 13)])
    assert table.n == 12 and table.sectors[2] == "03_製造業" and table.unit == "百万円"
    np.testing.assert_array_equal(table.Z, Z)
    np.testing.assert_array_equal(table.X, Y)
    np.testing.assert_allclose(table.A, Z / Y)
    np.testing.assert_allclose(table.L, np.linalg.inv(np.eye(12) - Z / Y), rtol=1e-12)
    assert "福島県" in report.form and not table.imports_known
    limits = "\n".join(report.limits)
    assert "輸入（移輸入）の列がない" in limits and "--imports-zero" in limits
    assert "民間消費支出" in limits and "雇用者所得" in limits
    assert any("生産額－中間需要" in n for n in report.notes)


def test_12_sector_open_model_is_refused_unless_imports_are_stated_zero(twelve):
    table = read_io_table(twelve, area="福島県")  # loads and checks (closed model)
    with pytest.raises(IOTableError, match="輸入（移輸入）の列がない"):
        _ = table.B
    with pytest.raises(IOTableError, match="--imports-zero"):
        _ = table.m
    frame = multiplier_frame(table)
    assert frame["open_multiplier"].null_count() == 12 and frame["closed_multiplier"].null_count() == 0
    stated = table.with_imports_zero()
    np.testing.assert_allclose(stated.B, table.L, rtol=1e-12)  # m = 0: the open model is the closed one
    assert np.all(stated.m == 0)


def test_12_sector_area_must_be_chosen_and_known(twelve):
    with pytest.raises(IOTableError, match="地域が 49 あります") as info:
        read_published_table(twelve)
    assert "07000（福島県）" in str(info.value) and "01100（札幌市）" in str(info.value)
    with pytest.raises(IOTableError, match="地域「99999」がありません"):
        read_published_table(twelve, area="99999")
    national, _ = read_published_table(twelve, area="00000")
    shipped = national_table_2015()
    # the 12-sector national row is the 37-sector table's intermediate flows reclassified: same total
    assert national.Z.sum() == pytest.approx(shipped.Z.sum(), rel=1e-9)


def test_contract_forms_read_with_a_report(shared_data):
    path = _shared(shared_data, "japan_io_2011_13sector_long.csv")
    table, report = read_table_with_report(path)
    assert report.form.startswith("縦持ち") and table.n == 13 and report.balanced
    assert report.sectors == tuple(table.labels) and report.of("import")
