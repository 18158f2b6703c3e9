"""Settings of the served application: environment, session secret, cookie and token lifetimes,
login throttling, trusted proxies, upload limits (issue #10 §2, §8).

Read from the environment with the ``CHIIKI_`` prefix (``CHIIKI_SECRET_KEY``, ``CHIIKI_ENVIRONMENT`` …)
by :func:`load_web_settings`, which turns a bad value into a Japanese :class:`SettingsError` instead of
a traceback. The database URL and data directory come from the store's settings (``chiiki.store``).
Nothing here is read at import time.

The secret signs session cookies. It comes from ``CHIIKI_SECRET_KEY``, else the file named by
``CHIIKI_SECRET_KEY_FILE``, else ``<data_dir>/secret_key`` (made once, mode 600, by ``chiiki demo`` or
:func:`ensure_secret_file`). There is no built-in secret: outside an explicitly chosen development
mode a missing, known or short secret stops the app (:meth:`WebSettings.resolve_secret`).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENVIRONMENTS = ("development", "test", "production")
ENVIRONMENT_LABELS = {"development": "開発", "test": "テスト", "production": "本番"}
SECRET_FILENAME = "secret_key"
MIN_SECRET_LENGTH = 32
KNOWN_WEAK_SECRETS = frozenset(
    {"change-me-development-only", "changeme", "change-me", "secret", "password", "development"}
)
"""Secrets that appear in examples and old documentation: never accepted outside development."""


class SettingsError(RuntimeError):
    """The settings are missing, malformed or not safe to serve with (message in Japanese)."""


class WebSettings(BaseSettings):
    """What the served application needs beyond the store's settings."""

    model_config = SettingsConfigDict(env_prefix="CHIIKI_", extra="ignore")

    environment: Literal["development", "test", "production"] | None = None
    """``CHIIKI_ENVIRONMENT``: unset means production rules (no weak secret, secure cookies, HSTS)."""
    secret_key: str | None = None
    secret_key_file: Path | None = None
    session_max_age_s: int = 8 * 3600
    token_max_age_s: int = 3600
    cookie_secure: bool | None = None
    """Send the session cookie only over HTTPS; defaults to True outside development and test."""
    login_free_failures: int = 3
    """Failed logins of one username before each further attempt has to wait."""
    login_delay_base_s: float = 1.0
    login_delay_max_s: float = 900.0
    login_address_max_failures: int = 100
    """Failed logins from one address (any usernames) within ``login_window_s`` before it waits."""
    login_window_s: int = 900
    trusted_proxies: list[str] = []
    """``CHIIKI_TRUSTED_PROXIES`` (JSON list of addresses or networks): only a request from these may
    name the client's address in ``X-Forwarded-For``."""
    page_size: int = 50
    max_upload_mb: int = 200
    upload_wait_s: float = 30.0
    """How long an upload's request waits for its job before showing the job's progress instead."""
    job_queue: Literal["auto", "inprocess", "procrastinate"] = "auto"
    """``CHIIKI_JOB_QUEUE``: who runs background jobs. ``auto``: procrastinate workers (``chiiki
    worker``) when the store is PostgreSQL, a thread of the web process otherwise."""
    min_cell_firms: int = 3
    """Aggregates shown to users not entitled to the firm-level data beneath them cover at least
    this many firms (SPEC §0.1); smaller cells are suppressed."""
    io_table: Path | None = None
    """``CHIIKI_IO_TABLE``: an IO table file (SPEC §5 contract) for the 波及効果 pages; without it the
    demo table built from the firm data of the prefecture is used (and the page says so)."""
    census: Path | None = None
    """``CHIIKI_CENSUS``: the 経済センサス table (``regional_census_2012_2014.csv`` form) that prefecture
    and block tables are estimated from (issue #14 §1); without it, the firm data's employees."""

    @property
    def is_development(self) -> bool:
        """Development or test chosen explicitly (never by default)."""
        return self.environment in ("development", "test")

    @property
    def is_production(self) -> bool:
        return not self.is_development

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.is_production

    def resolve_secret(self, data_dir: Path) -> str:
        """The secret to sign cookies with (see the module docstring), or :class:`SettingsError`.

        In development a missing secret is created in ``<data_dir>/secret_key``; elsewhere it must
        have been set or created before (``chiiki demo`` creates one for the demo store)."""
        secret = self.secret_key
        source = "CHIIKI_SECRET_KEY"
        if not secret:
            path = self.secret_key_file or Path(data_dir) / SECRET_FILENAME
            source = str(path)
            if self.secret_key_file is None and not path.exists() and self.is_development:
                ensure_secret_file(Path(data_dir))
            if path.exists():
                secret = read_secret_file(path)
        if not secret:
            raise SettingsError(
                "秘密鍵が設定されていません。CHIIKI_SECRET_KEY に32文字以上のランダムな文字列を設定するか"
                "（例: python -c 'import secrets; print(secrets.token_urlsafe(48))'）、"
                "CHIIKI_SECRET_KEY_FILE で秘密鍵のファイルを指定してください。"
                "手元で試すだけなら CHIIKI_ENVIRONMENT=development を指定してください。"
            )
        weak = secret in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH
        if weak and not self.is_development:
            raise SettingsError(
                f"秘密鍵（{source}）が短すぎるか、例として知られた値です。"
                f"{MIN_SECRET_LENGTH}文字以上のランダムな文字列にしてください"
                "（例: python -c 'import secrets; print(secrets.token_urlsafe(48))'）。"
            )
        return secret


def read_secret_file(path: Path) -> str:
    """The secret in ``path``; refused when others may read the file (it must be mode 600)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text("utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"秘密鍵のファイル {path} を読めません（{exc.strerror}）。") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(
            f"秘密鍵のファイル {path} を他の利用者も読めます。chmod 600 {path} で本人だけが読めるようにしてください。"
        )
    return text


def ensure_secret_file(data_dir: Path) -> Path:
    """``<data_dir>/secret_key``: created once with a random secret (mode 600), reused afterwards."""
    path = Path(data_dir) / SECRET_FILENAME
    if path.exists():
        read_secret_file(path)  # refuses a file others may read
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_urlsafe(48) + "\n")
    return path


def load_web_settings(**overrides: object) -> WebSettings:
    """:class:`WebSettings` from the environment (and ``overrides``); a value that cannot be read
    becomes a Japanese :class:`SettingsError` naming the variable."""
    try:
        return WebSettings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "CHIIKI_" + "_".join(str(p) for p in error.get("loc", ())).upper()
            value = error.get("input")
            if name == "CHIIKI_ENVIRONMENT":
                problems.append(
                    f"CHIIKI_ENVIRONMENT「{value}」は使えません。"
                    f"{' / '.join(ENVIRONMENTS)} のいずれかを指定するか、本番では指定しないでください。"
                )
            else:
                problems.append(f"{name}「{value}」の値を読み取れません。形式を確認してください。")
        raise SettingsError(" ".join(problems)) from exc
