"""Projections: read models that follow a service's own notification log.

A projector writes its view and its position (a tracking row) in one transaction, so a crash at
any point neither skips an event nor applies one twice, and a view can be rebuilt from zero by
replay.

What was stored never stops a projection (ogi.setaside): a batch that fails for a reason of its
own is applied again one event at a time; an event that fails alone is set aside with why, in
the transaction that moves the position past it, and the projection goes on. Set-aside events
are applied again at start-up and when the operator asks. A database that is away is waited
for, as before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import structlog
from eventsourcing.application import Application

from ogi.messaging.deadletter import is_transient
from ogi.persistence import EventDecoder
from ogi.process import Worker
from ogi.setaside import (
    FaultSeam,
    HeldBehind,
    Retried,
    RetryRequests,
    SetAsideEvent,
    SetAsideLog,
    StoredEvent,
    logged_set_aside,
    short_failure,
)
from ogi.views import ProjectionConflict, Statement

log = structlog.get_logger("ogi.projection")


class Projector(Protocol):
    @property
    def set_aside(self) -> SetAsideLog:
        """Where it keeps the events it could not apply (its tables must include
        ogi.setaside.set_aside_tables(reader))."""
        ...

    def position(self) -> int:
        """The last notification id the view includes."""
        ...

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        """Update the view from the events after position `after` and move the position to
        `last_notification_id`, in one transaction (ogi.views.ProjectionConflict if another
        replica moved it first)."""
        ...

    def reapply(self, domain_event: Any, claim: Statement, /) -> None:
        """Apply an event that was set aside, with `claim` (which takes it off the list), in
        one transaction; the position stays where it is."""
        ...

    def attention(self, domain_event: Any, /) -> list[Statement]:
        """What marks the event's subject as needing attention, written with its set-aside
        record (may be nothing)."""
        ...


def topics_used(projector: Projector) -> frozenset[str] | None:
    """The topics of the events a projector reads (its optional `topics` attribute), or None
    for all. The others are not decrypted nor decoded (the topic is stored in clear): in a
    replay most of the cost of an event is its decoding."""
    topics = getattr(projector, "topics", None)
    return None if topics is None else frozenset(topics)


class ProjectionWorker(Worker):
    """Keeps a projector up to date with `app`'s notification log: polls, or is woken on save."""

    def __init__(
        self,
        app: Application[Any],
        projector: Projector,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        fault: FaultSeam | None = None,
    ) -> None:
        super().__init__()
        self.app = app
        self.projector = projector
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.reader = projector.set_aside.reader
        self.fault = fault or FaultSeam(self.reader)
        self.retries = RetryRequests()
        self.decoder: Callable[[Any], Any] = EventDecoder(app.mapper)
        self.topics = topics_used(projector)

    async def run(self) -> None:
        self.started()
        retry_due = True  # a new release (or calendar, or data fix) may have fixed the cause
        while not self.stopping:
            try:
                if retry_due or self.retries.asked:
                    self.retries.answer(await asyncio.to_thread(self.retry_set_aside))
                    retry_due = False
                projected = await asyncio.to_thread(self.catch_up_once)
            except Exception as e:  # the database is away: keep the service up, retry
                log.warning("projection interrupted", reader=self.reader, error=short_failure(e))
                await self.sleep(self.poll_interval)
                continue
            if projected == 0:
                await self.sleep(self.poll_interval)

    def catch_up_once(self) -> int:
        """Project the next batch; the number of notifications read. Raises only for a failure
        of the surroundings (ogi.messaging.deadletter.is_transient)."""
        position = self.projector.position()
        notifications = self.app.recorder.select_notifications(
            start=position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        held = self.projector.set_aside.originators()
        if not held or held.isdisjoint(str(n.originator_id) for n in notifications):
            try:
                self._apply(notifications, position)
                return len(notifications)
            except ProjectionConflict:
                log.debug("another replica projected this batch first", after=position)
                return len(notifications)
            except Exception as error:
                if is_transient(error):
                    raise
        self._one_at_a_time(notifications, position, held)
        return len(notifications)

    def catch_up(self, within: float | None = None) -> bool:
        """Project everything there is now (start-up, rebuild, tests); True once done. With
        `within`, stop after that many seconds, or at a database that fails, and say so
        (False): the service then serves while its worker catches up."""
        deadline = None if within is None else time.monotonic() + within
        while True:
            try:
                if not self.catch_up_once():
                    return True
            except Exception as error:
                if deadline is None:
                    raise
                log.warning(
                    "catch-up interrupted; going on while serving",
                    reader=self.reader,
                    error=short_failure(error),
                )
                return False
            if deadline is not None and time.monotonic() > deadline:
                log.warning(
                    "catch-up unfinished in time; going on while serving", reader=self.reader
                )
                return False

    def set_aside_events(self) -> list[SetAsideEvent]:
        return self.projector.set_aside.events()

    def retry_requested(self) -> asyncio.Future[Retried]:
        asked = self.retries.ask()
        self.wake()
        return asked

    def retry_set_aside(self) -> Retried:
        """Apply the set-aside events again, oldest first; those that apply leave the list. An
        aggregate's later events are not tried while an earlier one still fails."""
        applied = still = 0
        blocked: set[str] = set()
        for entry in self.projector.set_aside.events():
            if entry.originator_id in blocked:
                still += 1
                continue
            try:
                notification = self._stored(entry.notification_id)
                self.fault.check(notification.originator_id)
                self.projector.reapply(
                    self.app.mapper.to_domain_event(notification),
                    self.projector.set_aside.claim(entry.notification_id),
                )
            except ProjectionConflict:
                continue  # another replica applied it first
            except Exception as error:
                if is_transient(error):
                    raise
                self.projector.set_aside.failed_again(entry.notification_id, error)
                blocked.add(entry.originator_id)
                still += 1
                continue
            applied += 1
        if applied or still:
            log.info("set-aside events retried", reader=self.reader, applied=applied, still=still)
        return Retried(self.reader, applied, still)

    def _apply(self, notifications: Sequence[Any], after: int) -> None:
        """The batch's events the projector reads, decoded, and the position after the batch
        (past the events it does not read too), in one transaction."""
        if self.fault.failing:
            for n in notifications:
                self.fault.check(n.originator_id)
        topics = self.topics
        events = [self.decoder(n) for n in notifications if topics is None or n.topic in topics]
        self.projector.project(events, after, notifications[-1].id)

    def _one_at_a_time(self, notifications: Sequence[Any], after: int, held: set[str]) -> None:
        """Apply a batch that failed, or that holds events of an aggregate with an event set
        aside, event by event: set aside those that fail alone and those behind them."""
        for n in notifications:
            originator = str(n.originator_id)
            try:
                if originator in held:
                    raise HeldBehind()
                self._apply([n], after)
            except ProjectionConflict:
                return  # another replica went on first: read again from where it is
            except Exception as error:
                if is_transient(error):
                    raise
                try:
                    self._set_aside(n, error, after)
                except ProjectionConflict:
                    return
                held.add(originator)
            after = n.id

    def _set_aside(self, n: StoredEvent, error: BaseException, after: int) -> None:
        also = self._attention(n)
        try:
            self.projector.set_aside.record(n, error, after, also)
        except ProjectionConflict:
            raise
        except Exception as failure:
            if is_transient(failure) or not also:
                raise
            # Marking the subject failed as well (the same value, most likely): the event is
            # still set aside, and listed.
            log.warning(
                "attention mark not written", reader=self.reader, error=short_failure(failure)
            )
            self.projector.set_aside.record(n, error, after)
        logged_set_aside(log, self.reader, n, error)

    def _attention(self, n: Any) -> list[Statement]:
        try:
            return self.projector.attention(self.app.mapper.to_domain_event(n))
        except Exception as error:
            if is_transient(error):
                raise
            return []

    def _stored(self, notification_id: int) -> Any:
        found = self.app.recorder.select_notifications(start=notification_id, limit=1)
        if not found or found[0].id != notification_id:
            raise LookupError(f"notification {notification_id} is not in the store")
        return found[0]
