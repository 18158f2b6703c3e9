"""Helpers of the regional tests: the 2015 national tables (37, 185 sectors), the census, 宮崎県's
2011 table and the 2015 12-sector prefecture tables, all from ../shared/data (tests skip without
it; ``CHIIKI_SHARED_DATA`` may point elsewhere).

The national tables are built here from the shared CSVs into the SPEC §5 long form (test-side code:
the package's own reader of published layouts lives elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.io import IOSettings, IOTable

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("CHIIKI_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"実データ {path} がありません（../shared/data または CHIIKI_SHARED_DATA）")
    return path


def national37_long() -> pl.DataFrame:
    """The 2015 37-sector table (総務省) in the long form, 百万円."""
    df = pl.read_csv(
        shared_file("japan_io_2015_37", "io2015_37_transactions_long.csv"),
        schema_overrides={"row_code": pl.Utf8, "col_code": pl.Utf8},
    )
    industry = lambda c: pl.col(c).cast(pl.Int64) < 70  # noqa: E731
    row_type = (
        pl.when(industry("row_code"))
        .then(pl.lit("industry"))
        .when(pl.col("row_code").is_in(["71", "91", "92", "93", "94", "95"]))
        .then(pl.lit("valueadded"))
    )
    column_type = (
        pl.when(industry("col_code"))
        .then(pl.lit("industry"))
        .when(pl.col("col_code").is_in(["71", "72", "73", "74", "75", "76"]))
        .then(pl.lit("finaldemand"))
        .when(pl.col("col_code") == "80")
        .then(pl.lit("export"))
        .when(pl.col("col_code").is_in(["84", "85", "86"]))
        .then(pl.lit("import"))
    )
    return df.select(
        input_type=row_type,
        input_name=pl.col("row_code") + "_" + pl.col("row_name"),
        output_type=column_type,
        output_name=pl.col("col_code") + "_" + pl.col("col_name"),
        value_M=pl.col("value_million_yen").cast(pl.Float64),
    ).drop_nulls(["input_type", "output_type"])


SETTINGS_185 = IOSettings(income_row="賃金・俸給", consumption_column="家計消費支出")


MIYAZAKI_TO_NATIONAL = {
    **{f"{i:02d}": "01" for i in range(1, 5)},
    **dict(
        zip(
            [f"{i:02d}" for i in range(5, 38)],
            [
                "06",
                "11",
                "15",
                "16",
                "20",
                "21",
                "22",
                "25",
                "26",
                "27",
                "28",
                "29",
                "30",
                "31",
                "32",
                "33",
                "34",
                "35",
                "39",
                "41",
                "46",
                "51",
                "53",
                "55",
                "57",
                "59",
                "61",
                "63",
                "64",
                "65",
                "66",
                "67",
                "69",
            ],
            strict=True,
        )
    ),
}
"""宮崎県's 2011 37 sectors → the 2015 national codes; 01–04 (農業・畜産・林業・漁業) are 01 農林漁業,
25 電力・ガス・水道・廃棄物 is 46, 37 分類不明 is 69."""
NATIONAL_COMMON = {"47": "46", "48": "46", "68": "69"}
"""National codes merged to meet 宮崎県's 34 common groups (水道・廃棄物 into 46, 事務用品 into 69)."""


def flows12(frame: pl.DataFrame, area: str) -> tuple[np.ndarray, np.ndarray]:
    row = frame.filter(pl.col("area") == area).row(0, named=True)
    Z = np.array([[row[f"R{i}C{j}"] for j in range(1, 13)] for i in range(1, 13)])
    return Z, np.array([row[f"Y{i}"] for i in range(1, 13)])


NATIONAL_TO_12 = {
    "01": 1, "06": 2, "41": 4, "46": 5, "47": 5, "51": 6, "53": 7, "55": 7, "57": 8, "59": 9, "61": 10,
    "48": 11, "63": 11, "64": 11, "65": 11, "66": 11, "67": 11, "69": 12,
}  # fmt: skip
"""37 → the 12 sectors of the prefecture file (manufacturing 11–39 and 68 事務用品 are 3); checked
against the file's national row."""


def toy_national() -> IOTable:
    """A balanced 3-sector national table (X = 100 each) for hand-worked examples."""
    Z = np.array([[10.0, 20.0, 5.0], [5.0, 10.0, 10.0], [10.0, 5.0, 20.0]])
    return IOTable(
        sectors=("01_農業", "02_林業", "03_漁業"),
        Z=Z,
        final_demand=np.array([[50.0], [60.0], [40.0]]),
        final_demand_names=("民間消費支出",),
        exports=np.array([[25.0], [25.0], [35.0]]),
        export_names=("輸出",),
        imports=np.array([[-10.0], [-10.0], [-10.0]]),
        import_names=("（控除）輸入",),
        value_added=np.array([[40.0, 30.0, 30.0], [35.0, 35.0, 35.0]]),
        value_added_names=("雇用者所得", "営業余剰"),
    )


TOY_CONCORDANCE = pl.DataFrame({"sector_code": ["01", "02", "03"], "jsic_code": ["011", "021", "031"]})
