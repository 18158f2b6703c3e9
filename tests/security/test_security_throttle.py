"""Login throttling that cannot be turned against users (issue #10 §8): per username with growing
delays, per address apart, X-Forwarded-For only from trusted proxies, state in the database so that
every worker (here: a second app over the same store) sees it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD

from chiiki.server import create_app
from chiiki.services.addresses import client_address
from chiiki.services.settings import WebSettings
from chiiki.services.throttle import username_delay_s


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(app_seeded):
    c = Clock()
    app_seeded.app.state.chiiki.limiter.clock = c
    return c


def _token(app, user: str, password: str, headers: dict | None = None) -> int:
    r = TestClient(app, headers=headers or {}, client=("10.0.0.2", 50000)).post(
        "/api/v1/auth/token", json={"username": user, "password": password}
    )
    return r.status_code


def test_delays_grow_per_username():
    delays = [username_delay_s(n, free=3, base_s=1, max_s=900) for n in range(1, 16)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:7] == [1, 2, 4, 8]
    assert delays[-1] == 900


def test_username_waits_then_may_try_again(app_seeded, clock):
    app = app_seeded.app
    assert [_token(app, "tokyo", f"bad{i}") for i in range(4)] == [401, 401, 401, 401]
    assert _token(app, "tokyo", PASSWORD) == 429  # the 4th failure costs a 1 s wait
    clock.t += 1.5
    assert _token(app, "tokyo", PASSWORD) == 200  # the right password after the wait, and reset
    assert [_token(app, "tokyo", f"bad{i}") for i in range(3)] == [401, 401, 401]


def test_failures_against_one_user_do_not_block_other_users_from_that_address(app_seeded, clock):
    app = app_seeded.app
    for i in range(6):
        clock.t += 100
        _token(app, "tokyo", f"bad{i}")
    assert _token(app, "fukushima", PASSWORD) == 200


def test_an_address_is_stopped_after_many_failures_without_stopping_others(app_seeded, clock):
    app = app_seeded.app
    limit = app.state.chiiki.web.login_address_max_failures
    proxy = {"X-Forwarded-For": "203.0.113.9"}
    app.state.chiiki.web.trusted_proxies = ["10.0.0.0/8"]
    for i in range(limit):
        _token(app, f"nobody{i}", "x", proxy)
    assert _token(app, "fukushima", PASSWORD, proxy) == 429
    assert _token(app, "fukushima", PASSWORD, {"X-Forwarded-For": "198.51.100.1"}) == 200


def test_throttle_state_is_shared_by_every_worker(app_seeded, clock):
    other = create_app(app_seeded.app.state.chiiki.settings, web=app_seeded.app.state.chiiki.web)
    other.state.chiiki.limiter.clock = clock
    for i in range(4):
        assert _token(app_seeded.app, "tokyo", f"bad{i}") == 401
    assert _token(other, "tokyo", PASSWORD) == 429


def test_forwarded_for_is_trusted_only_from_configured_proxies():
    trusted = ("10.0.0.0/8",)
    assert client_address("203.0.113.5", "1.2.3.4", trusted) == "203.0.113.5"  # not a proxy: ignored
    assert client_address("10.0.0.2", "1.2.3.4", trusted) == "1.2.3.4"
    assert client_address("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.7", trusted) == "1.2.3.4"
    assert client_address("10.0.0.2", None, trusted) == "10.0.0.2"


def test_wrong_password_message_is_japanese(app_seeded, clock):
    r = TestClient(app_seeded.app).post("/api/v1/auth/token", json={"username": "tokyo", "password": "no"})
    assert r.status_code == 401 and r.json()["detail"] == "ユーザー名またはパスワードが違います。"
    assert WebSettings().login_free_failures == 3
