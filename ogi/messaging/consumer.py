"""A durable JetStream consumer that applies each upstream event exactly once.

`apply(subject, data)` must record its effect and the upstream position (tracking) in one
transaction, and report an event already tracked as applied; only then is the message acked. A
redelivery after a crash between commit and ack is therefore acked without effect. A message
that keeps failing for a reason of its own is set aside (ogi.messaging.deadletter). A message
delivered late on purpose (its header ogi.messaging.inbox.LATE_FOR) is applied as such.

With `apply_batch`, the messages fetched together (up to `batch_size`) are applied in one
transaction (ogi.messaging.inbox.apply_all) and acked after it. The tracking row holds the
highest position applied, so a message must never be applied before the ones ahead of it; with
several messages in flight the stream no longer sees to that, so the consumer does:
- one replica pulls at a time (`leadership`, as the relay), the others stand by;
- whoever starts pulling (the first time, after taking over from a replica that died, after a
  lost connection) while messages are still out unacknowledged waits until the stream takes them
  back (1.5 × ack_wait): the stream then hands them out again first, in order, before any newer
  one (nats-server sorts what it takes back and delivers it ahead of new messages);
- while a batch is worked on, its acknowledgement time is kept from running out (in_progress),
  so the stream never takes it back from a live holder.
A batch that fails is applied again one message at a time; a message that fails by itself is
tried again in place, after the poison policy's delays, while the messages behind it wait, and
set aside when the policy says so: the messages behind it are never applied before it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from ogi.leadership import Leadership
from ogi.messaging.deadletter import (
    FAILURE,
    ORIGINAL_SEQUENCE,
    ORIGINAL_SUBJECT,
    PoisonPolicy,
    dead_letter_subject,
    failure,
    is_transient,
)
from ogi.messaging.inbox import Delivery, delivered_late, delivering, late_for
from ogi.messaging.stream import STREAM, StreamSettings
from ogi.messaging.worker import FaultPoint, NatsWorker

log = structlog.get_logger("ogi.consumer")

Apply = Callable[[str, bytes], None]
ApplyBatch = Callable[[Sequence[Delivery]], None]

# The JetStream durable of a batching consumer is named apart from the one-in-flight durable of
# earlier releases: during a rolling update an old replica fetching from a durable that lets
# BATCH_SIZE messages out could apply an event after a new replica applied the ones behind it.
BATCHED = "-batched"

# Fault point: the effect is committed, the message not yet acked.
CRASH_BEFORE_ACK = "consumer-crash-before-ack"


class Consumer(NatsWorker):
    def __init__(
        self,
        durable: str,
        filter_subject: str,
        apply: Apply,
        stream: StreamSettings,
        *,
        ack_wait: float = 5.0,
        poison: PoisonPolicy | None = None,
        apply_batch: ApplyBatch | None = None,
        batch_size: int | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        if apply_batch and leadership is None:
            raise ValueError("a batching consumer needs the replicas' leadership lock")
        super().__init__(stream)
        self.durable = durable
        self.filter_subject = filter_subject
        self.apply = apply
        self.apply_batch = apply_batch
        self.batch_size = (batch_size or stream.batch) if apply_batch else 1
        self.ack_wait = ack_wait
        self.poison = poison or PoisonPolicy.from_env()
        self._before_ack = FaultPoint(CRASH_BEFORE_ACK)
        self.leadership = leadership

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            if self.leadership is not None:
                self.leadership.release()

    @property
    def jetstream_durable(self) -> str:
        """The durable's name in JetStream (BATCHED)."""
        return self.durable + BATCHED if self.apply_batch else self.durable

    async def work(self, js: JetStreamContext) -> None:
        subscription = await js.pull_subscribe(
            self.filter_subject,
            durable=self.jetstream_durable,
            stream=STREAM,
            config=ConsumerConfig(
                durable_name=self.jetstream_durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                # After a crash the in-flight messages block the consumer until ack_wait ends;
                # keep it short. An early redelivery is harmless: tracking skips it.
                ack_wait=self.ack_wait,
                # No more in flight than one batch holds keeps upstream order, which the
                # tracking relies on.
                max_ack_pending=self.batch_size,
            ),
        )
        log.info("consumer connected", durable=self.jetstream_durable, subject=self.filter_subject)
        if self.apply_batch:
            await self._retire_unbatched(js)
        leading: bool | None = None  # logged on every change
        while not self.stopping:
            if self.leadership is not None:
                if not await asyncio.to_thread(self.leadership.acquire):
                    if leading is not False:
                        log.info(
                            "consumer standing by: another replica pulls", durable=self.durable
                        )
                    leading = False
                    await self.sleep(1.0)
                    continue
                if leading is not True:
                    await self._taken_back(js)
                    leading = True
            try:
                messages = await subscription.fetch(1, timeout=1)
            except NatsTimeout:
                continue
            if self.batch_size > 1:
                # What else is there now, without waiting for more to come.
                with contextlib.suppress(NatsTimeout, asyncio.TimeoutError):
                    messages += await subscription.fetch(self.batch_size - 1, timeout=0.01)
            async with self._kept_in_flight(messages):
                await self._take(js, messages)

    async def _take(self, js: JetStreamContext, messages: list[Msg]) -> None:
        """Apply the fetched messages in order and ack them: runs of ordinary messages in one
        transaction each, a late one alone; a run that fails, one at a time."""
        while messages:
            late = [late_for(self.durable, m.headers) for m in messages]
            run = messages[: late.index(True)] if True in late else messages
            if self.apply_batch and len(run) > 1:
                deliveries = [Delivery(m.subject, m.data, m.headers or {}) for m in run]
                try:
                    await asyncio.to_thread(self.apply_batch, deliveries)
                except Exception as error:
                    if is_transient(error):
                        raise  # reconnect and have them delivered again, however often
                    log.warning(
                        "batch not applied; one message at a time",
                        durable=self.durable,
                        messages=len(run),
                        error=type(error).__name__,
                    )
                else:
                    self._before_ack.passed(len(run))  # counted in messages, as one at a time
                    await _ack_all(run)
                    messages = messages[len(run) :]
                    continue
            await self._one(js, messages[0])
            messages = messages[1:]

    async def _one(self, js: JetStreamContext, message: Msg) -> None:
        """Apply one message, trying it again in place until it applies or the poison policy
        sets it aside."""
        delivered = message.metadata.num_delivered or 1
        while True:
            try:
                with (
                    delivered_late(late_for(self.durable, message.headers)),
                    delivering(message.headers),
                ):
                    await asyncio.to_thread(self.apply, message.subject, message.data)
            except Exception as error:
                if is_transient(error):
                    raise  # reconnect and have it delivered again, however often
                if await self._refused(js, message, error, delivered):
                    return
                delivered += 1
                continue
            self._before_ack.passed()
            await message.ack_sync()
            return

    @contextlib.asynccontextmanager
    async def _kept_in_flight(self, messages: list[Msg]) -> Any:
        """While the fetched messages are being applied (a message retried in place may wait
        half a minute), tell the stream every third of ack_wait that they are still being
        worked on, so that none is delivered to another replica meanwhile."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.ack_wait / 3)
                for message in messages:
                    if not message.is_acked:
                        with contextlib.suppress(Exception):
                            await message.in_progress()

        beating = asyncio.create_task(beat())
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _taken_back(self, js: JetStreamContext) -> None:
        """Before pulling: messages still out unacknowledged (a replica that died with them, or
        this one before its connection was lost) are waited for until the stream takes them
        back, so that they come again before anything newer."""
        info = await js.consumer_info(STREAM, self.jetstream_durable)
        if not info.num_ack_pending:
            return
        log.info(
            "waiting for messages still out to come back",
            durable=self.durable,
            messages=info.num_ack_pending,
        )
        waited = 0.0
        while waited < 1.5 * self.ack_wait and not self.stopping:
            await asyncio.sleep(0.25)
            waited += 0.25

    async def _retire_unbatched(self, js: JetStreamContext) -> None:
        """Delete an earlier release's one-in-flight durable once no replica pulls from it (it
        would otherwise keep every message of the stream pending for nobody)."""
        with contextlib.suppress(NotFoundError):
            info = await js.consumer_info(STREAM, self.durable)
            if not info.num_waiting and not info.num_ack_pending:
                await js.delete_consumer(STREAM, self.durable)
                log.info("earlier consumer retired", durable=self.durable)

    async def _refused(
        self, js: JetStreamContext, message: Msg, error: Exception, delivered: int
    ) -> bool:
        """After a message failed by itself: wait the policy's delay and say False (try it
        again), or, after the policy's number of tries, set it aside on the dead-letter subject
        and say True (go on). Its copy is published before the original is acked, under an id
        that makes a second copy (after a crash in between) a duplicate the stream drops."""
        sequence = message.metadata.sequence.stream if message.metadata.sequence else 0
        where = {"durable": self.durable, "subject": message.subject, "sequence": sequence}
        log.error("message not applied", delivered=delivered, error=type(error).__name__, **where)
        if not self.poison.sets_aside(delivered):
            await self.sleep(self.poison.retry_after(delivered))
            if self.stopping:  # not acked: delivered again, to whoever pulls next
                raise Stopped(f"stopped while retrying {where}")
            return False
        await js.publish(
            dead_letter_subject(self.durable),
            message.data,
            headers={
                ORIGINAL_SUBJECT: message.subject,
                ORIGINAL_SEQUENCE: str(sequence),
                FAILURE: failure(error),
                "Nats-Msg-Id": f"deadletter-{self.durable}-{sequence}",
            },
        )
        await message.ack_sync()
        log.error("message set aside", dead_letter=dead_letter_subject(self.durable), **where)
        return True


class Stopped(Exception):
    """The consumer was stopped while a message waited to be tried again."""


async def _ack_all(messages: Sequence[Msg]) -> None:
    """Ack a batch: the acks go out together and the last one waits for the server, which
    has then taken every one before it (a connection's messages arrive in order)."""
    for message in messages[:-1]:
        await message.ack()
    await messages[-1].ack_sync()
