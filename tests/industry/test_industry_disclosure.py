"""Small-cell suppression (SPEC §0.1), checked by hand on small tables."""

from __future__ import annotations

import polars as pl

from chiiki.industry.disclosure import suppressed_cells


def _counts(rows: dict[tuple[str, str], int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": [r for r, _ in rows],
            "industry_code": [i for _, i in rows],
            "count": list(rows.values()),
        }
    )


def _cells(frame: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(r, i): why for r, i, why in frame.iter_rows()}


def test_nothing_suppressed_when_every_cell_is_large():
    assert suppressed_cells(_counts({("07", "09"): 5, ("07", "10"): 3})).is_empty()


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    #        09  10  11
    # 07:     1  10   4
    # 13:     8   6   9
    counts = _counts(
        {
            ("07", "09"): 1,
            ("07", "10"): 10,
            ("07", "11"): 4,
            ("13", "09"): 8,
            ("13", "10"): 6,
            ("13", "11"): 9,
        }
    )
    got = _cells(suppressed_cells(counts))
    # row 07: complement is its smallest other cell (11: 4); column 09: its smallest other (13: 8);
    # then row 13 has one (09) → its smallest other (10: 6); column 11 has one (07) → 13/11 (9);
    # column 10 has one (13) → 07/10. Everything in the 2 × 3 table ends suppressed.
    assert got[("07", "09")] == "primary"
    assert set(got) == {("07", "09"), ("07", "10"), ("07", "11"), ("13", "09"), ("13", "10"), ("13", "11")}
    assert all(why == "complementary" for cell, why in got.items() if cell != ("07", "09"))


def test_two_small_cells_in_one_line_protect_each_other_there():
    #        09  10  11
    # 07:     1   2  50
    # 13:     1   2  60
    counts = _counts(
        {
            ("07", "09"): 1,
            ("07", "10"): 2,
            ("07", "11"): 50,
            ("13", "09"): 1,
            ("13", "10"): 2,
            ("13", "11"): 60,
        }
    )
    got = _cells(suppressed_cells(counts))
    assert set(got) == {("07", "09"), ("07", "10"), ("13", "09"), ("13", "10")}
    assert set(got.values()) == {"primary"}


def test_empty_cells_are_never_used_as_complements():
    counts = _counts({("07", "09"): 2, ("07", "10"): 0, ("07", "11"): 30, ("13", "11"): 40, ("13", "10"): 0})
    got = _cells(suppressed_cells(counts))
    assert ("07", "10") not in got and ("13", "10") not in got
    assert got == {("07", "09"): "primary", ("07", "11"): "complementary", ("13", "11"): "complementary"}
