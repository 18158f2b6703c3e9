"""Error responses: JSON with a Japanese ``detail`` under ``/api``, Japanese HTML pages elsewhere.
No stack trace ever reaches a user (issue #7 §4); unexpected errors are logged server-side with an
incident id the user can quote.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from chiiki.services.access import AccessDeniedError, NotAuthenticatedError
from chiiki.store.errors import (
    ConcurrentEditError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)

log = logging.getLogger("chiiki.web")

STATUS_MESSAGES = {
    400: "リクエストの内容が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "お探しのページまたはデータは見つかりませんでした。URLを確認してください。",
    405: "この方法（メソッド）では利用できません。",
    409: "他の更新と競合しました。最新の内容を読み込み直してください。",
    413: "ファイルが大きすぎます。",
    422: "入力内容に誤りがあります。",
    429: "短時間に試行が多すぎます。しばらく待ってからもう一度お試しください。",
    500: "システム内部でエラーが発生しました。",
}


MALFORMED_JSON = (
    "リクエストの本文を JSON として読めません。括弧・引用符・カンマを確認し、"
    "Content-Type: application/json で送ってください。"
)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, *, errors: list | None = None) -> Response:
    """The JSON or HTML response for an error with a Japanese ``message``."""
    if is_api(request):
        body: dict = {"detail": message, "status": status}
        if errors:
            body["errors"] = errors
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "errors": errors or [], "principal": None},
        status_code=status,
    )


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "（全体）"


VALIDATION_MESSAGES = {
    "missing": "必須です。入力してください",
    "string_pattern_mismatch": "形式が正しくありません（{pattern}）",
    "string_too_long": "{max_length}文字以内で入力してください",
    "string_too_short": "{min_length}文字以上で入力してください",
    "int_parsing": "整数（半角数字）で入力してください",
    "int_from_float": "整数（半角数字）で入力してください",
    "float_parsing": "数値（半角）で入力してください",
    "bool_parsing": "true か false を指定してください",
    "greater_than": "{gt} より大きい値にしてください",
    "greater_than_equal": "{ge} 以上にしてください",
    "less_than": "{lt} より小さい値にしてください",
    "less_than_equal": "{le} 以下にしてください",
    "finite_number": "有限の数値を入力してください",
    "literal_error": "次のいずれかを指定してください: {expected}",
    "enum": "次のいずれかを指定してください: {expected}",
    "json_invalid": "JSON として読めません",
    "too_short": "{min_length}件以上指定してください",
    "too_long": "{max_length}件以内にしてください",
    "extra_forbidden": "この項目は使えません",
}
"""Japanese text for pydantic's error types (``{…}`` filled from the error's context)."""


FIELD_HINTS = {
    "pref": "都道府県コードは2桁（01〜47、例: 07 = 福島県）で指定してください",
    "prefecture_code": "都道府県コードは2桁（01〜47、例: 07 = 福島県）で指定してください",
    "jsic": "産業分類（JSIC中分類）は2桁の数字で指定してください",
    "municipality": "市区町村コードは5桁の数字で指定してください",
}
"""Plain advice for the codes people type most, instead of the pattern."""


def japanese_validation_message(error: dict) -> str:
    """A pydantic validation error in Japanese. Our own validators raise Japanese ``ValueError``s and
    their text is kept; an unknown type falls back to a generic message, never English."""
    kind = error.get("type", "")
    ctx = {k: str(v).replace(" or ", ", ") for k, v in (error.get("ctx") or {}).items()}
    if kind == "string_pattern_mismatch" and _field(error.get("loc", ())) in FIELD_HINTS:
        return FIELD_HINTS[_field(error.get("loc", ()))]
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = VALIDATION_MESSAGES.get(kind)
    if template is None:
        return "値の型または形式が正しくありません"
    try:
        return template.format(**ctx)
    except KeyError:
        return template.split("（")[0].split("{")[0].rstrip("（: ")


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors():
        field = _field(e.get("loc", ()))
        value = e.get("input")
        shown = f"「{value}」" if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
        out.append(
            {"field": field, "type": e.get("type"),
             "message": f"{field}{shown}: {japanese_validation_message(e)}"}
        )  # fmt: skip
    return out


HTTP_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return [
        m for m in HTTP_METHODS
        if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    ]  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticatedError)
    async def _not_authenticated(request: Request, exc: NotAuthenticatedError) -> Response:
        if is_api(request):
            return error_response(request, 401, exc.message)
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(AccessDeniedError)
    async def _denied(request: Request, exc: AccessDeniedError) -> Response:
        return error_response(request, exc.status_code, exc.message)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        status = 400
        for cls, code in (
            (NotFoundError, 404),
            (PermissionDeniedError, 403),
            (ConcurrentEditError, 409),
            (InvalidInputError, 422),
        ):
            if isinstance(exc, cls):
                status = code
        missing = getattr(exc, "missing", None)  # a refused workflow step lists what is missing
        errors = [{"field": "（計画）", "message": m} for m in missing] if missing else None
        return error_response(request, status, str(exc), errors=errors)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return error_response(request, 400, MALFORMED_JSON)
        return error_response(
            request,
            422,
            STATUS_MESSAGES[422] + " " + " / ".join(e["message"] for e in errors[:5]),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = (
            exc.detail if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii() else None
        )
        response = error_response(
            request, exc.status_code, detail or STATUS_MESSAGES.get(exc.status_code, "エラーが発生しました。")
        )
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        incident = secrets.token_hex(4)
        log.exception("unhandled error %s on %s %s", incident, request.method, request.url.path)
        return error_response(
            request,
            500,
            f"{STATUS_MESSAGES[500]}管理者に連絡する際は、受付番号 {incident} をお伝えください。",
        )
