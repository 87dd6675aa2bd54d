"""Intake's integration events: what it tells the rest of the platform, on ogi.intake.<Name>."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ogi.messaging.stream import subject
from ogi.v1 import events_pb2
from ogi.wire import CATEGORY_CODES, CHANNEL_CODES, date_to_wire, timestamp
from services.intake.domain import Applicant, Application, NotificationChannel
from services.intake.wire import (
    NOTIFICATION_CHANNEL_CODES,
    applicant_to_wire,
    delivery_to_wire,
    information_to_wire,
)

Seal = Callable[[bytes], bytes]
Pseudonym = Callable[[str], str]

# The event classes the library made from Application's @event methods.
SUBMITTED: Any = Application.Submitted  # type: ignore[attr-defined]
CORRECTION_SUPPLIED: Any = Application.CorrectionSupplied  # type: ignore[attr-defined]
WITHDRAWN: Any = Application.Withdrawn  # type: ignore[attr-defined]
REASONS_SUPPLIED: Any = Application.ReasonsSupplied  # type: ignore[attr-defined]
DISCLOSURE_SUGGESTED: Any = Application.DisclosureSuggested  # type: ignore[attr-defined]


def translator(seal: Seal, pseudonym: Pseudonym) -> Callable[[Any, int], tuple[str, bytes] | None]:
    """Maps intake's domain events to (subject, payload); `seal` encrypts personal data,
    `pseudonym` gives the applicant's key."""

    def translate(domain_event: Any, notification_id: int) -> tuple[str, bytes] | None:
        metadata = events_pb2.EventMetadata(
            notification_id=notification_id,
            aggregate_id=str(domain_event.originator_id),
            aggregate_version=domain_event.originator_version,
            occurred_at=timestamp(domain_event.timestamp),
        )
        message: Any
        if isinstance(domain_event, SUBMITTED):
            message = _submitted(domain_event, metadata, seal, pseudonym)
        elif isinstance(domain_event, CORRECTION_SUPPLIED):
            message = events_pb2.CorrectionSupplied(
                metadata=metadata,
                receipt_date=date_to_wire(domain_event.receipt_date),
                information=information_to_wire(domain_event.information),
                note=domain_event.note,
            )
        elif isinstance(domain_event, WITHDRAWN):
            message = events_pb2.ApplicationWithdrawn(
                metadata=metadata,
                withdrawal_date=date_to_wire(domain_event.withdrawal_date),
                reason=domain_event.reason,
            )
        elif isinstance(domain_event, REASONS_SUPPLIED):
            message = events_pb2.ReasonsSupplied(
                metadata=metadata,
                receipt_date=date_to_wire(domain_event.receipt_date),
                reasons=domain_event.reasons,
            )
        elif isinstance(domain_event, DISCLOSURE_SUGGESTED):
            message = events_pb2.ProactiveDisclosureSuggested(
                metadata=metadata,
                agency_code=domain_event.agency_code,
                subject=domain_event.subject,
                suggested_on=date_to_wire(domain_event.suggested_on),
            )
        else:
            return None  # numbering events stay private to intake
        return subject("intake", type(message).__name__), message.SerializeToString()

    return translate


def _submitted(
    e: Any, metadata: events_pb2.EventMetadata, seal: Seal, pseudonym: Pseudonym
) -> events_pb2.ApplicationSubmitted:
    return events_pb2.ApplicationSubmitted(
        metadata=metadata,
        application_number=e.number,
        agency_code=e.agency_code,
        channel=CHANNEL_CODES[e.channel],
        receipt_date=date_to_wire(e.receipt_date),
        applicant_category=CATEGORY_CODES[e.applicant.category],
        information=information_to_wire(e.information),
        delivery=delivery_to_wire(e.delivery),
        transcribed_by=e.transcribed_by,
        sealed_applicant=seal(applicant_to_wire(e.applicant).SerializeToString()),
        applicant_key=pseudonym(_identity(e.applicant)),
        # Events stored before these existed have neither.
        notify_by=[
            NOTIFICATION_CHANNEL_CODES[NotificationChannel(c)] for c in getattr(e, "notify_by", ())
        ],
        purpose=getattr(e, "purpose", ""),
    )


def _identity(applicant: Applicant) -> str:
    """Who the applicant is, for telling applicants apart: the identity document, or, where
    none was given, the name with the phone."""
    document = applicant.identity_document
    if document is not None and document.number:
        return f"{document.type}:{document.number}"
    return f"name:{applicant.name}|{applicant.contact.phone}"
