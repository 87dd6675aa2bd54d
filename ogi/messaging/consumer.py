"""A durable JetStream consumer that applies each upstream event exactly once.

`apply(subject, data)` must record its effect and the upstream position (tracking) in one
transaction, and report an event already tracked as applied; only then is the message acked. A
redelivery after a crash between commit and ack is therefore acked without effect. A message
that keeps failing for a reason of its own is set aside (ogi.messaging.deadletter). A message
delivered late on purpose (its header ogi.messaging.inbox.LATE_FOR) is applied as such."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ogi.messaging.deadletter import (
    FAILURE,
    ORIGINAL_SEQUENCE,
    ORIGINAL_SUBJECT,
    PoisonPolicy,
    dead_letter_subject,
    failure,
    is_transient,
)
from ogi.messaging.inbox import delivered_late, delivering, late_for
from ogi.messaging.stream import STREAM, StreamSettings
from ogi.messaging.worker import FaultPoint, NatsWorker

log = structlog.get_logger("ogi.consumer")

Apply = Callable[[str, bytes], None]

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
    ) -> None:
        super().__init__(stream)
        self.durable = durable
        self.filter_subject = filter_subject
        self.apply = apply
        self.ack_wait = ack_wait
        self.poison = poison or PoisonPolicy.from_env()
        self._before_ack = FaultPoint(CRASH_BEFORE_ACK)

    async def work(self, js: JetStreamContext) -> None:
        subscription = await js.pull_subscribe(
            self.filter_subject,
            durable=self.durable,
            stream=STREAM,
            config=ConsumerConfig(
                durable_name=self.durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                # After a crash the in-flight message blocks the consumer until ack_wait ends;
                # keep it short. An early redelivery is harmless: tracking skips it.
                ack_wait=self.ack_wait,
                # One message in flight keeps upstream order, which the tracking relies on.
                max_ack_pending=1,
            ),
        )
        log.info("consumer connected", durable=self.durable, subject=self.filter_subject)
        while not self.stopping:
            try:
                messages = await subscription.fetch(1, timeout=1)
            except NatsTimeout:
                continue
            for message in messages:
                try:
                    with (
                        delivered_late(late_for(self.durable, message.headers)),
                        delivering(message.headers),
                    ):
                        await asyncio.to_thread(self.apply, message.subject, message.data)
                except Exception as error:
                    if is_transient(error):
                        raise  # reconnect and have it delivered again, however often
                    await self._refused(js, message, error)
                    continue
                self._before_ack.passed()
                await message.ack_sync()

    async def _refused(self, js: JetStreamContext, message: Msg, error: Exception) -> None:
        """Have a message that failed by itself delivered again later, or, after the policy's
        number of deliveries, set it aside on the dead-letter subject and go on. Its copy is
        published before the original is acked, under an id that makes a second copy (after a
        crash in between) a duplicate the stream drops."""
        delivered = message.metadata.num_delivered or 1
        sequence = message.metadata.sequence.stream if message.metadata.sequence else 0
        where = {"durable": self.durable, "subject": message.subject, "sequence": sequence}
        log.error("message not applied", delivered=delivered, error=type(error).__name__, **where)
        if not self.poison.sets_aside(delivered):
            await message.nak(delay=self.poison.retry_after(delivered))
            return
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
