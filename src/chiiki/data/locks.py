"""One import of a data set at a time (issue #10 §5): an exclusive lock file per data set under the
data directory (``fcntl.flock``: released by the kernel when the process ends, even by ``kill -9``).
The second import waits up to ``wait_s`` seconds, or is told at once that another is running."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".import.lock"


class ImportBusyError(RuntimeError):
    """Another import of the same data set is running (message in Japanese)."""


@contextmanager
def import_lock(
    root: Path, *, wait_s: float = 0.0, on_wait: Callable[[], None] | None = None, poll_s: float = 0.2
) -> Iterator[None]:
    """Hold the import lock of the data set directory ``root`` for the block."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ImportBusyError(
                        f"データセット「{root.name}」は別の取り込みが実行中です。終わってからもう一度取り込んでください"
                        "（途中の版は使われず、今の版はそのまま使えます）。"
                    ) from None
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                time.sleep(poll_s)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
