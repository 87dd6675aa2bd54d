"""How fresh a read is (读一致性): positions a read reflects, and waiting for one before answering.

A position names a service's notification log and an id in it: ``handling:456``. A token is one
or more, comma-separated (``intake:123,handling:456``), so that what one service returned can be
passed to another. A write returns its service's position right after it committed; a read
returns the positions it reflects (its own service's, and each upstream service's as far as this
one has applied it, from the consumer's tracking row) and, given ``min_position``, waits until it
reflects at least those — bounded by the call's deadline and OGI_FRESHNESS_WAIT_SECONDS.

A position of a service whose events this read does not follow is ignored: nothing of it will
ever show here. A wait that runs out answers DEADLINE_EXCEEDED (the client may ask again)."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc

from ogi.errors import FieldViolation, InvalidArgument, NotFreshYet

Positions = dict[str, int]

POSITION_FIELD = "min_position"
MAX_POSITIONS = 400
WAIT_ENV = "OGI_FRESHNESS_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 30.0
POLL_SECONDS = 0.02
_PART = re.compile(r"([a-z][a-z0-9_-]{0,30}):(\d{1,18})")


def parse(token: str, field_name: str = POSITION_FIELD) -> Positions:
    """``"intake:1,handling:2"`` → {"intake": 1, "handling": 2} (the highest of a service's)."""
    token = token.strip()
    if not token:
        return {}
    wrong = (
        "应为“服务:位置”，以逗号分隔，如 intake:12,handling:34"
        "（must be service:position, comma-separated, e.g. intake:12,handling:34）"
    )
    if len(token) > MAX_POSITIONS:
        raise InvalidArgument([FieldViolation(field_name, wrong)])
    positions: Positions = {}
    for part in token.split(","):
        matched = _PART.fullmatch(part.strip())
        if matched is None:
            raise InvalidArgument([FieldViolation(field_name, wrong)])
        service, position = matched.group(1), int(matched.group(2))
        positions[service] = max(position, positions.get(service, 0))
    return positions


def token(positions: Mapping[str, int]) -> str:
    return ",".join(f"{s}:{p}" for s, p in sorted(positions.items()) if p > 0)


def merged(*tokens: str) -> str:
    """The positions of all tokens, the highest of each service."""
    out: Positions = {}
    for t in tokens:
        for service, position in parse(t).items():
            out[service] = max(position, out.get(service, 0))
    return token(out)


@dataclass
class Freshness:
    """What a service's reads reflect: its own notification log, and the upstream services it
    follows (their positions as applied here, from the tracking rows).

    `app` is the service's event-sourced application (a process recorder)."""

    service: str
    app: Any
    upstream: tuple[str, ...] = ()
    wait_seconds: float = field(
        default_factory=lambda: float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_SECONDS))
    )

    def written(self) -> str:
        """The position a write returns: this service's log right after it committed."""
        return self.written_at(self._log())

    def written_at(self, position: int) -> str:
        """The position a write returns that knows where its own events ended in the log (the
        last notification of its transaction): no query for the log's end."""
        return token({self.service: position})

    def _log(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def _tracked(self, upstream: str) -> int:
        return int(self.app.recorder.max_tracking_id(upstream) or 0)

    async def read(
        self,
        context: grpc.aio.ServicerContext | None,
        min_position: str,
        view: Callable[[], int] | None = None,
    ) -> str:
        """Wait until the read reflects `min_position`, then return the positions it reflects.
        `view` is the position of the projection the read comes from; without it the read comes
        from the event store itself (always up to date with this service's own writes)."""
        wanted = parse(min_position)
        deadline = time.monotonic() + self._allowed(context)
        # First what upstream services told this one: applied means its effect is in the log.
        for name in self.upstream:
            if name in wanted:
                await _until(_reached(self._tracked, name, wanted[name]), deadline)
        upstream = {u: await asyncio.to_thread(self._tracked, u) for u in self.upstream}
        log_now = await asyncio.to_thread(self._log)
        if view is None:
            return token({self.service: log_now, **upstream})
        target = wanted.get(self.service, 0)
        if any(u in wanted for u in self.upstream):
            target = max(target, log_now)  # the upstream's effect, projected
        await _until(lambda: view() >= target, deadline)
        reached = await asyncio.to_thread(view)
        reflected = {self.service: reached}
        if reached >= log_now:
            reflected |= upstream
        return token(reflected)

    def _allowed(self, context: grpc.aio.ServicerContext | None) -> float:
        remaining = context.time_remaining() if context is not None else None
        return min(self.wait_seconds, remaining) if remaining is not None else self.wait_seconds


def _reached(tracked: Callable[[str], int], name: str, position: int) -> Callable[[], bool]:
    return lambda: tracked(name) >= position


async def _until(condition: Callable[[], bool], deadline: float) -> None:
    while not await asyncio.to_thread(condition):
        if time.monotonic() >= deadline:
            raise NotFreshYet(
                "尚未处理到所要求的位置，请稍后再查（not caught up with the asked position yet）"
            )
        await asyncio.sleep(POLL_SECONDS)
