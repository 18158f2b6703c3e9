"""Shared fixtures: paths to the real public tables and a small synthetic economy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# No time limit per example: on a shared 2-core machine a limit on time makes a test fail by load,
# not by a defect (issue #15 §10). Each test still bounds its examples by count. Examples are drawn
# from a fixed seed, so every run of the suite tries the same cases: a test fails by a change, never
# by the draw (a wider search is a deliberate local run with derandomize off and more examples).
settings.register_profile("chiiki", deadline=None, derandomize=True)
settings.load_profile("chiiki")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CHIIKI_SHARED_DATA", REPO.parent / "shared" / "data"))
"""The real public tables: ../shared/data beside the checkout, or ``$CHIIKI_SHARED_DATA`` (a worktree
elsewhere)."""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public tables in ../shared/data (skip when absent)."""
    if not SHARED_DATA.exists():
        pytest.skip(f"実データ {SHARED_DATA} がありません（../shared/data を用意してください）")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_economy():
    """A 3,000-firm synthetic economy over three years (session-scoped: built once)."""
    from chiiki.data.synth import generate_economy

    return generate_economy(n_firms=3_000, years=(2022, 2023, 2024), seed=7)


@pytest.fixture(scope="session")
def small_economy_dir(tmp_path_factory, small_economy) -> Path:
    """``small_economy`` written as Parquet with its manifest."""
    from chiiki.data.datasets import write_dataset

    out = tmp_path_factory.mktemp("economy")
    write_dataset(small_economy, out)
    return out


@pytest.fixture(autouse=True)
def _fresh_store_settings():
    """Each test reads ``CHIIKI_*`` afresh: the store settings are cached per process."""
    from chiiki.store.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
