"""Applying an upstream service's event exactly once: the effect and the upstream position
(a tracking row) are saved in one transaction, and a position already tracked is skipped.

The tracking row holds the highest position applied (the library keeps one row per name), so a
position at or below it counts as applied: a redelivery. An event delivered late on purpose —
a relay's set-aside event published once its cause is fixed, or a consumer's dead letter
replayed — comes after later ones and has never been applied; the consumer says so (`late`,
from the message's LATE_FOR header) and it is tracked under a name of its own
(`<upstream>:late:<position>`), so that it takes effect once however often it is delivered."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, cast

import structlog
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking

log = structlog.get_logger("ogi.inbox")

# Returns the aggregate it changed, or those, or None.
Effect = Callable[[], Aggregate | Sequence[Aggregate] | None]

# Header of a message delivered late on purpose: "*" for every consumer (a relay publishing an
# event it had set aside: none has seen it), or the one durable consumer that set it aside.
LATE_FOR = "Ogi-Late-For"
EVERY_CONSUMER = "*"

# Whether the message being applied is a late one: set by the consumer, which alone sees its
# headers, around the application's apply (asyncio.to_thread carries it into the thread).
_late: ContextVar[bool] = ContextVar("late_delivery", default=False)
# The message's id (Nats-Msg-Id, "<service>:<notification id>"), set the same way: a message
# this service has no use for still moves the upstream's tracked position (ogi.freshness).
_message_id: ContextVar[str] = ContextVar("message_id", default="")


@contextlib.contextmanager
def delivered_late(late: bool) -> Iterator[None]:
    token = _late.set(late)
    try:
        yield
    finally:
        _late.reset(token)


@contextlib.contextmanager
def delivering(headers: dict[str, str] | None) -> Iterator[None]:
    token = _message_id.set((headers or {}).get("Nats-Msg-Id", ""))
    try:
        yield
    finally:
        _message_id.reset(token)


def delivered_position(upstream: str) -> int | None:
    """The upstream position of the message being applied, if it is `upstream`'s."""
    service, _, position = _message_id.get().partition(":")
    return int(position) if service == upstream and position.isdigit() else None


def late_for(consumer: str, headers: dict[str, str] | None) -> bool:
    """Whether a message with these headers is a late delivery for `consumer`."""
    return (headers or {}).get(LATE_FOR) in (EVERY_CONSUMER, consumer)


def apply_once(app: Application[Any], upstream: str, position: int, effect: Effect) -> bool:
    """Run `effect` and save what it changed with the position's tracking; False if the
    position was applied before (a redelivery), by this process or a concurrent one. `app`
    must use a process recorder."""
    recorder = cast(ProcessRecorder, app.recorder)
    name = f"{upstream}:late:{position}" if _late.get() else upstream
    if recorder.has_tracking_id(name, position):
        log.info("already applied", upstream=upstream, position=position, late=name != upstream)
        return False
    changed = effect()
    aggregates = [changed] if isinstance(changed, Aggregate) else list(changed or [])
    events = [e for aggregate in aggregates for e in aggregate.collect_events()]
    try:
        app.events.put(events, tracking=Tracking(name, position))
    except IntegrityError:
        if recorder.has_tracking_id(name, position):
            return False
        raise
    return True
