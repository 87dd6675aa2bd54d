"""The relay: follows a service's outbox and publishes each integration event to JetStream with
``Nats-Msg-Id = <service>:<notification id>``, in order, resuming from its recorded position.

Crash anywhere and nothing is lost (the outbox is the event store) and nothing is stored twice:
a batch published but not yet recorded is re-sent on restart and the stream's duplicate window
drops the copies. Of several replicas only the holder of the relay lock publishes (order needs one
writer); the others stand by and the first to get the lock after the leader dies takes over.

An event that cannot be made a message is set aside (ogi.setaside) with the events of its
aggregate behind it, and the relay goes on. Set-aside events are tried again at start-up and when
the operator asks, oldest first, under their own id (`<service>:<notification id>`) and marked
late (ogi.messaging.inbox.LATE_FOR): consumers, which have gone past its position, still apply
it, once, and before the later events of its aggregate, which wait behind it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol

import structlog
from nats.js import JetStreamContext
from nats.js.api import PubAck

from ogi.leadership import Leadership
from ogi.messaging.deadletter import is_transient
from ogi.messaging.inbox import EVERY_CONSUMER, LATE_FOR
from ogi.messaging.outbox import READER, OutgoingMessage, Untranslatable
from ogi.messaging.stream import STREAM, StreamSettings
from ogi.messaging.worker import FaultPoint, NatsWorker
from ogi.setaside import Retried, RetryRequests, SetAsideEvent, SetAsideLog, logged_set_aside
from ogi.views import ProjectionConflict

log = structlog.get_logger("ogi.relay")

# Fault point: right after a publish is acknowledged, before the position is recorded.
CRASH_AFTER_PUBLISH = "relay-crash-after-publish"
# Subject name of the mark published after a batch whose last events were not published.
POSITION_MARK = "Position"
MARK_AFTER_SECONDS = 0.2


class Outbox(Protocol):
    @property
    def set_aside(self) -> SetAsideLog: ...
    def position(self) -> int: ...
    def record(self, notification_id: int, after: int) -> None: ...
    def after(
        self, position: int, limit: int
    ) -> tuple[int, list[OutgoingMessage | Untranslatable]]: ...
    def again(self, notification_id: int) -> OutgoingMessage | None: ...


class Relay(NatsWorker):
    def __init__(
        self,
        service: str,
        outbox: Outbox,
        stream: StreamSettings,
        leadership: Leadership,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__(stream)
        self.service = service
        self.outbox = outbox
        self.leadership = leadership
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._after_publish = FaultPoint(CRASH_AFTER_PUBLISH)
        self.reader = READER
        self.retries = RetryRequests()
        self._retry_due = True  # at start: a new release may have fixed the cause
        self._unmarked: tuple[int, float] | None = None  # (position, since): see _mark_when_idle

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            self.leadership.release()

    async def work(self, js: JetStreamContext) -> None:
        log.info("relay connected", url=self.nats_url)
        leading: bool | None = None  # logged on every change, and once at the start
        while not self.stopping:
            # Any replica may retry: a set-aside event keeps its id and its aggregate's later
            # events wait behind it, so the leader never publishes those first.
            if self._retry_due or self.retries.asked:
                self.retries.answer(await self._retry_set_aside(js))
                self._retry_due = False
            if not await asyncio.to_thread(self.leadership.acquire):
                if leading is not False:
                    log.info("relay standing by: another replica publishes")
                leading = False
                await self.sleep(self.poll_interval)
                continue
            if leading is not True:
                log.info("relay active", position=await asyncio.to_thread(self.outbox.position))
                leading = True
            if await self._relay_batch(js) == 0:
                await self.sleep(await self._mark_when_idle(js))

    def set_aside_events(self) -> list[SetAsideEvent]:
        return self.outbox.set_aside.events()

    def retry_requested(self) -> asyncio.Future[Retried]:
        asked = self.retries.ask()
        self.wake()
        return asked

    async def _relay_batch(self, js: JetStreamContext) -> int:
        position = await asyncio.to_thread(self.outbox.position)
        last, items = await asyncio.to_thread(self.outbox.after, position, self.batch_size)
        recorded = acked = position
        sent: list[tuple[int, asyncio.Future[PubAck]]] = []
        try:
            for item in items:
                if isinstance(item, Untranslatable):
                    acked = await self._settled(sent, acked)
                    sent = []
                    # Its record moves the position past it, and past what was published.
                    await asyncio.to_thread(
                        self.outbox.set_aside.record, item.notification, item.error, recorded
                    )
                    logged_set_aside(log, self.reader, item.notification, item.error)
                    recorded = acked = item.notification_id
                    continue
                # Sent without waiting for each acknowledgement: one connection keeps them in
                # order, and the position moves only over those acknowledged (_settled).
                sent.append((item.notification_id, await self._publish_async(js, item)))
            acked = await self._settled(sent, acked)
            if last > acked:
                self._unmarked = (last, time.monotonic())
            elif items:
                self._unmarked = None
            acked = last
        finally:
            if acked > recorded:
                await asyncio.to_thread(self.outbox.record, acked, recorded)
        return last - position

    async def _mark_when_idle(self, js: JetStreamContext) -> float:
        """The log ended with events kept private (numbering, assignment) or set aside, and
        nothing followed for MARK_AFTER_SECONDS: say how far it was read (a message under that
        position's id), so that consumers track it and a read asked to reflect it elsewhere
        (ogi.freshness) does not wait for the next public event. Only when idle: under load
        the next public event does the same for free. Returns how long to sleep."""
        if self._unmarked is None:
            return self.poll_interval
        position, since = self._unmarked
        waited = time.monotonic() - since
        if waited < MARK_AFTER_SECONDS:
            return min(self.poll_interval, MARK_AFTER_SECONDS - waited)
        await js.publish(
            f"ogi.{self.service}.{POSITION_MARK}",
            b"",
            timeout=5,
            stream=STREAM,
            headers={"Nats-Msg-Id": f"{self.service}:{position}"},
        )
        self._unmarked = None
        return self.poll_interval

    async def _publish_async(
        self, js: JetStreamContext, message: OutgoingMessage, *, late: bool = False
    ) -> asyncio.Future[PubAck]:
        """Send `message` under its id; the future of its acknowledgement."""
        headers = {"Nats-Msg-Id": f"{self.service}:{message.notification_id}"}
        if late:  # after later ones: no consumer has seen it (ogi.messaging.inbox)
            headers[LATE_FOR] = EVERY_CONSUMER
        return await js.publish_async(
            message.subject, message.payload, stream=STREAM, headers=headers
        )

    async def _settled(self, sent: list[tuple[int, asyncio.Future[PubAck]]], acked: int) -> int:
        """Wait for the acknowledgements of what was sent, in order; the last notification id
        acknowledged (a failure raises, and the position stays at the one before it)."""
        for notification_id, future in sent:
            await _acknowledged(notification_id, future)
            self._after_publish.passed()
            acked = notification_id
        return acked

    async def _publish(
        self, js: JetStreamContext, message: OutgoingMessage, *, late: bool = False
    ) -> None:
        """Send `message` and wait for its acknowledgement."""
        sent = await self._publish_async(js, message, late=late)
        await _acknowledged(message.notification_id, sent)

    async def _retry_set_aside(self, js: JetStreamContext) -> Retried:
        """Translate and publish the set-aside events again, oldest first; those published
        leave the list. An aggregate's later events are not tried while an earlier one still
        fails. A crash between publishing and taking one off the list publishes it again next
        time, under the same id: the stream, or the consumers' tracking, drops the copy."""
        applied = still = 0
        blocked: set[str] = set()
        log_ = self.outbox.set_aside
        for entry in await asyncio.to_thread(log_.events):
            if entry.originator_id in blocked:
                still += 1
                continue
            try:
                message = await asyncio.to_thread(self.outbox.again, entry.notification_id)
            except Exception as error:
                if is_transient(error):
                    raise
                await asyncio.to_thread(log_.failed_again, entry.notification_id, error)
                blocked.add(entry.originator_id)
                still += 1
                continue
            if message is not None:
                await self._publish(js, message, late=True)
            # Another replica may have published it too, under the same id, and taken it off.
            with contextlib.suppress(ProjectionConflict):
                await asyncio.to_thread(log_.resolve, entry.notification_id)
            applied += 1
        if applied or still:
            log.info("set-aside events retried", reader=self.reader, applied=applied, still=still)
        return Retried(self.reader, applied, still)


async def _acknowledged(notification_id: int, sent: asyncio.Future[PubAck]) -> None:
    """Wait (at most 5 s) for the stream to acknowledge what was sent."""
    ack = await asyncio.wait_for(sent, timeout=5)
    if ack.duplicate:
        log.info("duplicate dropped by stream", notification_id=notification_id)
