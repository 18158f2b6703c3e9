"""The application factory: ``create_app(settings)`` builds the FastAPI app with its pages, the REST
API under ``/api/v1``, static assets and error handlers. No import-time singletons: every piece of
state hangs off ``app.state.chiiki`` (:class:`chiiki.services.state.AppState`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from chiiki import __version__
from chiiki.api import build_api_router
from chiiki.http.errors import install_error_handlers
from chiiki.http.headers import SecurityHeadersMiddleware
from chiiki.http.openapi import install_api_docs, install_openapi
from chiiki.http.text_guard import reject_unstorable_text
from chiiki.services.analytics import AnalyticsRegistry
from chiiki.services.runners import make_runner
from chiiki.services.settings import WebSettings, load_web_settings
from chiiki.services.state import AppState
from chiiki.services.throttle import LoginLimiter
from chiiki.store.engine import create_engine_from_settings, make_session_factory, read_only
from chiiki.store.migrate import is_up_to_date
from chiiki.store.settings import StoreSettings, get_settings
from chiiki.web.pages import build_pages_router

PACKAGE_DIR = Path(str(resources.files("chiiki.web")))

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


HSTS = "max-age=31536000; includeSubDomains"
"""In production the app is served over HTTPS only (behind the reverse proxy): browsers are told so."""

WEB_POOL_SIZE = 20
"""Database connections kept per worker: about one per concurrent request thread, so a burst of
requests does not open and close connections."""


def make_templates() -> Jinja2Templates:
    """The page templates. They ship with the package and do not change while the app runs, so Jinja
    does not stat each file on every render (``auto_reload`` off)."""
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    templates.env.auto_reload = False
    from chiiki.web import formatting  # noqa: PLC0415 - filters registered once per app

    formatting.register(templates.env)
    templates.env.globals["version"] = __version__
    return templates


def create_app(
    settings: StoreSettings | None = None,
    *,
    web: WebSettings | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the web application.

    ``settings`` are the store's (database, data directory; default :func:`get_settings`), ``web``
    the served app's (secret, cookies, limits; default :func:`load_web_settings`). Refuses to start
    without a strong secret outside an explicitly chosen development mode (``SettingsError``).
    """
    settings = settings or get_settings()
    web = web or load_web_settings()
    secret = web.resolve_secret(settings.data_dir)
    engine = engine or create_engine_from_settings(
        settings, pool_size=WEB_POOL_SIZE, max_overflow=WEB_POOL_SIZE
    )
    templates = make_templates()
    runner = make_runner(engine, settings.resolved_database_url, web.job_queue)
    if is_up_to_date(engine):  # an unmigrated store serves nothing (see /readyz) and has no jobs
        runner.recover()
    app = FastAPI(
        title="Chiiki Mirai API（地域未来）",
        version=__version__,
        description=(
            "地域未来戦略のクラスター計画を支える分析と計画管理のREST APIです。"
            "POST /api/v1/auth/token でトークンを取得し、Authorization: Bearer ヘッダーで送ってください。"
            "金額は企業データが千円、産業連関表は表の単位（通常は百万円）です。"
        ),
        docs_url=None,  # served from the app's own copy of Swagger UI (install_api_docs)
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(reject_unstorable_text)],
    )
    app.state.templates = templates
    app.state.chiiki = AppState(
        settings=settings,
        web=web,
        engine=engine,
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(read_only(engine)),
        limiter=LoginLimiter(web),
        runner=runner,
        analytics=AnalyticsRegistry(),
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="chiiki_session",
        max_age=web.session_max_age_s,
        same_site="strict",
        https_only=web.secure_cookies,
    )

    headers = SECURITY_HEADERS | ({"Strict-Transport-Security": HSTS} if web.is_production else {})
    app.add_middleware(SecurityHeadersMiddleware, headers=headers)

    install_error_handlers(app)
    install_openapi(app)
    install_api_docs(app)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")

    app.include_router(build_api_router(), prefix="/api/v1")
    app.include_router(build_pages_router())
    return app
