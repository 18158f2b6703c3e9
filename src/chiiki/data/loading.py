"""Loading a firm data set from its directory: trusted as stored or validated first (SPEC §2)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiiki.data.contract import AMOUNT_ESTIMATED, COMPANIES, TRANSACTIONS, Dataset, TableContract
from chiiki.data.readers import find_table_file, read_manifest, read_raw_table
from chiiki.data.validation import DataValidationError, validate_directory


def _typed(frame: pl.DataFrame, contract: TableContract) -> pl.DataFrame:
    present = [c for c in contract.names if c in frame.columns]
    extra = [AMOUNT_ESTIMATED] if AMOUNT_ESTIMATED in frame.columns else []
    return frame.select(present + extra).cast({c: contract.schema[c] for c in present})


def read_dataset(path: str | Path, *, validate: bool | None = None) -> Dataset:
    """Load the firm data set in directory ``path``.

    With ``validate=None`` a directory carrying a manifest written by ``chiiki import`` or
    ``chiiki synth`` is trusted and read as stored; any other directory is validated first and a
    :class:`chiiki.data.validation.DataValidationError` is raised when it has errors.
    """
    directory = Path(path)
    manifest = read_manifest(directory)
    if validate is None:
        validate = manifest is None or not manifest.get("validated", False)
    if validate:
        report = validate_directory(directory)
        if report.has_errors:
            raise DataValidationError(report)
        return report.dataset
    companies = read_raw_table(find_table_file(directory, "companies")).frame
    transactions = read_raw_table(find_table_file(directory, "transactions")).frame
    return Dataset(_typed(companies, COMPANIES), _typed(transactions, TRANSACTIONS))
