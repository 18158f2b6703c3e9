"""No default secret in use (issue #10 §2): without an explicitly chosen development mode the app
refuses a missing, known or short secret; development creates a random one (mode 600) once and
reuses it; an unknown CHIIKI_ENVIRONMENT is a Japanese error, not a traceback; HSTS in production."""

from __future__ import annotations

import os
import stat

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from typer.testing import CliRunner

from chiiki.cli.main import app as cli
from chiiki.server import create_app
from chiiki.services.settings import SettingsError, WebSettings, ensure_secret_file, load_web_settings
from chiiki.store.settings import StoreSettings

STRONG = "s" * 48


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("CHIIKI_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_unset_environment_means_production_rules(clean_env, tmp_path):
    settings = load_web_settings()
    assert settings.environment is None and settings.is_production and settings.secure_cookies
    with pytest.raises(SettingsError, match="秘密鍵が設定されていません"):
        settings.resolve_secret(tmp_path)


@pytest.mark.parametrize("secret", ["change-me-development-only", "short", "x" * 31])
def test_known_or_short_secret_refused_outside_development(clean_env, tmp_path, secret):
    with pytest.raises(SettingsError, match="32文字以上"):
        WebSettings(secret_key=secret).resolve_secret(tmp_path)
    with pytest.raises(SettingsError):
        create_app(StoreSettings(data_dir=tmp_path), web=WebSettings(secret_key=secret))
    assert WebSettings(environment="development", secret_key=secret).resolve_secret(tmp_path) == secret


def test_development_creates_one_private_secret_and_reuses_it(clean_env, tmp_path):
    first = WebSettings(environment="development").resolve_secret(tmp_path)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 48
    assert WebSettings(environment="development").resolve_secret(tmp_path) == first
    assert WebSettings().resolve_secret(tmp_path) == first  # production reads the file made once


def test_secret_file_others_can_read_is_refused(clean_env, tmp_path):
    path = ensure_secret_file(tmp_path)
    path.chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        WebSettings().resolve_secret(tmp_path)


def test_unknown_environment_is_a_japanese_error(clean_env):
    clean_env.setenv("CHIIKI_ENVIRONMENT", "prod")
    with pytest.raises(SettingsError, match="CHIIKI_ENVIRONMENT「prod」は使えません"):
        load_web_settings()


def test_serve_with_unknown_environment_fails_cleanly(clean_env, tmp_path):
    clean_env.setenv("CHIIKI_ENVIRONMENT", "staging")
    clean_env.setenv("CHIIKI_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "CHIIKI_ENVIRONMENT「staging」" in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_cookie_signed_with_the_old_default_secret_logs_nobody_in(clean_env, tmp_path):
    from chiiki.server.testing import seeded_app

    seeded = seeded_app(tmp_path, n_firms=None)
    import base64
    import json

    payload = base64.b64encode(json.dumps({"uid": "admin", "sid": "x"}).encode())
    forged = TimestampSigner("change-me-development-only").sign(payload).decode()
    c = TestClient(seeded.app, cookies={"chiiki_session": forged})
    assert c.get("/", follow_redirects=False).status_code == 303


def test_hsts_in_production_only(clean_env, tmp_path):
    prod = create_app(StoreSettings(data_dir=tmp_path), web=WebSettings(secret_key=STRONG))
    dev = create_app(StoreSettings(data_dir=tmp_path), web=WebSettings(environment="development"))
    assert "max-age" in TestClient(prod).get("/login").headers["strict-transport-security"]
    assert "strict-transport-security" not in TestClient(dev).get("/login").headers
