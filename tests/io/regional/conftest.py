"""Session fixtures of the regional tests (inputs built by :mod:`regional_data`)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from regional_data import SETTINGS_185, national37_long, shared_file

from chiiki.io import IOTable, table_from_long


@pytest.fixture(scope="session")
def national37() -> IOTable:
    """The shipped 2015 national table (37 sectors, 総務省)."""
    from chiiki.io.national import national_table_2015

    return national_table_2015()


@pytest.fixture(scope="session")
def national185() -> IOTable:
    """The 2015 185-sector table (Takeda's aggregation of 総務省's), read by the published-layout reader."""
    from chiiki.io import read_io_table

    path = shared_file("japan_io_2015_185", "io2015_185_takeda_wide.csv")
    return read_io_table(path, settings=SETTINGS_185, unit="十億円")


@pytest.fixture(scope="session")
def national37_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("national") / "japan_io_2015_37_long.csv"
    national37_long().write_csv(path)
    return path


@pytest.fixture(scope="session")
def census_path() -> Path:
    return shared_file("regional_census_2012_2014.csv")


@pytest.fixture(scope="session")
def census(census_path) -> pl.DataFrame:
    from chiiki.industry import matrix_from_census

    return matrix_from_census(census_path)


@pytest.fixture(scope="session")
def miyazaki37() -> IOTable:
    """宮崎県 2011, 37 sectors, 万円 (test use only, never shipped)."""
    df = pl.read_csv(shared_file("miyazaki_io_2011", "miyazaki2011_37sector_wide.csv"), infer_schema_length=0)
    columns = [c for c in df.columns if c not in ("row_code", "row_name")]
    long = df.unpivot(
        index=["row_code", "row_name"], on=columns, variable_name="col", value_name="v"
    ).with_columns(c=pl.col("col").str.slice(0, 2).cast(pl.Int64), r=pl.col("row_code").cast(pl.Int64))
    row_type = (
        pl.when(pl.col("r") <= 37)
        .then(pl.lit("industry"))
        .when(pl.col("r").is_between(39, 44))
        .then(pl.lit("valueadded"))
    )
    column_type = (
        pl.when(pl.col("c") <= 37)
        .then(pl.lit("industry"))
        .when(pl.col("c").is_between(39, 44))
        .then(pl.lit("finaldemand"))
        .when(pl.col("c") == 47)
        .then(pl.lit("export"))
        .when(pl.col("c") == 50)
        .then(pl.lit("import"))
    )
    frame = long.select(
        input_type=row_type,
        input_name=pl.col("row_code") + "_" + pl.col("row_name"),
        output_type=column_type,
        output_name=pl.col("col"),
        value=pl.col("v"),
    ).drop_nulls(["input_type", "output_type"])
    return table_from_long(frame, unit="万円", source="宮崎県2011年表")


@pytest.fixture(scope="session")
def prefecture12() -> pl.DataFrame:
    """The 2015 12-sector prefecture tables: ``area`` and R{i}C{j}, Y{i} as floats."""
    df = pl.read_csv(shared_file("regional_io_2015_12sector.csv"), infer_schema_length=0).rename(
        {"AreaID(string)": "area"}
    )
    return df.filter(pl.col("area").is_not_null()).with_columns(pl.exclude("area").cast(pl.Float64))
