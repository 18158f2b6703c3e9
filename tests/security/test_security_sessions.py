"""Sessions end when they should (issue #10 §3): logout ends the server-side session, and disabling
a user or changing a password revokes that user's browser sessions and API tokens at once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_helpers import PASSWORD, csrf_of, logged_in

from chiiki.services.security import hash_password
from chiiki.store import session_scope
from chiiki.store.models import AuthSession
from chiiki.store.users import get_user_by_username, update_user


def _token(app, user: str = "tokyo") -> str:
    r = TestClient(app).post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def _logins(app) -> int:
    with session_scope(app.state.chiiki.engine) as s:
        return s.query(AuthSession).count()


def test_logout_invalidates_the_old_cookie_on_the_server(app_seeded):
    c = logged_in(app_seeded.app, "tokyo")
    cookie = c.cookies.get("chiiki_session")
    assert c.get("/", follow_redirects=False).status_code == 200
    r = c.post("/logout", data={"csrf_token": csrf_of(c.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    replay = TestClient(app_seeded.app, cookies={"chiiki_session": cookie})
    assert replay.get("/", follow_redirects=False).status_code == 303  # to the login page
    assert _logins(app_seeded.app) == 0


def test_api_token_revoked_by_delete(app_seeded):
    token = _token(app_seeded.app)
    c = TestClient(app_seeded.app, headers={"Authorization": f"Bearer {token}"})
    assert c.get("/api/v1/plans").status_code == 200
    assert c.delete("/api/v1/auth/token").status_code == 204
    assert c.get("/api/v1/plans").status_code == 401


def test_disabling_a_user_revokes_sessions_and_tokens(app_seeded):
    browser = logged_in(app_seeded.app, "tokyo")
    api = TestClient(app_seeded.app, headers={"Authorization": f"Bearer {_token(app_seeded.app)}"})
    with session_scope(app_seeded.app.state.chiiki.engine) as s:
        user = get_user_by_username(s, "tokyo")
        update_user(s, user.id, expected_version=user.version, actor="admin", is_active=False)
    assert browser.get("/", follow_redirects=False).status_code == 303
    assert api.get("/api/v1/plans").status_code == 401
    with session_scope(app_seeded.app.state.chiiki.engine) as s:
        user = get_user_by_username(s, "tokyo")
        update_user(s, user.id, expected_version=user.version, actor="admin", is_active=True)
    assert browser.get("/", follow_redirects=False).status_code == 303  # stays ended after re-enabling


def test_password_change_revokes_sessions_and_tokens(app_seeded):
    browser = logged_in(app_seeded.app, "tokyo")
    api = TestClient(app_seeded.app, headers={"Authorization": f"Bearer {_token(app_seeded.app)}"})
    other = logged_in(app_seeded.app, "fukushima")
    with session_scope(app_seeded.app.state.chiiki.engine) as s:
        user = get_user_by_username(s, "tokyo")
        update_user(
            s,
            user.id,
            expected_version=user.version,
            actor="admin",
            password_hash=hash_password("new-pass-4567"),
        )
    assert browser.get("/", follow_redirects=False).status_code == 303
    assert api.get("/api/v1/plans").status_code == 401
    assert other.get("/", follow_redirects=False).status_code == 200  # other users keep theirs


def test_token_is_random_and_only_its_hash_is_stored(app_seeded):
    token = _token(app_seeded.app)
    with session_scope(app_seeded.app.state.chiiki.engine) as s:
        stored = [row.token_hash for row in s.query(AuthSession)]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_forged_token_is_refused(app_seeded):
    c = TestClient(app_seeded.app, headers={"Authorization": "Bearer not-a-real-token"})
    r = c.get("/api/v1/plans")
    assert r.status_code == 401 and "無効" in r.json()["detail"]
