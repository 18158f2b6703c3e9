"""The application's state, built once per process by the server's factory and handed to every
service call: settings, the database engine and session factory, the login limiter and the
analytics registry. No import-time singletons."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from chiiki.services.analytics import AnalyticsRegistry
from chiiki.services.jobs import Runner
from chiiki.services.settings import WebSettings
from chiiki.services.throttle import LoginLimiter
from chiiki.store.settings import StoreSettings


@dataclass
class AppState:
    """Everything a request may need."""

    settings: StoreSettings
    web: WebSettings
    engine: Engine
    sessions: sessionmaker[Session]
    """Sessions for work that may write (on SQLite their transactions take the write lock first)."""
    read_sessions: sessionmaker[Session]
    """Sessions for work that only reads (:func:`chiiki.store.engine.read_only`)."""
    limiter: LoginLimiter
    runner: Runner
    """Who runs background jobs (:mod:`chiiki.services.jobs`)."""
    analytics: AnalyticsRegistry
    """Analyses of the data sets in use (:class:`chiiki.services.analytics.AnalyticsRegistry`)."""
