"""Slowing down guessing of query codes: after too many failures for a key within a window, the
key is refused until the oldest failure leaves the window."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class GuessPolicy:
    """How many wrong query codes a client may try, and over what window."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    tracked_keys: int = 100_000


class GuessThrottle:
    """Failure counts per key (a client address), in memory."""

    def __init__(self, policy: GuessPolicy = GuessPolicy()) -> None:
        self.policy = policy
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def retry_after(self, key: str, now: datetime) -> float:
        """Seconds until `key` may try again; 0 when it may try now."""
        failures = self._recent(key, now)
        if len(failures) < self.policy.max_failures:
            return 0.0
        return (failures[0] + self.policy.window - now).total_seconds()

    def record_failure(self, key: str, now: datetime) -> None:
        self._recent(key, now).append(now)
        self._failures.move_to_end(key)
        while len(self._failures) > self.policy.tracked_keys:
            self._failures.popitem(last=False)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] + self.policy.window <= now:
            failures.popleft()
        return failures
