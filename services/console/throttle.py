"""Sign-in attempts throttled: after `limit` failures within the window for one key, further
attempts are refused until the oldest failure leaves the window. The console keeps two: by name
(5), which stops a guesser who changes address, and by client address with a larger limit (20),
which stops one who changes names without locking out an office whose staff share one address
behind its proxy."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SignInThrottle:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, *keys: str) -> float:
        """0 if an attempt may be made now; else how long until one may."""
        now = self.clock()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0.0
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if len(failures) < self.limit:
            return 0.0
        return failures[0] + self.window - now


def wait_text(seconds: float) -> str:
    """登录失败次数过多，请约15分钟后再试 — rounded up to seconds under a minute, else minutes."""
    if seconds < 60:
        n = max(1, math.ceil(seconds))
        return f"登录失败次数过多，请约{n}秒后再试（too many failed sign-ins; retry in {n} s）"
    n = math.ceil(seconds / 60)
    return f"登录失败次数过多，请约{n}分钟后再试（too many failed sign-ins; retry in {n} min）"
