"""Loading only the fiscal years an analysis reads (issue #15 §5): a stored data set is scanned with a
year filter, so the memory of one analysis is bounded by the years it reads, not by the data set."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiiki.data.codes import scan_stored
from chiiki.data.contract import Dataset
from chiiki.data.loading import read_dataset
from chiiki.data.readers import DataReadError, read_manifest


def stored_years(directory: Path) -> list[int]:
    """The fiscal years of the data set in ``directory``, read from the companies' year column only."""
    path = Path(directory) / "companies.parquet"
    if path.exists():
        years = pl.scan_parquet(path).select(pl.col("fiscal_year").unique()).collect()
    else:
        years = read_dataset(directory).companies.select(pl.col("fiscal_year").unique())
    return sorted(int(y) for y in years.get_column("fiscal_year").drop_nulls())


def load_dataset(
    directory: Path,
    *,
    company_years: list[int] | None = None,
    link_years: list[int] | None = None,
    coded: bool = False,
    company_columns: list[str] | None = None,
) -> Dataset:
    """Load only the years needed. A validated Parquet directory (manifest) is scanned with a year
    filter, so national-scale data loads fast; anything else goes through
    :func:`~chiiki.data.loading.read_dataset` (validated, then filtered).

    ``coded``: where the data set stores integer company codes, return the coded frames
    (:func:`chiiki.data.codes.scan_stored`) for the analyses that only need the network;
    ``company_columns``: read only these company columns from a stored data set."""
    if not directory.is_dir():
        raise DataReadError(f"データのフォルダが見つかりません: {directory}")
    manifest = read_manifest(directory)
    comp_path, tx_path = directory / "companies.parquet", directory / "transactions.parquet"
    if manifest and manifest.get("validated") and comp_path.exists() and tx_path.exists():
        return scan_stored(
            directory,
            manifest,
            company_years=company_years,
            link_years=link_years,
            coded=coded,
            company_columns=company_columns,
        )
    ds = read_dataset(directory)
    if company_years is not None:
        ds = Dataset(ds.companies.filter(pl.col("fiscal_year").is_in(company_years)), ds.transactions)
    if link_years is not None:
        ds = Dataset(ds.companies, ds.transactions.filter(pl.col("fiscal_year").is_in(link_years)))
    return ds
