"""The notifier's use cases: learn whom to tell from intake's ApplicationSubmitted, plan one
message per notice and chosen channel from handling's events (each event exactly once: the
planned messages and the upstream position commit together), record every delivery attempt,
and show a case's deliveries to the agency's staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ogi.agencies import AgencyDirectory
from ogi.application import ServiceApplication
from ogi.auth import STAFF, Principal
from ogi.clock import Clock, system_clock
from ogi.errors import NotFound
from ogi.v1 import common_pb2, events_pb2
from services.notifier.domain import Addressee, Channel, Message, addressee_id, message_id
from services.notifier.notices import IncomingNotice, content, incoming_notice

CHANNELS = {
    common_pb2.NOTIFICATION_CHANNEL_EMAIL: Channel.EMAIL,
    common_pb2.NOTIFICATION_CHANNEL_SMS: Channel.SMS,
}
Unseal = Callable[[bytes], bytes]


@dataclass(frozen=True)
class MessagePolicy:
    """What every message carries: the portal's address to follow the application up on, and
    the domain of the e-mails' Message-IDs (<message uuid>@domain)."""

    portal_url: str = ""
    mail_domain: str = "localhost"


@dataclass(frozen=True)
class Deliveries:
    """What was sent about one application, for the agency's staff."""

    application_number: str
    channels: tuple[Channel, ...]
    messages: list[Message]


class Notifier(ServiceApplication):
    """通知: tells applicants of the agency's notices by the channels they chose."""

    name = "notifier"

    def __init__(
        self,
        env: dict[str, str],
        agencies: AgencyDirectory,
        unseal: Unseal,
        policy: MessagePolicy,
        *,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(env, clock=clock)
        self.agencies = agencies
        self.unseal = unseal
        self.policy = policy

    def apply_event(self, subject: str, data: bytes) -> None:
        """One event from the stream (ogi.<service>.<Name>); what concerns no applicant's
        notice is passed over."""
        _, service, name = [*subject.split(".", 2), "", ""][:3]
        if service == "intake" and name == "ApplicationSubmitted":
            self._register(events_pb2.ApplicationSubmitted.FromString(data))
        elif service == "handling" and (notice := incoming_notice(subject, data)) is not None:
            self.apply_upstream("handling", notice.position, lambda: self._plan(notice))

    def _register(self, submitted: events_pb2.ApplicationSubmitted) -> None:
        def effect() -> Aggregate | None:
            number = submitted.application_number
            if self._get(addressee_id(number)) is not None:
                return None
            contact = common_pb2.Applicant.FromString(self.unseal(submitted.sealed_applicant))
            return Addressee(
                application_number=number,
                agency_code=submitted.agency_code,
                email=contact.contact.email,
                phone=contact.contact.phone,
                channels=tuple(CHANNELS[c].value for c in submitted.notify_by if c in CHANNELS),
            )

        self.apply_upstream("intake", submitted.metadata.notification_id, effect)

    def _plan(self, notice: IncomingNotice) -> list[Aggregate]:
        addressee = cast(Addressee | None, self._get(addressee_id(notice.application_number)))
        if addressee is None or not addressee.channels:
            return []  # not asked to tell anyone
        agency = self.agencies.get(notice.agency_code)
        said = content(notice, agency.name if agency else "行政机关", self.policy.portal_url)
        now = self.clock()
        planned: list[Aggregate] = []
        for channel in addressee.channels:
            mid = message_id("handling", notice.position, channel)
            email = channel is Channel.EMAIL
            planned.append(
                Message(  # type: ignore[call-arg] # id: see Message
                    id=mid,
                    channel=channel.value,
                    application_number=notice.application_number,
                    notice_kind=notice.facts.kind,
                    recipient=addressee.email if email else addressee.phone,
                    subject=said.subject if email else "",
                    body=said.body if email else said.sms,
                    stable_id=f"<{mid}@{self.policy.mail_domain}>" if email else str(mid),
                    planned_at=now,
                )
            )
            addressee.told(mid)
        return [addressee, *planned]

    def deliveries(self, application_number: str, principal: Principal) -> Deliveries:
        """The messages about one application, with every attempt: for the staff of its agency."""
        principal.require_role(*STAFF)
        addressee = cast(Addressee | None, self._get(addressee_id(application_number)))
        if addressee is None:
            raise NotFound(f"没有申请 {application_number} 的通知记录（no notices recorded）")
        principal.require_agency(addressee.agency_code)
        messages = [cast(Message, self.repository.get(m)) for m in addressee.messages]
        return Deliveries(application_number, addressee.channels, messages)

    def message(self, mid: UUID) -> Message:
        return cast(Message, self.repository.get(mid))

    def now(self) -> datetime:
        return self.clock()

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
