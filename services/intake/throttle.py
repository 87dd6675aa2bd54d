"""Slowing down guessing of query codes without locking out the rightful applicant.

Wrong codes are counted twice: per application number and client address (a guesser trying one
number), and per client address alone (a guesser sweeping many numbers). Past either limit
within the window, that client is refused — for that number, or for every number — until enough
failures leave the window, and is told how long to wait. Nothing is counted per number alone:
anyone could then lock an applicant out of their own application by guessing from elsewhere,
and with 80-bit codes guessing spread over many addresses is hopeless anyway. An office or a
carrier's NAT shares one address: one guesser behind it slows only the numbers it tried (and
everyone only after the per-address limit, which is set high for that reason), while the
applicant reaches their application from any other address.

The failures are kept in a FailureLog: in memory for one process, or in the service's database
(services.intake.guesses) so that every replica behind a load balancer counts the same guesses."""

from __future__ import annotations

import math
import os
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class GuessPolicy:
    """How many wrong query codes a client may try, and over what window: `per_number` for one
    application number, `per_address` for all numbers together."""

    per_number: int = 5
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> GuessPolicy:
        """OGI_GUESS_PER_NUMBER, OGI_GUESS_PER_ADDRESS, OGI_GUESS_WINDOW_SECONDS; the defaults
        where unset."""
        default = cls()
        return cls(
            per_number=int(environ.get("OGI_GUESS_PER_NUMBER", default.per_number)),
            per_address=int(environ.get("OGI_GUESS_PER_ADDRESS", default.per_address)),
            window=timedelta(
                seconds=float(
                    environ.get("OGI_GUESS_WINDOW_SECONDS", default.window.total_seconds())
                )
            ),
        )


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
    """Failure counts per (application number, client address) and per client address."""

    def __init__(self, policy: GuessPolicy | None = None, log: FailureLog | None = None) -> None:
        self.policy = policy or GuessPolicy.from_env()
        self.log = log or MemoryFailureLog()

    def retry_after(self, number: str, client: str, now: datetime) -> float:
        """Seconds until `client` may try `number` again; 0 when it may try now."""
        return max(
            self._wait(_number_key(number, client), self.policy.per_number, now),
            self._wait(_address_key(client), self.policy.per_address, now),
        )

    def record_failure(self, number: str, client: str, now: datetime) -> None:
        window_start = now - self.policy.window
        self.log.add(_number_key(number, client), now, window_start)
        self.log.add(_address_key(client), now, window_start)

    def _wait(self, key: str, limit: int, now: datetime) -> float:
        """Replicas that record at the same moment may let a key go past the limit: it then
        waits until it is back under it."""
        failures = self.log.failures(key, now - self.policy.window)
        if len(failures) < limit:
            return 0.0
        return (failures[-limit] + self.policy.window - now).total_seconds()


def _number_key(number: str, client: str) -> str:
    return f"number:{number.strip().upper()}|{client}"


def _address_key(client: str) -> str:
    return f"address:{client}"


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
