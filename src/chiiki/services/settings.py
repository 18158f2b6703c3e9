"""Settings of the web application: session secret, cookie and token lifetimes, login rate limit.

Read from the environment with the ``CHIIKI_`` prefix (``CHIIKI_SECRET_KEY``, ``CHIIKI_ENVIRONMENT`` …).
The database URL and data directory come from the store's settings (``chiiki.store``); these are
only what the web shell adds. Nothing here is read at import time: :func:`chiiki.server.create_app`
takes an instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-development-only"
"""The built-in secret: accepted only when ``environment`` is ``development`` or ``test``."""


class InsecureSettingsError(RuntimeError):
    """The web settings are not safe to serve with (message in Japanese)."""


class WebSettings(BaseSettings):
    """What the web shell needs beyond the store's settings."""

    model_config = SettingsConfigDict(env_prefix="CHIIKI_", extra="ignore")

    secret_key: str = DEFAULT_SECRET
    environment: Literal["development", "test", "production"] = "development"
    session_max_age_s: int = 8 * 3600
    token_max_age_s: int = 3600
    cookie_secure: bool | None = None
    """Send the session cookie only over HTTPS; defaults to True outside development and test."""
    login_max_failures: int = 5
    login_window_s: int = 300
    page_size: int = 50
    max_upload_mb: int = 200
    io_table: Path | None = None
    """``CHIIKI_IO_TABLE``: an IO table file (SPEC §5 contract) for the 波及効果 pages; without it the
    demo table built from the firm data of the prefecture is used (and the page says so)."""

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    def check(self) -> None:
        """Refuse the default or a short secret outside development (raises InsecureSettingsError)."""
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise InsecureSettingsError(
                "本番環境（CHIIKI_ENVIRONMENT=production）では既定の秘密鍵は使えません。"
                "CHIIKI_SECRET_KEY に32文字以上のランダムな文字列を設定してください"
                "（例: python -c 'import secrets; print(secrets.token_urlsafe(48))'）。"
            )
