"""Fixtures of the page tests: a seeded app and a logged-in browser-like client per user."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf_of

from chiiki.server.testing import seeded_app


@pytest.fixture(scope="session")
def web_seeded(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("web-store"), n_firms=2500)


@pytest.fixture
def login(web_seeded):
    """``login(user)`` → a TestClient with a session for ``user``."""
    clients = []

    def _login(user: str) -> TestClient:
        c = TestClient(web_seeded.app, raise_server_exceptions=False)
        clients.append(c)
        r = c.post(
            "/login",
            data={
                "username": user,
                "password": web_seeded.passwords[user],
                "csrf_token": csrf_of(c.get("/login").text),
                "next": "/",
            },
        )
        assert r.status_code == 200, r.text
        return c

    yield _login
    for c in clients:
        c.close()
