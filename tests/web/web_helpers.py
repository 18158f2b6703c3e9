"""Helpers shared by the web tests: the CSRF token of a page and a logged-in client."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "test-password-123"
"""The password :func:`chiiki.server.testing.seed_users` gives every sample user."""


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def logged_in(app: FastAPI, user: str, password: str = PASSWORD) -> TestClient:
    """A client with a session for ``user`` (the login form, CSRF token and all)."""
    c = TestClient(app, raise_server_exceptions=False)
    r = c.post(
        "/login", data={"username": user, "password": password, "csrf_token": csrf_of(c.get("/login").text)}
    )
    assert r.status_code == 200, r.text
    return c
