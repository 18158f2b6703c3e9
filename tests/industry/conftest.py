"""Fixtures of the industry tests: the hand-worked 3 × 4 matrix and the real census table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from industry_helpers import CENSUS, INDUSTRIES, REGIONS, X34, long_frame


@pytest.fixture
def frame34() -> pl.DataFrame:
    return long_frame(X34, REGIONS, INDUSTRIES)


@pytest.fixture(scope="session")
def census_path() -> Path:
    if not CENSUS.exists():
        pytest.skip(f"実データ {CENSUS} がありません（../shared/data を置くと実行されます）")
    return CENSUS


@pytest.fixture(scope="session")
def census(census_path: Path) -> pl.DataFrame:
    from chiiki.industry import matrix_from_census

    return matrix_from_census(census_path)
