"""The API documents itself offline (issue #10 §10): Swagger UI from the app's own assets, the bearer
scheme, the real error bodies and the 400 for malformed JSON in the OpenAPI document."""

from __future__ import annotations


def test_swagger_ui_loads_from_the_app_itself(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/api/docs/assets/swagger-ui-bundle.js" in page.text
    js = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/api/docs/assets/swagger-ui.css").status_code == 200


def test_openapi_declares_bearer_scheme_and_error_bodies(client):
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "POST /api/v1/auth/token で取得したアクセストークン",
    }
    post_plan = doc["paths"]["/api/v1/plans"]["post"]
    assert post_plan["security"] == [{"bearerAuth": []}]
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    assert post_plan["responses"]["422"]["content"]["application/json"]["schema"] == ref
    assert post_plan["responses"]["400"]["content"]["application/json"]["schema"] == ref
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "security" not in doc["paths"]["/api/v1/auth/token"]["post"]


def test_malformed_json_is_a_japanese_400(client, tokens):
    r = client.post(
        "/api/v1/plans",
        content=b'{"title": "x",',
        headers={**tokens["fukushima"], "content-type": "application/json"},
    )
    assert r.status_code == 400 and "JSON として読めません" in r.json()["detail"]


def test_wrong_method_names_every_allowed_method(client):
    r = client.put("/api/v1/auth/token")
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, POST"
