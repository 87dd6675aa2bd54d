"""Sending the planned messages of one channel, in the order planned, each once.

The sender follows the notifier's own notification log (the Planned events of its channel)
from its position, a tracking row named sender:<channel>. A message the server took is recorded
as accepted in the same transaction that moves the position past it, so it is never sent again.
The one window left is a crash after the server took a message and before that commit: the
message is then sent again after the restart, with the same Message-ID (or gateway idempotency
key), which is how the recipient's server, and a person, tells it is the same message; no other
message is sent twice.

While the server is away the message at the head is tried again with a doubling back-off (up to
`max_backoff`), and every failed attempt is recorded, so handlers see it. A message refused for
good, or still failing after `give_up_after`, is recorded as such and the sender goes on. Only
one replica sends (a leadership lock, as for the relay)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from ogi.leadership import Leadership
from ogi.messaging.worker import FaultPoint
from ogi.process import Worker
from services.notifier.application import Notifier
from services.notifier.domain import Channel, Message
from services.notifier.transports import Outgoing, Permanent, Transient, Transport

log = structlog.get_logger("notifier.sender")

PLANNED_TOPIC = get_topic(Message.Planned)  # type: ignore[attr-defined]
# Fault point: the server took the message, the notifier has not recorded it yet
# (OGI_FAULT_INJECTION=notifier-email-crash-after-accepted:2, …-sms-…).
CRASH_AFTER_ACCEPTED = "notifier-{channel}-crash-after-accepted"


@dataclass(frozen=True)
class RetryPolicy:
    first_backoff: float = 1.0
    max_backoff: float = 60.0
    give_up_after: timedelta = timedelta(days=3)
    poll_interval: float = 1.0


class Sender(Worker):
    def __init__(
        self,
        notifier: Notifier,
        channel: Channel,
        transport: Transport,
        leader: Leadership,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        super().__init__()
        self.notifier = notifier
        self.channel = channel
        self.transport = transport
        self.leader = leader
        self.policy = policy
        self.tracking_name = f"sender:{channel.value}"
        self._accepted = FaultPoint(CRASH_AFTER_ACCEPTED.format(channel=channel.value))

    async def run(self) -> None:
        self.started()
        while not self.stopping:
            try:
                if not await asyncio.to_thread(self.leader.acquire):
                    await self.sleep(self.policy.poll_interval)
                    continue
                sent = await self._next_batch()
            except Exception as e:  # the database is away: keep the service up, retry
                log.warning(
                    "sender interrupted", channel=self.channel.value, error=type(e).__name__
                )
                await self.sleep(self.policy.poll_interval)
                continue
            if not sent:
                await self.sleep(self.policy.poll_interval)
        await asyncio.to_thread(self.leader.release)

    async def _next_batch(self) -> int:
        """Deliver the planned messages after the position; the number of notifications read."""
        recorder: Any = self.notifier.recorder
        position = int(await asyncio.to_thread(recorder.max_tracking_id, self.tracking_name) or 0)
        notifications = await asyncio.to_thread(
            recorder.select_notifications,
            start=position,
            limit=100,
            inclusive_of_start=False,
            topics=[PLANNED_TOPIC],
        )
        for notification in notifications:
            if self.stopping:
                return 0
            message = await asyncio.to_thread(self.notifier.message, notification.originator_id)
            if message.channel is self.channel:
                await self._deliver(message, notification.id)
            position = notification.id
        if notifications and position != self._position():
            # The batch ended with the other channel's messages: move past them.
            await asyncio.to_thread(self._record, None, position)
        return len(notifications)

    def _position(self) -> int:
        recorder: Any = self.notifier.recorder
        return int(recorder.max_tracking_id(self.tracking_name) or 0)

    async def _deliver(self, message: Message, position: int) -> None:
        if message.settled:  # recorded by a sender that died before moving the position
            await asyncio.to_thread(self._record, None, position)
            return
        outgoing = Outgoing(message.stable_id, message.recipient, message.subject, message.body)
        backoff = self.policy.first_backoff
        while not self.stopping:
            now = self.notifier.now()
            try:
                reply = await self.transport.send(outgoing)
            except Permanent as refused:
                message.reject(now, str(refused))
                await asyncio.to_thread(self._record, message, position)
                log.warning("message refused", **self._about(message), reply=str(refused))
                return
            except Transient as failure:
                if now - message.planned_at > self.policy.give_up_after:
                    message.give_up(now, str(failure))
                    await asyncio.to_thread(self._record, message, position)
                    log.error("message given up", **self._about(message), reason=str(failure))
                    return
                message.attempt_failed(now, str(failure), now + timedelta(seconds=backoff))
                await asyncio.to_thread(self.notifier.save, message)
                log.warning("message not sent yet", **self._about(message), reason=str(failure))
                await self._pause(backoff)
                backoff = min(backoff * 2, self.policy.max_backoff)
                continue
            self._accepted.passed()
            message.accept(self.notifier.now(), reply)
            await asyncio.to_thread(self._record, message, position)
            log.info("message sent", **self._about(message), attempts=len(message.attempts))
            return

    async def _pause(self, seconds: float) -> None:
        """Wait before the next try; only stopping cuts it short (a wake-up for new messages
        does not: they queue behind this one)."""
        for _ in range(max(1, int(seconds * 10))):
            if self.stopping:
                return
            await asyncio.sleep(min(seconds, 0.1))

    def _record(self, message: Message | None, position: int) -> None:
        """The message's outcome and the sender's new position, in one transaction."""
        events = message.collect_events() if message is not None else []
        self.notifier.events.put(events, tracking=Tracking(self.tracking_name, position))

    def _about(self, message: Message) -> dict[str, str]:
        """What a log line says of a message: never its recipient or content."""
        return {
            "channel": self.channel.value,
            "message": str(message.id),
            "notice": message.notice_kind,
        }
