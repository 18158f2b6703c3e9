"""Login throttling that cannot be turned against users (issue #10 §8).

Two counts, kept apart, in the database (so ``--workers N`` and several machines share them):

- per username: the first :attr:`~chiiki.services.settings.WebSettings.login_free_failures`
  failures cost nothing; after that each attempt must wait a delay that doubles with every further
  failure (1 s, 2 s, 4 s … up to ``login_delay_max_s``). A correct password resets the count. Someone
  guessing a user's password slows that user down for minutes at most; they never lock them out.
- per client address: ``login_address_max_failures`` failures (any usernames) within
  ``login_window_s`` make that address wait for the window. A whole office behind one address keeps
  logging in: the limit is far above what people mistype, and it stops only that address.

The counts are written in the request's own transaction, which a refused login commits like any
other (the login page and the token route answer 401 without raising), so every failure counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from chiiki.services.settings import WebSettings
from chiiki.store import auth


def username_key(username: str) -> str:
    return f"user:{username.strip().lower()[:150]}"


def address_key(address: str) -> str:
    return f"addr:{address[:150]}"


def username_delay_s(failures: int, *, free: int, base_s: float, max_s: float) -> float:
    """How long a username must wait after ``failures`` failures in a row (0 for the free ones)."""
    if failures <= free:
        return 0.0
    return min(base_s * 2.0 ** (failures - free - 1), max_s)


@dataclass
class LoginLimiter:
    """The two counts of the module docstring, kept in the store."""

    settings: WebSettings
    clock: Callable[[], float] = field(default=time.time)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def wait_s(self, session: Session, username: str, address: str) -> int:
        """Seconds until ``username`` may try again from ``address`` (0: now)."""
        now = self._now()
        rows = auth.throttle_rows(session, (username_key(username), address_key(address)))
        waits = [(r.blocked_until - now).total_seconds() for r in rows.values() if r.blocked_until]
        return max(0, math.ceil(max(waits, default=0.0)))

    def record_failure(self, session: Session, username: str, address: str) -> None:
        s = self.settings
        now = self._now()
        key = username_key(username)
        n = auth.add_login_failure(session, key, now=now, window_s=s.login_window_s)
        delay = username_delay_s(
            n, free=s.login_free_failures, base_s=s.login_delay_base_s, max_s=s.login_delay_max_s
        )
        if delay:
            auth.block_login(session, key, until=now + timedelta(seconds=delay))
        key = address_key(address)
        n = auth.add_login_failure(session, key, now=now, window_s=s.login_window_s)
        if n >= s.login_address_max_failures:
            auth.block_login(session, key, until=now + timedelta(seconds=s.login_window_s))

    def record_success(self, session: Session, username: str) -> None:
        auth.clear_login_failures(session, username_key(username))
