"""Property-based test of the whole REST API against its OpenAPI document: no 5xx for any generated
request (issue #7 tests). Bounded: a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from chiiki.server.testing import seeded_app

pytestmark = pytest.mark.slow


def _schema():
    import tempfile
    from pathlib import Path

    seeded = seeded_app(Path(tempfile.mkdtemp(prefix="chiiki-st-")), n_firms=800)
    from fastapi.testclient import TestClient

    with TestClient(seeded.app) as c:
        token = c.post(
            "/api/v1/auth/token", json={"username": "reviewer", "password": "test-password-123"}
        ).json()
    return schemathesis.openapi.from_asgi("/openapi.json", seeded.app), token["access_token"]


SCHEMA, TOKEN = _schema()


@SCHEMA.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_has_no_server_errors(case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )
