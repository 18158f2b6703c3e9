"""Published IO-table layouts the tests build themselves (issue #11 item 4): each must read to the same
hand-worked table, with every total recognised and checked, and nothing else read as a sector."""

from __future__ import annotations

import numpy as np
import pytest
from published_tables import (
    EX,
    FD,
    FD_NAMES,
    IM,
    M_HAND,
    VA,
    VA_NAMES,
    Style,
    X,
    Z,
    no_import_rows,
    published_rows,
    write_csv,
    write_xlsx,
)

from chiiki.io import (
    IOTableError,
    SheetChoiceError,
    read_io_table,
    read_published_table,
    read_table_with_report,
)

SECTORS = ("01_農業", "02_製造業", "03_サービス")

STYLES = {
    "code_and_name_rows": Style(),
    "code_name_in_one_cell": Style(labels="one_cell"),
    "one_cell_full_width_space": Style(labels="one_cell", separator="\u3000"),
    "one_cell_underscore": Style(labels="one_cell", separator="_"),
    "code_name_header_and_two_columns": Style(labels="mixed"),
    "exports_combined": Style(trade="combined"),
    "full_width_spaces_in_names": Style(name_spaces=True),
    "half_width_brackets": Style(half_width_brackets=True),
    "no_title_rows": Style(title_rows=()),
    "national_words": Style(region="国内"),
}


def _check_table(table, style: Style) -> None:
    assert table.sectors == SECTORS
    np.testing.assert_array_equal(table.Z, Z)
    np.testing.assert_array_equal(table.X, X)
    np.testing.assert_allclose(table.m, M_HAND, rtol=1e-14)
    np.testing.assert_array_equal(table.value_added, VA)
    assert table.value_added_names == tuple(
        n.replace("（", "(").replace("）", ")") if style.half_width_brackets else n for n in VA_NAMES
    )
    np.testing.assert_array_equal(table.final_demand, FD)
    assert table.final_demand_names == tuple(FD_NAMES)
    if style.trade == "combined":
        assert table.export_names == ("移輸出",)
        np.testing.assert_array_equal(table.exports, EX.sum(1, keepdims=True))
        np.testing.assert_array_equal(table.imports, IM.sum(1, keepdims=True))
    else:
        assert table.export_names == ("輸出", "移出")
        np.testing.assert_array_equal(table.imports, IM)
    expected_b = np.linalg.inv(np.eye(3) - (1 - M_HAND)[:, None] * (Z / X))
    np.testing.assert_allclose(table.B, expected_b, rtol=1e-12)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("name", list(STYLES))
def test_each_published_layout_reads_the_hand_worked_table(tmp_path, name, fmt):
    style = STYLES[name]
    rows = published_rows(style)
    path = write_xlsx(rows, tmp_path / "t.xlsx") if fmt == "xlsx" else write_csv(rows, tmp_path / "t.csv")
    table, report = read_published_table(path)
    _check_table(table, style)
    assert report.unplaced == ()
    assert report.balanced and report.max_balance_difference == 0
    assert table.unit == ("百万円" if style.title_rows else "")
    totals = [p.label.split("_", 1)[1] for p in report.of("total")]
    region = style.region
    assert f"{region}生産額" in totals and "内生部門計" in totals and f"{region}最終需要計" in totals
    # every total checked (the output row twice: against the column totals and against X), and rows vs columns
    assert len(report.balances) == len(report.of("total")) + 2
    assert report.problems == ()
    assert any("就業者数" in line for line in report.limits) and len(report.limits) == 1


def test_shift_jis_csv_with_title_rows_and_ten_thousand_yen(tmp_path):
    rows = published_rows(Style(title_rows=("平成23年 ○○県産業連関表", "単位：万円")))
    path = write_csv(rows, tmp_path / "sjis.csv", encoding="cp932")
    table, report = read_published_table(path)
    _check_table(table, Style())
    assert table.unit == "万円" and "単位：万円" in report.unit_note


@pytest.mark.parametrize(
    ("note", "unit"),
    [
        ("（単位：百万円）", "百万円"),
        ("（単位：１００万円）", "百万円"),
        ("単位：万円", "万円"),
        ("(単位:千円)", "千円"),
        ("単位　10億円", "十億円"),
        ("取引基本表（千円）", "千円"),
    ],
)
def test_unit_comes_from_the_unit_note(tmp_path, note, unit):
    path = write_xlsx(published_rows(Style(title_rows=("産業連関表", note))), tmp_path / "u.xlsx")
    table, report = read_published_table(path)
    assert table.unit == unit and report.unit == unit


