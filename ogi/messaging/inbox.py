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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking

from ogi.messaging.stored import stored_ids
from ogi.messaging.worker import FaultPoint

log = structlog.get_logger("ogi.inbox")

# Returns the aggregate it changed, or those, or None.
Effect = Callable[[], Aggregate | Sequence[Aggregate] | None]

# Fault point (tests): a batch's effects are being made, nothing of it is committed.
CRASH_MID_BATCH = "consumer-crash-mid-batch"

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
    return _position_in(_message_id.get(), upstream)


def _position_in(message_id: str, upstream: str) -> int | None:
    """The position a message id (Nats-Msg-Id ``<service>:<notification id>``) names, if it
    is `upstream`'s."""
    service, _, position = message_id.partition(":")
    return int(position) if service == upstream and position.isdigit() else None


def late_for(consumer: str, headers: Mapping[str, str] | None) -> bool:
    """Whether a message with these headers is a late delivery for `consumer`."""
    return (headers or {}).get(LATE_FOR) in (EVERY_CONSUMER, consumer)


@dataclass(frozen=True)
class Delivery:
    """One message of a batch, as the consumer fetched it (never a late one: those are
    applied alone, ogi.messaging.consumer)."""

    subject: str
    data: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def position(self, upstream: str) -> int | None:
        """Its upstream position, if it is `upstream`'s."""
        return _position_in(self.headers.get("Nats-Msg-Id", ""), upstream)


class Prepared(NamedTuple):
    """An upstream event ready to apply: its position, its effect, and the aggregates the
    effect will read (looked up together for the batch, ahead of the effects)."""

    position: int
    effect: Effect
    reads: tuple[UUID, ...] = ()


@dataclass
class _Batch:
    # The aggregates the batch has changed so far, by id: what a later effect reads of them
    # is what the earlier ones left, not the stored state, which the batch has not yet written.
    pending: dict[UUID, Aggregate] = field(default_factory=dict)
    # Aggregates the effects will read that have no stored event (found in one query).
    absent: set[UUID] = field(default_factory=set)


_batch: ContextVar[_Batch | None] = ContextVar("batch", default=None)


class PendingAwareRepository(Repository[UUID]):
    """The application's repository, which inside a batch returns the batch's own, not yet
    saved, state of an aggregate (its latest version only), and knows without asking the
    store which of the aggregates the batch reads do not exist."""

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        batch = _batch.get()
        if version is None and batch is not None:
            if aggregate_id in batch.pending:
                return batch.pending[aggregate_id]
            if aggregate_id in batch.absent:
                raise AggregateNotFoundError(aggregate_id)
        return super().get(aggregate_id, version=version, **kwargs)


_mid_batch = FaultPoint(CRASH_MID_BATCH)


def apply_all(app: Application[Any], upstream: str, items: Sequence[Prepared]) -> int:
    """Apply the effects of consecutive upstream events, in order, and save all they changed
    with the last position's tracking, in one transaction; positions already tracked are
    skipped (a redelivery). The number applied now; 0 if another process applied them first.
    Raises what an effect raises, with nothing saved."""
    recorder = cast(ProcessRecorder, app.recorder)
    done = recorder.max_tracking_id(upstream) or 0
    fresh = [item for item in items if item.position > done]
    if not fresh:
        log.info("already applied", upstream=upstream, upto=items[-1].position if items else done)
        return 0
    positions = [item.position for item in fresh]
    if positions != sorted(set(positions)):
        raise ValueError(f"positions out of order in a batch: {positions}")
    reads = {i for item in fresh for i in item.reads}
    found = stored_ids(recorder, reads)
    batch = _Batch(absent=reads - found if found is not None else set())
    events: list[Any] = []
    token = _batch.set(batch)
    try:
        for item in fresh:
            for aggregate in _changed(item.effect()):
                batch.pending[aggregate.id] = aggregate
                # Collected after each effect, so the log keeps the upstream order across
                # aggregates as well.
                events.extend(aggregate.collect_events())
            _mid_batch.passed()
    finally:
        _batch.reset(token)
    try:
        app.events.put(events, tracking=Tracking(upstream, positions[-1]))
    except IntegrityError:
        if recorder.has_tracking_id(upstream, positions[-1]):
            return 0  # another replica applied the whole batch first
        raise
    return len(fresh)


def _changed(changed: Aggregate | Sequence[Aggregate] | None) -> list[Aggregate]:
    return [changed] if isinstance(changed, Aggregate) else list(changed or [])


def apply_once(app: Application[Any], upstream: str, position: int, effect: Effect) -> bool:
    """Run `effect` and save what it changed with the position's tracking; False if the
    position was applied before (a redelivery), by this process or a concurrent one. `app`
    must use a process recorder."""
    recorder = cast(ProcessRecorder, app.recorder)
    name = f"{upstream}:late:{position}" if _late.get() else upstream
    if recorder.has_tracking_id(name, position):
        log.info("already applied", upstream=upstream, position=position, late=name != upstream)
        return False
    events = [e for aggregate in _changed(effect()) for e in aggregate.collect_events()]
    try:
        app.events.put(events, tracking=Tracking(name, position))
    except IntegrityError:
        if recorder.has_tracking_id(name, position):
            return False
        raise
    return True
