"""Shared fixtures of the API tests: one seeded app per session (users of every role, a small
synthetic data set), tokens per user."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chiiki.server.testing import seeded_app


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("api-store"), n_firms=2500)


@pytest.fixture(scope="session")
def client(seeded):
    with TestClient(seeded.app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def tokens(client, seeded):
    out = {}
    for user, password in seeded.passwords.items():
        r = client.post("/api/v1/auth/token", json={"username": user, "password": password})
        assert r.status_code == 200, r.text
        out[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out