def test_unit_argument_overrides_and_missing_note_is_said(tmp_path):
    path = write_csv(published_rows(Style(title_rows=())), tmp_path / "t.csv")
    _, report = read_published_table(path)
    assert report.unit == "" and any("単位の記載が見つかりません" in n for n in report.notes)
    table, report = read_published_table(path, unit="万円")
    assert table.unit == "万円" and not any("単位" in n for n in report.notes)


def test_conflicting_unit_notes_are_an_error(tmp_path):
    path = write_xlsx(published_rows(Style(title_rows=("単位：百万円", "単位：千円"))), tmp_path / "u.xlsx")
    with pytest.raises(IOTableError, match="単位の記載が食い違っています"):
        read_published_table(path)


def test_adjustment_column_is_final_demand_and_counts_in_domestic_demand(tmp_path):
    table, report = read_published_table(write_xlsx(published_rows(), tmp_path / "t.xlsx"))
    assert "調整項" in table.final_demand_names
    domestic = next(b for b in report.balances if b.check.startswith("県内需要合計"))
    assert domestic.ok and domestic.max_difference == 0  # 県内需要合計 includes 調整項 (−1 in サービス)


def test_deductions_written_as_positive_numbers_are_made_negative(tmp_path):
    rows = published_rows(Style(trade="combined"))
    header = rows[4]
    column = header.index("（控除）移輸入")
    for row in rows[5:9]:  # the three sectors and 内生部門計, as a publisher writing 控除 unsigned would
        row[column] = -row[column]
    table, report = read_published_table(write_xlsx(rows, tmp_path / "t.xlsx"))
    np.testing.assert_array_equal(table.imports, IM.sum(1, keepdims=True))
    assert any("正の値で書かれているため、マイナス" in n for n in report.notes)


def test_unplaceable_row_and_column_are_reported_and_not_read(tmp_path):
    rows = published_rows()
    rows.insert(8, ["", "謎の行", 1.0, 2.0, 3.0])  # under the sectors, before 内生部門計
    for k, row in enumerate(rows):
        row += [None] * (40 - len(row))
        if k == 3:
            row[35] = "99"
        elif k == 4:
            row[35] = "参考値"
        elif k >= 5:
            row[35] = 7.0
    path = write_xlsx(rows, tmp_path / "t.xlsx")
    table, report = read_published_table(path)
    assert table.sectors == SECTORS
    np.testing.assert_array_equal(table.Z, Z)
    unplaced = {(p.axis, p.label, p.where) for p in report.unplaced}
    assert ("row", "謎の行", "行 9") in unplaced
    assert ("column", "99_参考値", "列 AJ") in unplaced
    assert report.balanced  # what could not be placed is not read: the published totals still hold


def test_unbalanced_totals_are_reported_with_the_difference(tmp_path):
    z = Z.copy()
    z[1, 2] += 5  # 製造業 → サービス changed, totals left as published
    path = write_xlsx(published_rows(z=z), tmp_path / "t.xlsx")
    table, report = read_published_table(path)
    assert not report.balanced
    failed = {b.check.split("（")[0]: b for b in report.balances if not b.ok}
    assert failed["内生部門計"].max_difference == 5 and failed["内生部門計"].at == "02_製造業"
    assert failed["県内生産額"].max_difference == 5  # the published output no longer equals X
    core = next(b for b in report.balances if b.check.startswith("行計"))
    assert not core.ok and core.max_difference == 5 and core.at in ("02_製造業", "03_サービス")
    with pytest.raises(IOTableError, match="一致しません"):
        read_io_table(path)


def test_text_in_the_numbers_names_the_cell(tmp_path):
    rows = published_rows()
    rows[7][3] = "1２x"
    with pytest.raises(IOTableError, match="数値として読めない") as info:
        read_published_table(write_xlsx(rows, tmp_path / "t.xlsx"))
    assert "行 8, 列 D" in str(info.value) and "1２x" in str(info.value)


def test_japanese_negative_marks_and_dashes_are_numbers(tmp_path):
    rows = published_rows(Style(trade="combined"))
    column = rows[4].index("（控除）移輸入")
    rows[5][column] = "△20"
    rows[5][rows[4].index("一般政府消費支出")] = "－"
    table, _ = read_published_table(write_csv(rows, tmp_path / "t.csv"))
    assert table.imports[0, 0] == -20 and table.final_demand[0, 1] == 0


def test_a_csv_saved_under_xlsx_still_reads(tmp_path):
    path = write_csv(published_rows(), tmp_path / "really_csv.xlsx")
    table, _ = read_published_table(path)
    assert table.sectors == SECTORS


def test_uploaded_bytes_read_like_the_file(tmp_path):
    path = write_xlsx(published_rows(Style(labels="one_cell")), tmp_path / "t.xlsx")
    table, report = read_table_with_report(path.read_bytes(), name="福島県表.xlsx")
    assert table.sectors == SECTORS and report.source == "福島県表.xlsx"


