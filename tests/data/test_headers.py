"""The Japanese header synonym table and the user's mapping (issue #11 §1)."""

from __future__ import annotations

import json

import pytest

from chiiki.data.headers import (
    SYNONYMS,
    IntakeOptions,
    MappingFileError,
    check_mapping,
    match_headers,
    normalise_header,
    read_mapping_file,
)

ISSUE_HEADERS = [
    "企業ID", "法人番号", "商号", "都道府県コード", "市区町村コード", "業種コード", "年度", "売上高",
    "営業利益", "従業員数", "給与総額",
]  # fmt: skip


def test_the_headers_of_the_issue_are_all_placed():
    m = match_headers(ISSUE_HEADERS, "companies")
    assert m.complete and m.unplaced == () and m.missing == ()
    assert list(m.placed.values()) == [
        "company_id", "corporate_number", "name", "prefecture_code", "municipality_code", "jsic_code",
        "fiscal_year", "sales", "operating_profit", "employees", "payroll",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("企業コード", "company_id"),
        ("企業名", "name"),
        ("会社名", "name"),
        ("従業者数", "employees"),
        ("人件費", "payroll"),
        ("決算年度", "fiscal_year"),
        ("売上高（千円）", "sales"),
        ("売上高 (千円)", "sales"),
        ("売上高【千円】", "sales"),
        ("　売上高　", "sales"),  # ideographic spaces
        ("企業ＩＤ", "company_id"),  # full-width letters
        ("企業 id", "company_id"),
        ("産業分類コード（JSIC中分類）", "jsic_code"),
        ("従業者数（人）", "employees"),
        ("sales", "sales"),
        ("SALES", "sales"),
    ],
)
def test_company_header_variants(header, column):
    assert match_headers([header], "companies").placed == {header: column}


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("仕入先企業ID", "supplier_id"),
        ("販売先企業ID", "customer_id"),
        ("取引額", "amount"),
        ("取引額（千円）", "amount"),
        ("仕入先（販売側）企業ID", "supplier_id"),
        ("販売先（購入側）企業ID", "customer_id"),
        ("得意先コード", "customer_id"),
        ("年度", "fiscal_year"),
    ],
)
def test_link_header_variants(header, column):
    assert match_headers([header], "transactions").placed == {header: column}


def test_unit_in_brackets_is_read_and_other_notes_are_dropped():
    assert normalise_header("売上高（円）") == ("売上高", "円")
    assert normalise_header("取引額（単位：百万円）") == ("取引額", "百万円")
    assert normalise_header("従業者数（人）") == ("従業者数", None)
    m = match_headers(["売上高（百万円）", "給与総額（円）", "営業利益"], "companies")
    assert m.units == {"sales": "百万円", "payroll": "円"}


def test_unplaced_headers_and_missing_required_columns_are_reported_not_guessed():
    m = match_headers(["企業ID", "商号", "住所", "年商"], "companies")
    assert m.unplaced == ("住所", "年商")
    assert set(m.missing) == {"prefecture_code", "municipality_code", "jsic_code", "fiscal_year", "sales"}
    assert not m.complete


def test_the_users_mapping_wins_and_can_leave_a_column_out():
    m = match_headers(
        ["企業ID", "年商", "住所", "売上高"], "companies", {"年商": "売上高", "住所": None, "売上高": "-"}
    )
    assert m.placed == {"企業ID": "company_id", "年商": "sales"}
    assert m.ignored == ("住所", "売上高")
    assert m.as_mapping() == {"企業ID": "company_id", "年商": "sales", "住所": None, "売上高": None}


def test_a_target_of_the_other_table_falls_back_to_the_synonyms():
    mapping = {"金額": "sales"}  # meant for the companies file
    assert match_headers(["金額"], "companies", mapping).placed == {"金額": "sales"}
    assert match_headers(["金額"], "transactions", mapping).placed == {"金額": "amount"}


def test_two_headers_on_one_column_are_a_duplicate():
    m = match_headers(["企業名", "商号", "企業ID"], "companies")
    assert m.duplicates == {"name": ("企業名", "商号")} and not m.complete


def test_no_synonym_names_two_columns_of_one_table():
    for table, columns in SYNONYMS.items():
        seen: dict[str, str] = {}
        for column, words in columns.items():
            for word in words:
                key = normalise_header(word)[0]
                assert seen.setdefault(key, column) == column, (table, word)


def test_mapping_file_csv_and_json(tmp_path):
    csv = tmp_path / "map.csv"
    csv.write_bytes("見出し,列\n年商,sales\n住所,\n取引先,customer_id\n".encode("cp932"))
    assert read_mapping_file(csv) == {"年商": "sales", "住所": None, "取引先": "customer_id"}
    js = tmp_path / "map.json"
    js.write_text(json.dumps({"companies": {"年商": "売上高"}, "transactions": {"備考": None}}), "utf-8")
    assert read_mapping_file(js) == {"年商": "売上高", "備考": None}
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", "utf-8")
    with pytest.raises(MappingFileError, match="見出し"):
        read_mapping_file(bad)
    assert check_mapping({"a": "sales", "b": None}) == []
    assert "対応先「売り上げ金」は列名ではありません" in check_mapping({"x": "売り上げ金"})[0]


def test_intake_options_round_trip_and_refuse_a_unit():
    opts = IntakeOptions({"売上": "sales"}, "円", {"*": "データ"})
    assert IntakeOptions.from_json(opts.to_json()) == opts
    assert opts.sheet_for("companies") == "データ"
    with pytest.raises(ValueError, match="単位"):
        IntakeOptions(unit="ドル")


def test_the_synonym_table_is_documented():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text("utf-8")
    for columns in SYNONYMS.values():
        for column, words in columns.items():
            rows = [line for line in docs.splitlines() if line.startswith(f"| `{column}` |")]
            assert any(all(w in row for w in words) for row in rows), (column, rows)
