"""Slowing down guessing of query codes: after too many failures for a key within a window, the
key is refused until enough failures leave the window. The failures are kept in a FailureLog:
in memory for one process, or in the service's database (services.intake.guesses) so that every
replica behind a load balancer counts the same guesses."""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class GuessPolicy:
    """How many wrong query codes a client may try, and over what window."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


class FailureLog(Protocol):
    def failures(self, key: str, window_start: datetime) -> list[datetime]:
        """`key`'s failures after `window_start` (one made exactly a window ago has left it), oldest
        first."""
        ...

    def add(self, key: str, at: datetime, window_start: datetime) -> None:
        """Record a failure, and forget every key's failures up to `window_start`: they have
        left the window."""
        ...


class MemoryFailureLog:
    """One process's failures, for at most `tracked_keys` keys (the least recent go first)."""

    def __init__(self, tracked_keys: int = 100_000) -> None:
        self.tracked_keys = tracked_keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def failures(self, key: str, window_start: datetime) -> list[datetime]:
        return [t for t in self._failures.get(key, ()) if t > window_start]

    def add(self, key: str, at: datetime, window_start: datetime) -> None:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= window_start:
            failures.popleft()
        failures.append(at)
        self._failures.move_to_end(key)
        while len(self._failures) > self.tracked_keys:
            self._failures.popitem(last=False)


class GuessThrottle:
    """Failure counts per key (a client address)."""

    def __init__(self, policy: GuessPolicy = GuessPolicy(), log: FailureLog | None = None) -> None:
        self.policy = policy
        self.log = log or MemoryFailureLog()

    def retry_after(self, key: str, now: datetime) -> float:
        """Seconds until `key` may try again; 0 when it may try now. Replicas that record at the
        same moment may let a key go past the limit: it then waits until it is back under it."""
        failures = self.log.failures(key, now - self.policy.window)
        if len(failures) < self.policy.max_failures:
            return 0.0
        return (failures[-self.policy.max_failures] + self.policy.window - now).total_seconds()

    def record_failure(self, key: str, now: datetime) -> None:
        self.log.add(key, now, now - self.policy.window)


def too_many_guesses(retry_after: float) -> str:
    """What a client refused for guessing is told: how long until it may try again, rounded up
    (waiting as long as told is enough) to whole seconds under a minute, else to whole minutes."""
    seconds = math.ceil(retry_after)
    if seconds < 60:
        zh, en = f"{seconds}秒", f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        zh, en = f"{minutes}分钟", f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"查询码错误次数过多，请约{zh}后再试（too many wrong query codes; retry in about {en}）"