def test_several_table_sheets_without_a_choice_name_every_sheet(tmp_path):
    rows = published_rows()
    path = write_xlsx(
        rows, tmp_path / "t.xlsx", sheet="37部門", extra={"54部門": rows, "説明": [["この表は…"]]}
    )
    with pytest.raises(SheetChoiceError, match="シートが 3 枚") as info:
        read_published_table(path)
    assert info.value.sheets == ("37部門", "54部門", "説明")
    assert "37部門" in str(info.value) and "54部門" in str(info.value)
    table, report = read_published_table(path, sheet="54部門")
    assert report.sheet == "54部門" and table.sectors == SECTORS
    with pytest.raises(SheetChoiceError, match="「99部門」がありません") as info:
        read_published_table(path, sheet="99部門")
    assert info.value.sheets == ("37部門", "54部門", "説明")


def test_the_one_table_sheet_is_read_and_said(tmp_path):
    path = write_xlsx(
        published_rows(), tmp_path / "t.xlsx", sheet="取引基本表", extra={"説明": [["注意"], ["x"]]}
    )
    table, report = read_published_table(path)
    assert report.sheet == "取引基本表" and "ただ1つのシート「取引基本表」" in report.notes[0]


def test_sheet_given_for_a_csv_is_an_error(tmp_path):
    with pytest.raises(IOTableError, match="CSV ファイルにはシートがありません"):
        read_published_table(write_csv(published_rows(), tmp_path / "t.csv"), sheet="表")


def test_a_sheet_with_no_table_says_the_form_is_unknown(tmp_path):
    path = write_csv([["a", "b"], [1, 2]], tmp_path / "odd.csv")
    with pytest.raises(IOTableError, match="産業連関表の形式が分かりません"):
        read_io_table(path)


def test_employment_row_is_used_and_not_value_added(tmp_path):
    rows = published_rows()
    rows.append(["56", "従業者数（人）", 12.0, 30.0, 45.0])
    table, report = read_published_table(write_xlsx(rows, tmp_path / "t.xlsx"))
    np.testing.assert_array_equal(table.employment, [12, 30, 45])
    assert table.value_added_names == tuple(VA_NAMES)
    assert [p.label for p in report.of("employment")] == ["56_従業者数（人）"]
    assert not any("就業者数" in line for line in report.limits)


def test_settings_change_which_limits_apply(tmp_path):
    from chiiki.io import IOSettings

    path = write_xlsx(published_rows(), tmp_path / "t.xlsx")
    _, report = read_published_table(path, settings=IOSettings(consumption_column="家計消費支出"))
    assert any("民間消費支出の列（設定「家計消費支出」）" in line for line in report.limits)


def test_subtotal_columns_are_not_sectors(tmp_path):
    rows = published_rows(Style(labels="one_cell"))
    for k, row in enumerate(rows):
        row += [None] * (40 - len(row))
        row[36] = "91 第1次産業計" if k == 3 else (1.0 if k >= 4 else None)
    table, report = read_published_table(write_xlsx(rows, tmp_path / "t.xlsx"))
    assert table.sectors == SECTORS
    assert any("内訳の分からない小計" in n for n in report.notes)


def test_hand_worked_table_balances():
    # the builder computes its totals from the blocks: a guard that the fixtures themselves balance
    assert np.array_equal(Z.sum(1) + FD.sum(1) + EX.sum(1) + IM.sum(1), X)
    assert np.array_equal(Z.sum(0) + VA.sum(0), X)


def test_a_table_without_import_columns_loads_and_refuses_the_open_model(tmp_path):
    table, report = read_published_table(write_xlsx(no_import_rows(), tmp_path / "t.xlsx"))
    assert not table.imports_known and report.balanced and report.problems == ()
    assert any("輸入（移輸入）の列がないため" in line for line in report.limits)
    with pytest.raises(IOTableError, match="輸入（移輸入）の列がない"):
        _ = table.B
    np.testing.assert_allclose(table.L, np.linalg.inv(np.eye(2) - np.array([[0.1, 0.1], [0.3, 0.2]])))
    stated = table.with_imports_zero()
    np.testing.assert_array_equal(stated.m, [0, 0])
    np.testing.assert_allclose(stated.B, table.L, rtol=1e-14)


def test_report_is_plain_json_data(tmp_path):
    import json

    _, report = read_published_table(write_xlsx(published_rows(), tmp_path / "t.xlsx"))
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert data["sectors"] == list(SECTORS) and data["unit"] == "百万円"
    assert all(b["ok"] for b in data["balances"]) and data["unplaced"] == []
    assert {p["role"] for p in data["placed"]} >= {"value_added", "final_demand", "export", "import", "total"}
