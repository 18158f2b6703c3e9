"""Structured logs (issue #15 §6): CHIIKI_LOG_FORMAT=json gives one JSON object per line."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest
from typer.testing import CliRunner

from chiiki.cli.main import app
from chiiki.server.logs import JsonFormatter, log_config


def test_an_access_record_is_one_json_object_with_the_request_fields():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.5:5000", "GET", "/firms?q=東北", "1.1", 200), None,
    )  # fmt: skip
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "info" and entry["logger"] == "uvicorn.access"
    assert entry["method"] == "GET" and entry["path"] == "/firms?q=東北" and entry["status"] == 200
    assert entry["message"] == '10.0.0.5:5000 - "GET /firms?q=東北 HTTP/1.1" 200'
    assert entry["time"].endswith("+00:00")


def test_an_exception_is_kept_in_the_record():
    try:
        raise RuntimeError("壊れました")
    except RuntimeError:
        import sys

        record = logging.LogRecord("chiiki.jobs", logging.ERROR, __file__, 1, "失敗", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "RuntimeError: 壊れました" in entry["exception"]


def test_the_json_config_is_accepted_by_dictconfig_and_text_keeps_uvicorns_default():
    assert log_config("text") is None
    config = log_config("json")
    logging.config.dictConfig(config)
    handler = logging.getLogger("chiiki").handlers[0]
    assert isinstance(handler.formatter, JsonFormatter)
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {"chiiki": {"handlers": [], "propagate": True}},
        }
    )


def test_an_unknown_log_format_is_a_japanese_error(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="CHIIKI_LOG_FORMAT"):
        log_config("xml")
    monkeypatch.setenv("CHIIKI_ENVIRONMENT", "development")
    monkeypatch.setenv("CHIIKI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHIIKI_LOG_FORMAT", "xml")
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code != 0
    assert "CHIIKI_LOG_FORMAT の値「xml」は使えません" in result.output
