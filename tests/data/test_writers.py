"""Exports that no spreadsheet evaluates (issue #10 §7) and the streaming Excel writer (issue #15 §4)."""

from __future__ import annotations

import math

import openpyxl
import polars as pl
import pytest

from chiiki.data.writers import neutralise_formulas, safe_cell, write_csv, write_table, write_xlsx

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "普通の名前", None]


def test_text_that_a_spreadsheet_would_evaluate_is_prefixed():
    frame = pl.DataFrame({"name": HOSTILE, "amount": [-5, 1, 2, 3, 4, 5, 6, None]})
    out = neutralise_formulas(frame)
    assert out["name"].to_list() == ["'" + v for v in HOSTILE[:6]] + ["普通の名前", None]
    assert out["amount"].to_list() == frame["amount"].to_list()  # numbers stay numbers
    assert safe_cell("=1") == "'=1" and safe_cell(-3) == -3 and safe_cell("a=1") == "a=1"


def test_csv_export_is_neutralised_and_opens_as_utf8(tmp_path):
    path = write_csv(pl.DataFrame({"name": HOSTILE[:2], "v": [1.5, -2.0]}), tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig").splitlines()
    assert text[1].startswith("\"'=HYPERLINK") and text[2] == "'+1+1,-2.0"


def test_xlsx_round_trip_types_and_safety(tmp_path):
    frame = pl.DataFrame(
        {
            "企業名": ["株式会社A & <B>", "=cmd|' /C calc'!A0", "制御\x01文字", None],
            "売上高": [1200, None, -5, 0],
            "比率": [0.25, math.nan, math.inf, None],
            "選定": [True, False, None, True],
        }
    )
    path = write_xlsx({"結果": frame}, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(path)["結果"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("企業名", "売上高", "比率", "選定")
    assert ws["A1"].font.b  # the header is bold
    assert rows[1] == ("株式会社A & <B>", 1200, 0.25, True)
    assert rows[2][0] == "'=cmd|' /C calc'!A0" and rows[2][1] is None and rows[2][2] is None
    assert rows[3][0] == "制御文字" and rows[3][1] == -5 and rows[3][2] is None and rows[3][3] is None
    assert rows[4] == (None, 0, None, True)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no formula anywhere


def test_xlsx_many_sheets_with_excel_safe_unique_names(tmp_path):
    frames = {
        "a/b": pl.DataFrame({"x": [1]}),
        "a\\b": pl.DataFrame({"x": [2]}),
        "長" * 40: pl.DataFrame({"x": [3]}),
    }
    wb = openpyxl.load_workbook(write_xlsx(frames, tmp_path / "m.xlsx"))
    assert wb.sheetnames == ["a_b", "a_b (2)", "長" * 31]
    assert [wb[n]["A2"].value for n in wb.sheetnames] == [1, 2, 3]


def test_xlsx_reads_back_with_calamine_in_batches(tmp_path, monkeypatch):
    import chiiki.data.writers as writers

    monkeypatch.setattr(writers, "BATCH_ROWS", 7)
    frame = pl.DataFrame({"id": [f"C{i:04d}" for i in range(50)], "v": list(range(50))})
    back = pl.read_excel(write_table(frame, tmp_path / "b.xlsx"), engine="calamine")
    assert back.equals(frame)


def test_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path):
    with pytest.raises(ValueError, match="1シートに入る行数"):
        write_xlsx({"x": pl.DataFrame({"v": range(1_048_576)})}, tmp_path / "big.xlsx")
