"""Persistence of the project (issue #6): settings, engines, migrations, models and service functions.

Service functions take a :class:`sqlalchemy.orm.Session`, write their audit row in the same session
and never commit; the caller commits (``with session_scope(engine) as session: …``).
"""

from chiiki.store.engine import (
    create_engine_from_settings,
    create_engine_from_url,
    make_session_factory,
    session_scope,
)
from chiiki.store.errors import (
    ConcurrentEditError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from chiiki.store.migrate import current_revision, head_revision, upgrade
from chiiki.store.settings import StoreSettings, get_settings
from chiiki.store.users import create_user, get_user, get_user_by_username, list_users, update_user

__all__ = [
    "ConcurrentEditError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "StoreError",
    "StoreSettings",
    "create_engine_from_settings",
    "create_engine_from_url",
    "create_user",
    "current_revision",
    "get_settings",
    "get_user",
    "get_user_by_username",
    "head_revision",
    "list_users",
    "make_session_factory",
    "session_scope",
    "update_user",
    "upgrade",
]
