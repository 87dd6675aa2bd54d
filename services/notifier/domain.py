"""The notifier's domain: whom to tell (an applicant's contact and chosen channels) and each
message about a notice (告知), with every attempt to deliver it.

No I/O here. A message is planned once per notice and channel, with its content and its stable
id (the e-mail's Message-ID, the SMS gateway's idempotency key) fixed when planned, so that a
resend after a crash is the same message, recognisable as such by whoever received it first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://ogi.invalid/notifier")


class Channel(StrEnum):
    EMAIL = "email"  # 电子邮件
    SMS = "sms"  # 短信


class DeliveryState(StrEnum):
    PENDING = "pending"  # 待发送: not accepted yet (never tried, or retrying)
    ACCEPTED = "accepted"  # 已发送: the mail server or SMS gateway took it
    REJECTED = "rejected"  # 被拒收: refused for good (no such mailbox, number refused)
    GAVE_UP = "gave_up"  # 已放弃: kept failing for longer than the policy allows


SETTLED = frozenset({DeliveryState.ACCEPTED, DeliveryState.REJECTED, DeliveryState.GAVE_UP})


def addressee_id(application_number: str) -> UUID:
    return uuid5(_NAMESPACE, f"addressee:{application_number}")


def message_id(upstream: str, position: int, channel: Channel) -> UUID:
    """One message per upstream event and channel: a redelivered event plans nothing new."""
    return uuid5(_NAMESPACE, f"message:{upstream}:{position}:{channel.value}")


class Addressee(Aggregate):
    """申请人的联系方式: how the applicant of one application wants to be told, and what was
    sent to them. Personal data, kept only in the notifier's encrypted event store."""

    @staticmethod
    def create_id(application_number: str, **_: object) -> UUID:
        return addressee_id(application_number)

    @event("Registered")
    def __init__(
        self,
        application_number: str,
        agency_code: str,
        email: str,
        phone: str,
        channels: tuple[str, ...],
    ) -> None:
        self.application_number = application_number
        self.agency_code = agency_code
        self.email = email
        self.phone = phone
        self.channels = tuple(Channel(c) for c in channels)
        self.messages: list[UUID] = []

    @event("Told")
    def told(self, message: UUID) -> None:
        self.messages.append(message)


class Message(Aggregate):
    """One message about one notice on one channel: an e-mail (`stable_id` is its Message-ID
    header) or an SMS through the agency's gateway (`stable_id` is the gateway's idempotency
    key). Created with an explicit `id` (`message_id`)."""

    id: UUID

    @event("Planned")
    def __init__(
        self,
        channel: str,
        application_number: str,
        notice_kind: str,
        recipient: str,
        subject: str,
        body: str,
        stable_id: str,
        planned_at: datetime,
    ) -> None:
        self.channel = Channel(channel)
        self.application_number = application_number
        self.notice_kind = notice_kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.stable_id = stable_id
        self.planned_at = planned_at
        self.state = DeliveryState.PENDING
        self.attempts: list[Attempt] = []

    @property
    def settled(self) -> bool:
        return self.state in SETTLED

    @event("AttemptFailed")
    def attempt_failed(self, at: datetime, reason: str, retry_at: datetime) -> None:
        """Not delivered this time (server away, busy): tried again at `retry_at`."""
        self.attempts.append(Attempt(at, "failed", reason))

    @event("Accepted")
    def accept(self, at: datetime, reply: str) -> None:
        self.attempts.append(Attempt(at, "accepted", reply))
        self.state = DeliveryState.ACCEPTED

    @event("Rejected")
    def reject(self, at: datetime, reason: str) -> None:
        self.attempts.append(Attempt(at, "rejected", reason))
        self.state = DeliveryState.REJECTED

    @event("GaveUp")
    def give_up(self, at: datetime, reason: str) -> None:
        self.attempts.append(Attempt(at, "gave_up", reason))
        self.state = DeliveryState.GAVE_UP


@dataclass(frozen=True)
class Attempt:
    """One try to deliver: when, how it went (accepted, failed, rejected, gave_up), and the
    server's words or the failure's kind — never the recipient."""

    at: datetime
    result: str
    detail: str
