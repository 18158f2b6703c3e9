"""Reading tables (SPEC §5): long and wide forms, encodings, Excel, and the checks of issue #4 item 2."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.io import IOSettings, IOTableError, read_io_long, read_io_table, read_io_wide, table_from_long

DATA = Path(
    os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
)
LONG = DATA / "japan_io_2011_13sector_long.csv"
WIDE = DATA / "japan_io_2011_13sector_wide.csv"
needs_data = pytest.mark.skipif(
    not LONG.exists() or not WIDE.exists(), reason=f"real IO table missing in {DATA}"
)

COLUMNS = ["input_type", "input_name", "output_type", "output_name", "value"]


def small_frame(**changes) -> pl.DataFrame:
    """A balanced 2-sector table with imports: rows a, b; X = (100, 200)."""
    cells = {
        ("industry", "a", "industry", "a"): 10,
        ("industry", "a", "industry", "b"): 40,
        ("industry", "b", "industry", "a"): 20,
        ("industry", "b", "industry", "b"): 30,
        ("industry", "a", "finaldemand", "民間消費支出"): 60,
        ("industry", "b", "finaldemand", "民間消費支出"): 130,
        ("industry", "a", "export", "輸出"): 20,
        ("industry", "b", "export", "輸出"): 40,
        ("industry", "a", "import", "（控除）輸入"): -30,
        ("industry", "b", "import", "（控除）輸入"): -20,
        ("valueadded", "雇用者所得", "industry", "a"): 40,
        ("valueadded", "雇用者所得", "industry", "b"): 80,
        ("valueadded", "営業余剰", "industry", "a"): 30,
        ("valueadded", "営業余剰", "industry", "b"): 50,
    }
    cells.update(changes.pop("cells", {}))
    return frame_of(cells)


def frame_of(cells: dict[tuple[str, str, str, str], float]) -> pl.DataFrame:
    """A long-form frame from ``{(input_type, input_name, output_type, output_name): value}``."""
    return pl.DataFrame([(*k, v) for k, v in cells.items()], schema=COLUMNS, orient="row")


def test_small_table_roles_and_coefficients():
    t = table_from_long(small_frame())
    np.testing.assert_allclose(t.X, [100, 200])
    np.testing.assert_allclose(t.m, [30 / 110, 20 / 180])
    np.testing.assert_allclose(t.w, [0.4, 0.4])
    np.testing.assert_allclose(t.v, [0.7, 0.65])
    np.testing.assert_allclose(t.h, [60 / 190, 130 / 190])
    assert t.unit == ""
    with pytest.raises(ValueError):
        t.Z[0, 0] = 1.0  # read-only after load


@needs_data
def test_long_and_wide_forms_give_identical_tables():
    a, b = read_io_long(LONG), read_io_wide(WIDE)
    assert a.sectors == b.sectors and len(a.sectors) == 13 and a.sectors[2] == "03_製造業"
    assert a.unit == b.unit == "百万円"
    for name in ("Z", "final_demand", "exports", "imports", "value_added"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.final_demand_names == b.final_demand_names and a.value_added_names == b.value_added_names
    np.testing.assert_array_equal(a.B, b.B)
    assert a.X[2] == 289_904_506  # 製造業's published output (百万円)
    assert read_io_table(WIDE).sectors == a.sectors and read_io_table(LONG).unit == "百万円"


@needs_data
def test_shift_jis_and_excel_read_like_utf8(tmp_path):
    text = LONG.read_text("utf-8-sig")
    sjis = tmp_path / "table_sjis.csv"
    sjis.write_bytes(text.encode("cp932"))
    xlsx = tmp_path / "table.xlsx"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    wide = pl.read_csv(WIDE)
    book.active.append(wide.columns)
    for row in wide.iter_rows():
        book.active.append(list(row))
    book.save(xlsx)
    base = read_io_long(LONG)
    for other in (read_io_long(sjis), read_io_wide(xlsx)):
        np.testing.assert_allclose(other.Z, base.Z, rtol=0, atol=0)
        np.testing.assert_allclose(other.B, base.B, rtol=1e-15)


def test_wide_form_reads_regions_and_labels(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        "input,industry/R1/a,industry/R2/a,finaldemand/R1/民間消費支出,finaldemand/R2/民間消費支出\n"
        "industry/R1/a,10,5,35,50\nindustry/R2/a,5,20,10,65\n"
        "valueadded/R1/雇用者所得,85,,,\nvalueadded/R2/雇用者所得,,75,,\n",
        encoding="utf-8",
    )
    t = read_io_wide(path, regions=True)
    assert t.labels == ["R1/a", "R2/a"] and t.regions == ("R1", "R2")
    np.testing.assert_allclose(t.X, [100, 100])
    assert t.consumption_regions == ["R1", "R2"]


def test_unbalanced_table_lists_every_sector_off():
    frame = small_frame(
        cells={
            ("valueadded", "営業余剰", "industry", "a"): 31,
            ("valueadded", "営業余剰", "industry", "b"): 49,
        }
    )
    with pytest.raises(IOTableError, match="行計") as info:
        table_from_long(frame)
    assert len(info.value.problems) == 2
    assert any(p.startswith("a:") for p in info.value.problems) and any(
        p.startswith("b:") for p in info.value.problems
    )
    assert table_from_long(frame, settings=IOSettings(balance_tolerance=0.02)).n == 2
    assert table_from_long(frame, check_balance=False).n == 2


def test_zero_output_is_an_error():
    cells = {
        k: 0
        for k in [
            ("industry", "a", "industry", "a"),
            ("industry", "a", "industry", "b"),
            ("industry", "b", "industry", "a"),
            ("industry", "a", "finaldemand", "民間消費支出"),
            ("industry", "a", "export", "輸出"),
            ("industry", "a", "import", "（控除）輸入"),
            ("valueadded", "雇用者所得", "industry", "a"),
            ("valueadded", "営業余剰", "industry", "a"),
        ]
    }
    with pytest.raises(IOTableError, match="生産額が0以下") as info:
        table_from_long(small_frame(cells=cells))
    assert info.value.problems[0].startswith("a:")


def test_import_ratio_above_one_is_an_error():
    # imports larger than domestic demand: a imports 130 against d = 110 (exports raised to balance)
    frame = small_frame(
        cells={("industry", "a", "import", "（控除）輸入"): -130, ("industry", "a", "export", "輸出"): 120}
    )
    with pytest.raises(IOTableError, match="輸入係数") as info:
        table_from_long(frame)
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("a:")


def test_bad_types_values_and_duplicates_are_reported_with_rows():
    frame = small_frame().with_columns(pl.col("value").cast(pl.Utf8))
    bad = frame.with_columns(
        value=pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("abc")).otherwise("value"),
    )
    with pytest.raises(IOTableError, match="数値として読めない") as info:
        table_from_long(bad)
    assert info.value.problems == ("行 5: 「abc」",)
    typo = frame.with_columns(
        output_type=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("indstry")).otherwise("output_type")
    )
    with pytest.raises(IOTableError, match="種類") as info:
        table_from_long(typo)
    assert "indstry" in info.value.problems[0]
    with pytest.raises(IOTableError, match="複数回"):
        table_from_long(pl.concat([frame, frame.head(1)]))
    with pytest.raises(IOTableError, match="input_type"):
        table_from_long(frame.drop("input_type"))


def test_settings_pick_rows_and_columns_and_report_unknown_names():
    frame = small_frame()
    t = table_from_long(frame, settings=IOSettings(income_row="営業余剰"))
    np.testing.assert_allclose(t.w, [0.3, 0.25])
    t = table_from_long(frame, settings=IOSettings(consumption_column="存在しない列"))
    with pytest.raises(IOTableError, match="存在しない列"):
        _ = t.h


def test_employment_row_is_taken_out_of_value_added():
    frame = small_frame(
        cells={
            ("employment", "従業者数", "industry", "a"): 12,
            ("employment", "従業者数", "industry", "b"): 8,
        }
    )
    t = table_from_long(frame)
    np.testing.assert_allclose(t.e, [0.12, 0.04])
    np.testing.assert_allclose(t.v, [0.7, 0.65])  # jobs are not value added


def test_employment_row_named_in_settings_can_be_a_value_added_row():
    frame = small_frame(
        cells={
            ("valueadded", "就業者数（人）", "industry", "a"): 30,
            ("valueadded", "就業者数（人）", "industry", "b"): 10,
        }
    )
    with pytest.raises(IOTableError, match="行計"):  # without the setting it is value added: unbalanced
        table_from_long(frame)
    t = table_from_long(frame, settings=IOSettings(employment_row="就業者数"))
    np.testing.assert_allclose(t.e, [0.3, 0.05])
    assert t.value_added_names == ("雇用者所得", "営業余剰")
    with pytest.raises(IOTableError, match="就業者数（雇用）の行「人数」"):
        table_from_long(frame, settings=IOSettings(employment_row="人数"))


def test_one_of_several_employment_rows_is_chosen_by_the_setting():
    frame = small_frame(
        cells={
            ("employment", "従業者数", "industry", "a"): 12,
            ("employment", "従業者数", "industry", "b"): 8,
            ("employment", "雇用者数", "industry", "a"): 10,
            ("employment", "雇用者数", "industry", "b"): 6,
        }
    )
    with pytest.raises(IOTableError, match="employment の行が複数"):
        table_from_long(frame)
    t = table_from_long(frame, settings=IOSettings(employment_row="雇用者数"))
    np.testing.assert_allclose(t.e, [0.10, 0.03])


def test_labelled_vectors_and_matrices():
    t = table_from_long(small_frame())
    vectors = t.vector_frame()
    assert vectors.columns == ["sector", "X", "m", "w", "v", "h"]
    assert vectors["sector"].to_list() == ["a", "b"]
    np.testing.assert_allclose(vectors["h"].to_numpy(), [60 / 190, 130 / 190])
    np.testing.assert_allclose(vectors["m"].to_numpy(), [30 / 110, 20 / 180])
    for name in ("Z", "A", "B", "L"):
        frame = t.matrix_frame(name)
        assert frame.columns == ["sector", "a", "b"]
        np.testing.assert_array_equal(frame.select("a", "b").to_numpy(), getattr(t, name))
    np.testing.assert_allclose(t.matrix_frame("A")["b"].to_numpy(), [40 / 200, 30 / 200])
    with pytest.raises(IOTableError, match="行列「X」"):
        t.matrix_frame("X")


def test_interregional_vector_frame_has_one_consumption_pattern_per_region(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        "input,industry/R1/a,industry/R2/a,finaldemand/R1/民間消費支出,finaldemand/R2/民間消費支出\n"
        "industry/R1/a,10,5,35,50\nindustry/R2/a,5,20,15,60\n"
        "valueadded/R1/雇用者所得,85,,,\nvalueadded/R2/雇用者所得,,75,,\n",
        encoding="utf-8",
    )
    vectors = read_io_wide(path, regions=True).vector_frame()
    assert vectors.columns == ["region", "sector", "X", "m", "w", "v", "h_R1", "h_R2"]
    np.testing.assert_allclose(vectors["h_R1"].to_numpy(), [35 / 50, 15 / 50])
    np.testing.assert_allclose(vectors["h_R2"].to_numpy(), [50 / 110, 60 / 110])


def test_singular_open_model_fails_on_load_with_a_japanese_error():
    # a closed circle: all output of each sector is an input of the other, with no value added, final
    # demand or imports — balanced and positive, but A's column sums are 1, so I − (I − M̂)A is singular
    cells = {
        ("industry", "a", "industry", "b"): 100,
        ("industry", "b", "industry", "a"): 100,
        ("valueadded", "雇用者所得", "industry", "a"): 0,
        ("valueadded", "雇用者所得", "industry", "b"): 0,
        ("industry", "a", "finaldemand", "民間消費支出"): 0,
        ("industry", "b", "finaldemand", "民間消費支出"): 0,
    }
    with pytest.raises(IOTableError, match="特異") as info:
        table_from_long(frame_of(cells))
    assert "(I − (I − M̂)A)" in str(info.value)


def test_missing_file_and_unknown_form(tmp_path):
    with pytest.raises(IOTableError, match="見つかりません"):
        read_io_table(tmp_path / "none.csv")
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IOTableError, match="形式が分かりません"):
        read_io_table(odd)
