"""Store settings: where the database and the data directory are (issue #6 §1, §9).

``CHIIKI_DATABASE_URL`` names the database (any SQLAlchemy URL: ``postgresql+psycopg://…`` or
``sqlite:///…``); without it the store is an embedded SQLite file ``chiiki.sqlite3`` under
``CHIIKI_DATA_DIR`` (default ``./var/chiiki``). Nothing is read at import time: call
:func:`get_settings` (cached) or build :class:`StoreSettings` yourself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SQLITE_FILENAME = "chiiki.sqlite3"


class StoreSettings(BaseSettings):
    """``CHIIKI_DATA_DIR`` and ``CHIIKI_DATABASE_URL`` from the environment."""

    model_config = SettingsConfigDict(env_prefix="CHIIKI_", extra="ignore")

    data_dir: Path = Path("var/chiiki")
    database_url: str | None = None

    @property
    def resolved_database_url(self) -> str:
        """The URL in use: ``database_url``, else the embedded SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / SQLITE_FILENAME).resolve()}"

    @property
    def datasets_dir(self) -> Path:
        """Where versioned firm data sets (Parquet) live: ``<data_dir>/datasets``."""
        return self.data_dir / "datasets"


@lru_cache(maxsize=1)
def get_settings() -> StoreSettings:
    """The process's store settings, read once from the environment (``get_settings.cache_clear()``
    to re-read)."""
    return StoreSettings()
