"""Shared fixtures for firm analytics tests: the 8-firm toy economy (3 prefectures, hand-worked)."""

from __future__ import annotations

import pytest

from chiiki.data.contract import Dataset
from chiiki.firms.examples import toy_economy


@pytest.fixture(scope="session")
def toy() -> Dataset:
    return toy_economy()
