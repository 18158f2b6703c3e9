"""Property-based test of the whole REST API against its OpenAPI document (issue #10 §10), bounded
(a few examples per operation), authenticated as two roles (a national reviewer and a prefecture's
staff): every response passes schemathesis' checks — no server error, a documented status code, the
documented content type and a body that matches the documented schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chiiki.server.testing import seeded_app

pytestmark = pytest.mark.slow
ROLES = ("reviewer", "fukushima")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
"""What the API promises for any request: semantically wrong but schema-valid input (an unknown
sector, say) may be refused with a documented 4xx."""


def _schema():
    seeded = seeded_app(Path(tempfile.mkdtemp(prefix="chiiki-st-")), n_firms=800)
    tokens = {}
    with TestClient(seeded.app) as c:
        for user in ROLES:
            r = c.post("/api/v1/auth/token", json={"username": user, "password": seeded.passwords[user]})
            tokens[user] = r.json()["access_token"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", seeded.app)
    # revoking the token would end the run's own login; tests/security covers it
    return schema.exclude(method="DELETE", path="/api/v1/auth/token"), tokens


SCHEMA, TOKENS = _schema()


@pytest.mark.parametrize("role", ROLES)
@SCHEMA.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case, role):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKENS[role]}"}, checks=CHECKS)
