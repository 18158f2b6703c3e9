"""Security primitives of the web shell: API bearer tokens, CSRF tokens, the login rate limiter and
password checks without a timing leak (issue #7 §4).

Tokens are signed with itsdangerous using the secret from :class:`chiiki.services.settings.WebSettings`;
a token carries only the username and is checked against the user table on every request, so a
deactivated user loses access at once.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("chiiki-dummy-password-for-unknown-users")

TOKEN_SALT = "chiiki-api-token"


def hash_password(password: str) -> str:
    """argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (``None``) is checked against a dummy hash so
    that the answer takes as long either way."""
    try:
        ok = _HASHER.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def token_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT)


def issue_token(secret: str, username: str) -> str:
    """A signed, timestamped bearer token for ``username``."""
    return token_serializer(secret).dumps({"sub": username})


def read_token(secret: str, token: str, *, max_age_s: int) -> str | None:
    """The username in a valid, unexpired token, else None."""
    try:
        data = token_serializer(secret).loads(token, max_age=max_age_s)
    except (SignatureExpired, BadSignature):
        return None
    sub = data.get("sub") if isinstance(data, dict) else None
    return sub if isinstance(sub, str) else None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one a form sent."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


@dataclass
class LoginRateLimiter:
    """At most ``max_failures`` failed logins per key (username and client address) in ``window_s``.

    In memory and per process: enough for one server process; behind several processes each keeps its
    own count (documented in docs/web.md).
    """

    max_failures: int = 5
    window_s: float = 300.0
    clock: object = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def is_blocked(self, *keys: str) -> bool:
        now = self.clock()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.max_failures for k in keys)

    def record_failure(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
