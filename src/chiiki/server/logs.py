"""Log configuration of ``chiiki serve`` and ``chiiki worker`` (issue #15 §6).

``CHIIKI_LOG_FORMAT=json`` writes one JSON object per line (time in UTC ISO 8601, level, logger,
message, and the request fields uvicorn's access log carries), which log collectors read without
parsing rules; the default ``text`` is uvicorn's own readable format.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per record; an access record also carries client, method, path and status."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, http_version, status = record.args
            entry.update(client=client, method=method, path=path, http=http_version, status=status)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(fmt: str, level: str = "info") -> dict[str, Any] | None:
    """A :func:`logging.config.dictConfig` for ``fmt``; None keeps uvicorn's default (text)."""
    if fmt not in FORMATS:
        raise ValueError(
            f"CHIIKI_LOG_FORMAT の値「{fmt}」は使えません。{' か '.join(FORMATS)} を指定してください。"
        )
    if fmt == "text":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    loggers = ("uvicorn", "uvicorn.error", "uvicorn.access", "chiiki", "procrastinate")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": level.upper(), "propagate": False} for name in loggers
        },
    }
