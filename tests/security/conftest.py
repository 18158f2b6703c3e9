"""Fixtures of the security tests: a small seeded app of their own (no firm data unless asked), so
that failed logins and revoked sessions never reach another test's store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))  # web_helpers

from chiiki.server.testing import seeded_app  # noqa: E402


@pytest.fixture
def app_seeded(tmp_path):
    return seeded_app(tmp_path / "store", n_firms=None)
