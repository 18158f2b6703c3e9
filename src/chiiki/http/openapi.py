"""The OpenAPI document says what the API really answers (issue #10 §10): the bearer scheme, the
Japanese error bodies (``{"detail", "status", "errors"}`` instead of FastAPI's default validation
shape) and a 400 for a body that is not JSON. Its Swagger UI (``/api/docs``) loads from the app's own
copy (the ``swagger-ui-bundle`` package): the app's Content-Security-Policy allows no CDN, and the
machines it runs on may reach none."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "required": ["detail", "status"],
    "properties": {
        "detail": {
            "type": "string",
            "description": "日本語のエラーメッセージ（何が・どこで・どうすればよいか）",
        },
        "status": {"type": "integer"},
        "errors": {
            "type": "array",
            "description": "入力の誤り（項目ごと）",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "type": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }


def api_document(app: FastAPI) -> dict[str, Any]:
    """The generated document with the project's error shapes (built once per app)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ERROR_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for operations in doc.get("paths", {}).values():
        for op in operations.values():
            responses = op.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _error_response("入力内容に誤りがあります（項目ごとの誤りは errors）")
            body = op.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                responses["400"] = _error_response("本文を JSON として読めません")
            if op.get("security"):
                responses.setdefault("401", _error_response("認証が必要です、またはトークンが無効です"))
    app.openapi_schema = doc
    return doc


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: api_document(app)  # type: ignore[method-assign]


DOCS_ASSETS = "/api/docs/assets"


def install_api_docs(app: FastAPI) -> None:
    """``/api/docs``: Swagger UI with its scripts and styles served by the app itself."""
    from swagger_ui_bundle import swagger_ui_path  # noqa: PLC0415 - only the docs need it

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API 仕様",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )
