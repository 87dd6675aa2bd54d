"""The relay: follows a service's outbox and publishes each integration event to JetStream with
``Nats-Msg-Id = <service>:<notification id>``, in order, resuming from its recorded position.

Crash anywhere and nothing is lost (the outbox is the event store) and nothing is stored twice:
a batch published but not yet recorded is re-sent on restart and the stream's duplicate window
drops the copies. Of several replicas only the holder of the relay lock publishes (order needs one
writer); the others stand by and the first to get the lock after the leader dies takes over."""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog
from nats.js import JetStreamContext

from ogi.leadership import Leadership
from ogi.messaging.outbox import OutgoingMessage
from ogi.messaging.stream import STREAM, StreamSettings
from ogi.messaging.worker import FaultPoint, NatsWorker

log = structlog.get_logger("ogi.relay")

# Fault point: right after a publish is acknowledged, before the position is recorded.
CRASH_AFTER_PUBLISH = "relay-crash-after-publish"


class Outbox(Protocol):
    def position(self) -> int: ...
    def record(self, notification_id: int) -> None: ...
    def after(self, position: int, limit: int) -> tuple[int, list[OutgoingMessage]]: ...


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

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            self.leadership.release()

    async def work(self, js: JetStreamContext) -> None:
        log.info("relay connected", url=self.nats_url)
        leading: bool | None = None  # logged on every change, and once at the start
        while not self.stopping:
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
                await self.sleep(self.poll_interval)

    async def _relay_batch(self, js: JetStreamContext) -> int:
        position = await asyncio.to_thread(self.outbox.position)
        last, messages = await asyncio.to_thread(self.outbox.after, position, self.batch_size)
        acked = position
        try:
            for message in messages:
                ack = await js.publish(
                    message.subject,
                    message.payload,
                    timeout=5,
                    stream=STREAM,
                    headers={"Nats-Msg-Id": f"{self.service}:{message.notification_id}"},
                )
                if ack.duplicate:
                    log.info("duplicate dropped by stream", notification_id=message.notification_id)
                self._after_publish.passed()
                acked = message.notification_id
            acked = last
        finally:
            if acked > position:
                await asyncio.to_thread(self.outbox.record, acked)
        return last - position
