"""Shared test data of the industry tests (a unique module name: tests have no packages)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl

SHARED_DATA = Path(
    os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
)
CENSUS = SHARED_DATA / "regional_census_2012_2014.csv"

# regions 01..03 × industries 09, 10, 28, 29; hand-worked numbers in docs/industry.md
X34 = np.array([[10.0, 0.0, 20.0, 10.0], [0.0, 30.0, 10.0, 20.0], [10.0, 10.0, 10.0, 70.0]])
REGIONS = ["01", "02", "03"]
INDUSTRIES = ["09", "10", "28", "29"]


def long_frame(
    X: np.ndarray, regions: list[str], industries: list[str], measure: str = "employees"
) -> pl.DataFrame:
    """The long region × industry frame of matrix X."""
    n, k = X.shape
    return pl.DataFrame(
        {
            "region_code": np.repeat(regions, k).tolist(),
            "industry_code": np.tile(industries, n).tolist(),
            "measure": measure,
            "value": X.ravel(),
        }
    )
