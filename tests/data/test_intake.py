"""Firm files as offices have them (issue #11 §1): Japanese headers in Shift_JIS, tab and semicolon
delimiters, units, workbook sheets, malformed files with row numbers, templates that import."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.data.datasets import import_dataset
from chiiki.data.headers import IntakeOptions
from chiiki.data.readers import DataReadError, read_raw_table
from chiiki.data.templates import TEMPLATES, template_bytes, write_templates
from chiiki.data.validation import validate_directory

HEADER = (
    "企業ID,法人番号,商号,都道府県コード,市区町村コード,業種コード,年度,売上高,営業利益,従業員数,給与総額"
)
ROWS = (
    "C001,,会津精密,07,07202,26,2024,120000,8000,40,160000",
    "C002,,郡山食品,07,07203,09,2024,80000,3000,25,90000",
    "C003,,福島運輸,07,07201,44,2024,50000,1500,30,100000",
)
LINKS = (
    "仕入先企業ID,販売先企業ID,年度,取引額\nC001,C002,2024,5000\nC002,C003,2024,12000\nC003,C001,2024,800\n"
)


def write(
    folder: Path, companies: str, links: str = LINKS, encoding: str = "cp932", suffix: str = ".csv"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"companies{suffix}").write_bytes(companies.encode(encoding))
    (folder / f"transactions{suffix}").write_bytes(links.encode(encoding))
    return folder


def companies_text(header: str = HEADER, rows: tuple[str, ...] = ROWS, sep: str = ",") -> str:
    return "\n".join(line.replace(",", sep) for line in (header, *rows)) + "\n"


def test_shift_jis_file_with_the_issues_japanese_headers_imports_with_no_error(tmp_path):
    src = write(tmp_path / "in", companies_text())
    report = validate_directory(src)
    assert report.errors.height == 0 and report.warnings.height == 0, report.problems.to_dicts()
    c = report.dataset.companies.sort("company_id")
    assert c["name"].to_list() == ["会津精密", "郡山食品", "福島運輸"]
    assert c["sales"].to_list() == [120000, 80000, 50000] and c["payroll"].to_list() == [
        160000,
        90000,
        100000,
    ]
    assert report.dataset.transactions["amount"].to_list() == [5000, 12000, 800]
    result = import_dataset(src, tmp_path / "data")
    assert result.manifest["columns"]["companies"]["商号"] == "name"
    assert result.manifest["columns"]["transactions"]["仕入先企業ID"] == "supplier_id"


@pytest.mark.parametrize(
    ("header", "sep"),
    [
        (
            "企業コード,法人番号,企業名,都道府県コード,市町村コード,産業分類コード,決算年度,売上高（千円）,営業利益（千円）,従業者数（人）,人件費（千円）",
            ",",
        ),
        (
            "企業ＩＤ\t法人番号\t会社名\t都道府県コード\t市区町村コード\t業種コード\t年度\t売上高\t営業利益\t従業員数\t給与総額",
            "\t",
        ),
        (
            "企業 ID;法人番号;商号;都道府県コード;市区町村コード;業種コード;年度;売上高 [千円];営業利益;従業員数;給与総額",
            ";",
        ),
    ],
)
def test_header_variants_and_delimiters(tmp_path, header, sep):
    links = LINKS.replace(",", sep) if sep != "," else LINKS
    src = write(tmp_path, companies_text(header, sep=sep), links, encoding="utf-8")
    report = validate_directory(src)
    assert not report.has_errors, report.problems.to_dicts()
    assert report.dataset.companies["sales"].sum() == 250000
    assert read_raw_table(src / "companies.csv").delimiter == sep


def test_unit_yen_is_converted_to_thousand_yen_rounded(tmp_path):
    rows = (
        "C001,,会津精密,07,07202,26,2024,120000000,8000499,40,160000500",
        "C002,,郡山食品,07,07203,09,2024,80000000,-3000500,25,90000000",
        "C003,,福島運輸,07,07201,44,2024,50000000,1499,30,100000000",
    )
    links = LINKS.replace("取引額", "取引額（千円）")  # a header's own unit wins over --unit
    report = validate_directory(write(tmp_path, companies_text(rows=rows), links), IntakeOptions(unit="円"))
    assert not report.has_errors and report.warnings.height == 0, report.problems.to_dicts()
    c = report.dataset.companies.sort("company_id")
    assert c["sales"].to_list() == [120000, 80000, 50000]
    assert c["operating_profit"].to_list() == [8000, -3001, 1]  # half away from zero
    assert c["payroll"].to_list() == [160001, 90000, 100000]
    assert report.dataset.transactions["amount"].to_list() == [5000, 12000, 800]


def test_million_yen_and_header_units(tmp_path):
    header = HEADER.replace("売上高", "売上高（百万円）")
    rows = tuple(
        r.replace(",120000,", ",120.5,").replace(",80000,", ",80,").replace(",50000,", ",50,") for r in ROWS
    )
    report = validate_directory(write(tmp_path, companies_text(header, rows)))
    assert not report.has_errors, report.problems.to_dicts()
    assert report.dataset.companies.sort("company_id")["sales"].to_list() == [120500, 80000, 50000]


def test_a_wrong_unit_gets_a_plausibility_warning(tmp_path):
    rows = tuple(
        r.replace(",120000,", ",120000000,").replace(",80000,", ",80000000,").replace(",50000,", ",50000000,")
        for r in ROWS
    )
    report = validate_directory(write(tmp_path, companies_text(rows=rows)))  # yen read as 千円
    assert not report.has_errors
    warning = report.warnings.filter(report.warnings["code"] == "implausible_unit").to_dicts()
    assert len(warning) == 1 and warning[0]["column"] == "sales"
    assert "売上高の中央値が 800億円" in warning[0]["message"] and "単位「円」" in warning[0]["message"]
    fixed = validate_directory(tmp_path, IntakeOptions(unit="円"))
    assert fixed.warnings.height == 0


def test_unplaced_headers_are_errors_until_mapped(tmp_path):
    header = HEADER.replace("売上高", "年商").replace("給与総額", "備考")
    src = write(tmp_path, companies_text(header))
    report = validate_directory(src)
    codes = dict(zip(report.errors["column"], report.errors["code"], strict=True))
    assert codes == {"sales": "missing_column", "年商": "extra_column", "備考": "extra_column"}
    assert "「年商」" in report.errors.filter(report.errors["column"] == "年商")["message"][0]
    mapped = validate_directory(src, IntakeOptions({"年商": "sales", "備考": None}))
    assert not mapped.has_errors and mapped.dataset.companies["sales"].sum() == 250000
    assert (
        "payroll" in mapped.dataset.companies.columns and mapped.dataset.companies["payroll"].is_null().all()
    )


def test_cli_columns_file_unit_and_sheet(tmp_path):
    header = HEADER.replace("売上高", "年商").replace("給与総額", "備考")
    src = write(tmp_path / "in", companies_text(header))
    runner = CliRunner()
    res = runner.invoke(app, ["validate", str(src), "--json"])
    assert res.exit_code == 1
    mapping = tmp_path / "columns.csv"
    mapping.write_text("見出し,列\n年商,売上高\n備考,\n", "utf-8")
    ok = runner.invoke(app, ["validate", str(src), "--columns", str(mapping), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["ok"] is True
    bad_unit = runner.invoke(app, ["validate", str(src), "--unit", "ドル"])
    assert bad_unit.exit_code != 0 and "--unit" in bad_unit.output
    bad_map = tmp_path / "bad.json"
    bad_map.write_text('{"年商": "売り上げ金"}', "utf-8")
    res = runner.invoke(app, ["validate", str(src), "--columns", str(bad_map)])
    assert res.exit_code != 0 and "売り上げ金" in res.output


def _workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)


def test_workbook_with_several_sheets_names_them_and_one_can_be_chosen(tmp_path):
    data = [HEADER.split(","), *[r.split(",") for r in ROWS]]
    links = [line.split(",") for line in LINKS.strip().splitlines()]
    _workbook(tmp_path / "companies.xlsx", {"2023年度": data, "2024年度": data})
    _workbook(tmp_path / "transactions.xlsx", {"説明": [["記入方法"]], "取引": links})
    report = validate_directory(tmp_path)
    message = report.errors["message"][0]
    assert report.errors["code"][0] == "unreadable_file"
    assert "シートが複数" in message and "「2023年度」、「2024年度」" in message and "--sheet" in message
    ok = validate_directory(tmp_path, IntakeOptions(sheets={"companies": "2024年度"}))
    assert not ok.has_errors, (
        ok.problems.to_dicts()
    )  # the transactions workbook: its instructions sheet is skipped
    missing = validate_directory(tmp_path, IntakeOptions(sheets={"*": "2025年度"}))
    assert "シート「2025年度」がありません" in missing.errors["message"][0]
    res = CliRunner().invoke(app, ["validate", str(tmp_path), "--sheet", "companies=2024年度", "--json"])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"a,b,c\n1,2,3\n4,5\n6,7,8\n",
            "列の数が見出し行（3 列）と違う行があります（3 行目。3 行目は 2 列）",
        ),
        (b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n", "（4 行目。4 行目は 4 列）"),
        (b"a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11,12\n", "（4、5 行目。4 行目は 2 列）"),
        (b"", "ファイルが空です"),
        (b"PK\x03\x04 zipped", "中身は Excel のブックです"),
    ],
)
def test_malformed_csv_gets_a_japanese_message_with_rows(tmp_path, data, expected):
    path = tmp_path / "companies.csv"
    path.write_bytes(data)
    with pytest.raises(DataReadError, match=expected.replace("（", r"（").replace("(", r"\(")) as exc:
        read_raw_table(path)
    assert str(path) in str(exc.value)


def test_quoted_delimiters_and_empty_last_cells_are_not_ragged(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b,c\n1,"x,y",3\n4,5,\n"6\n7",8,9\n')
    frame = read_raw_table(path).frame
    assert frame.shape == (3, 3) and frame["b"].to_list() == ["x,y", "5", "8"]


def test_utf8_character_cut_in_half_names_its_row(tmp_path):
    good = "商号,売上高\n" + "".join(f"会津精密{i},100\n" for i in range(40))
    data = (
        good.encode() + "郡山".encode()[:4] + b",100\n" + "".join(f"福島{i},1\n" for i in range(5)).encode()
    )
    path = tmp_path / "companies.csv"
    path.write_bytes(data)
    with pytest.raises(DataReadError, match=r"UTF-8 の文字が途中で切れています（42 行目、1 か所）"):
        read_raw_table(path)


def test_shift_jis_with_ascii_data_rows_is_not_read_as_utf8(tmp_path):
    path = tmp_path / "transactions.csv"
    path.write_bytes(LINKS.encode("cp932"))
    raw = read_raw_table(path)
    assert raw.encoding == "cp932" and raw.frame.columns == ["仕入先企業ID", "販売先企業ID", "年度", "取引額"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\n1,2\n", "中身は CSV（文字だけのファイル）です。拡張子を .csv に"),
        ("企業ID\t商号\nC1\t会津\n".encode("cp932"), "中身は CSV"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 64, "古い Excel 形式（.xls）か、パスワード付き"),
        (b"<html><body><table></table></body></html>", "Excel のブック（.xlsx）ではありません"),
    ],
)
def test_a_file_that_is_not_a_workbook_under_xlsx(tmp_path, data, expected):
    (tmp_path / "companies.xlsx").write_bytes(data)
    (tmp_path / "transactions.csv").write_bytes(LINKS.encode("cp932"))
    report = validate_directory(tmp_path)
    assert report.errors["code"].to_list() == ["unreadable_file"]
    assert expected in report.errors["message"][0]


def test_templates_round_trip_filled_templates_import(tmp_path):
    paths = write_templates(tmp_path / "t")
    assert sorted(p.name for p in paths) == sorted(TEMPLATES)
    assert template_bytes("companies-template-utf8.csv").startswith(b"\xef\xbb\xbf")
    sjis = template_bytes("transactions-template-sjis.csv").decode("cp932")
    assert sjis == "仕入先（販売側）企業ID,販売先（購入側）企業ID,年度,取引額（千円）\r\n"
    # Excel: instructions sheet, data sheet with data validation; filled in, it imports as it is
    wb = openpyxl.load_workbook(tmp_path / "t" / "companies-template.xlsx")
    assert wb.sheetnames == ["説明", "企業"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in wb["企業"].data_validations.dataValidation}
    assert rules["D2"].type == "list" and "07" in rules["D2"].formula1
    assert rules["G2"].type == "whole" and (rules["G2"].formula1, rules["G2"].formula2) == ("1900", "2100")
    assert "記入方法" in wb["説明"]["A1"].value
    for i, row in enumerate(ROWS, start=2):
        values = row.split(",")
        for j, v in enumerate(values, start=1):
            cell = wb["企業"].cell(i, j)
            cell.value = int(v) if j >= 7 and v else (v or None)
    filled = tmp_path / "filled"
    filled.mkdir()
    wb.save(filled / "companies.xlsx")
    links = tmp_path / "t" / "transactions-template-sjis.csv"
    body = "".join(line + "\r\n" for line in LINKS.strip().splitlines()[1:])
    (filled / "transactions.csv").write_bytes(links.read_bytes() + body.encode("cp932"))
    report = validate_directory(filled)
    assert report.problems.height == 0, report.problems.to_dicts()
    assert report.dataset.companies.sort("company_id")["municipality_code"].to_list() == [
        "07202",
        "07203",
        "07201",
    ]
    assert report.dataset.transactions["amount"].sum() == 17800


def test_template_command_writes_every_template(tmp_path):
    res = CliRunner().invoke(app, ["template", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TEMPLATES)


def test_import_with_a_mapping_and_unit_records_them_in_the_manifest(tmp_path):
    header = HEADER.replace("売上高", "年商").replace("給与総額", "備考")
    rows = tuple(
        r.replace(",120000,", ",120000000,").replace(",80000,", ",80000000,").replace(",50000,", ",50000000,")
        for r in ROWS
    )
    src = write(tmp_path / "in", companies_text(header, rows), LINKS.replace("取引額", "取引額（千円）"))
    options = IntakeOptions({"年商": "sales", "備考": None}, "円")
    result = import_dataset(src, tmp_path / "data", options=options)
    assert result.manifest["intake"] == options.to_json()
    assert result.manifest["columns"]["companies"]["備考"] is None
    from chiiki.data import read_dataset

    ds = read_dataset(result.path)
    assert ds.companies.sort("company_id")["sales"].to_list() == [120000, 80000, 50000]
    assert ds.transactions["amount"].to_list() == [5000, 12000, 800]


def test_cli_import_takes_columns_and_unit(tmp_path, monkeypatch):
    header = HEADER.replace("売上高", "年商").replace("給与総額", "備考")
    rows = tuple(
        r.replace(",120000,", ",120000000,").replace(",80000,", ",80000000,").replace(",50000,", ",50000000,")
        for r in ROWS
    )
    src = write(tmp_path / "in", companies_text(header, rows), LINKS.replace("取引額", "取引額（千円）"))
    mapping = tmp_path / "columns.json"
    mapping.write_text('{"年商": "売上高", "備考": null}', "utf-8")
    monkeypatch.setenv("CHIIKI_DATA_DIR", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    refused = runner.invoke(app, ["import", str(src)])
    assert refused.exit_code == 1 and "何も保存していません" in refused.output
    res = runner.invoke(app, ["import", str(src), "--columns", str(mapping), "--unit", "円"])
    assert res.exit_code == 0, res.output
    from chiiki.data import read_dataset
    from chiiki.data.datasets import current_dataset_path

    ds = read_dataset(current_dataset_path(tmp_path / "store"))
    assert ds.companies.sort("company_id")["sales"].to_list() == [120000, 80000, 50000]
