"""The relay: follows a service's outbox and publishes each integration event to JetStream with
``Nats-Msg-Id = <service>:<notification id>``, in order, resuming from its recorded position.

Crash anywhere and nothing is lost (the outbox is the event store) and nothing is stored twice:
a batch published but not yet recorded is re-sent on restart and the stream's duplicate window
drops the copies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Protocol

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext

from ogi.messaging.outbox import OutgoingMessage
from ogi.messaging.stream import STREAM, ensure_stream

log = structlog.get_logger("ogi.relay")

# Test seam: SIGKILL this process right after a publish is acknowledged and before the position
# is recorded, the worst moment for a crash. Never set in production.
FAULT_ENV = "OGI_FAULT_INJECTION"
CRASH_AFTER_PUBLISH = "relay-crash-after-publish"


class Outbox(Protocol):
    def position(self) -> int: ...
    def record(self, notification_id: int) -> None: ...
    def after(self, position: int, limit: int) -> tuple[int, list[OutgoingMessage]]: ...


class Relay:
    def __init__(
        self,
        service: str,
        outbox: Outbox,
        nats_url: str,
        *,
        stream_replicas: int = 1,
        duplicate_window: float = 86400.0,
        batch_size: int = 200,
        poll_interval: float = 1.0,
    ) -> None:
        self.service = service
        self.outbox = outbox
        self.nats_url = nats_url
        self.stream_replicas = stream_replicas
        self.duplicate_window = duplicate_window
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._crash_after_publish = os.environ.get(FAULT_ENV) == CRASH_AFTER_PUBLISH

    def wake(self) -> None:
        """Something was saved: look now rather than at the next poll. Safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        """Relay until stopped, reconnecting with back-off whenever NATS is unreachable."""
        self._loop = asyncio.get_running_loop()
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                # max_reconnect_attempts=0 makes nats-py retry forever; 1 fails fast.
                nc = await nats.connect(
                    self.nats_url,
                    connect_timeout=2,
                    max_reconnect_attempts=1,
                    allow_reconnect=False,
                    error_cb=_ignore_error,
                )
            except Exception as e:
                log.warning("nats unreachable", url=self.nats_url, error=type(e).__name__)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            try:
                backoff = 0.2
                await self._relay(nc)
            except Exception as e:
                log.warning("relay interrupted", error=type(e).__name__, detail=str(e))
                await self._sleep(backoff)
            finally:
                with contextlib.suppress(Exception):
                    await nc.close()

    async def _relay(self, nc: Client) -> None:
        js = nc.jetstream()
        await ensure_stream(js, self.stream_replicas, self.duplicate_window)
        log.info("relay connected", url=self.nats_url)
        while not self._stopping.is_set():
            self._wakeup.clear()
            if await self._relay_batch(js) == 0:
                await self._sleep(self.poll_interval)

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
                if self._crash_after_publish:
                    os.kill(os.getpid(), signal.SIGKILL)
                acked = message.notification_id
            acked = last
        finally:
            if acked > position:
                await asyncio.to_thread(self.outbox.record, acked)
        return last - position

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)


async def _ignore_error(_error: Exception) -> None:
    """nats-py prints tracebacks by default; the relay logs failures itself, once, briefly."""
