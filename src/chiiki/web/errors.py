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

from chiiki.store.errors import (
    ConcurrentEditError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from chiiki.web.access import AccessDeniedError, NotAuthenticatedError

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


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    return [
        {
            "field": _field(e.get("loc", ())),
            "message": f"{_field(e.get('loc', ()))}: 値が正しくありません（{e.get('msg')}）",
        }
        for e in exc.errors()
    ]


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
        return error_response(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
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
