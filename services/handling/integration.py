"""Handling's integration events: what it tells intake (the applicant's notices) and archive
(the dossier and the statistics), on ogi.handling.<Name>. Due dates are those of the case as it
stood right after the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ogi.messaging.stream import subject
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import CATEGORY_CODES, GROUND_CODES, OUTCOME_CODES, date_to_wire, timestamp
from ogi.workdays import WorkingDayCalendar
from services.handling.disclosure import ReviewConclusion
from services.handling.domain import Case
from services.handling.fees import FeeMethod
from services.handling.wire import (
    FEE_METHOD_CODES,
    SERVICE_METHOD_CODES,
    document_to_wire,
    released_to_wire,
)

Translate = Callable[[Any, int], tuple[str, bytes] | None]
_E: Any = Case  # the event classes the library made from Case's @event methods


def translator(repository: Any, calendar: WorkingDayCalendar) -> Translate:
    def translate(e: Any, notification_id: int) -> tuple[str, bytes] | None:
        build = _BUILDERS.get(type(e).__name__)
        if build is None:
            return None  # e.g. Assigned: internal to the agency
        case: Case = repository.get(e.originator_id, version=e.originator_version)
        metadata = events_pb2.EventMetadata(
            notification_id=notification_id,
            aggregate_id=str(e.originator_id),
            aggregate_version=e.originator_version,
            occurred_at=timestamp(e.timestamp),
        )
        ref = events_pb2.CaseRef(
            application_number=case.application_number, agency_code=case.agency_code
        )
        message = build(e, case, calendar)
        message.metadata.CopyFrom(metadata)
        message.case.CopyFrom(ref)
        return subject("handling", type(message).__name__), message.SerializeToString()

    return translate


def _reply_due(case: Case, calendar: WorkingDayCalendar) -> common_pb2.CalendarDate:
    return _due(case.current_reply_deadline(calendar))


def _due(deadline: Any) -> common_pb2.CalendarDate:
    return date_to_wire(deadline.due if deadline else None)


_BUILDERS: dict[str, Callable[[Any, Case, WorkingDayCalendar], Any]] = {
    "Registered": lambda e, c, cal: events_pb2.CaseRegistered(
        receipt_date=date_to_wire(c.receipt_date),
        applicant_category=CATEGORY_CODES[c.applicant_category],
        description=c.description,
        applicant_key=c.applicant_key,
    ),
    "CorrectionRequested": lambda e, c, cal: events_pb2.CorrectionRequested(
        items=e.items,
        notice_date=date_to_wire(e.notice_date),
        correction_due=_due(c.correction_due(cal)),
    ),
    "CorrectionReceived": lambda e, c, cal: events_pb2.CorrectionReceived(
        received_on=date_to_wire(e.received_on), reply_due=_reply_due(c, cal)
    ),
    "ReasonsRequested": lambda e, c, cal: events_pb2.ReasonsRequested(
        notice_date=date_to_wire(e.notice_date)
    ),
    "ReasonsAssessed": lambda e, c, cal: events_pb2.ReasonsAssessed(
        reasonable=e.reasonable, later_due=date_to_wire(e.later_due)
    ),
    "Accepted": lambda e, c, cal: events_pb2.CaseAccepted(reply_due=_reply_due(c, cal)),
    "ConsultationStarted": lambda e, c, cal: events_pb2.ConsultationStarted(
        party=e.party,
        sent_on=date_to_wire(e.sent_on),
        consultation_due=_due(c.consultation_due(cal)),
    ),
    "ConsultationEnded": lambda e, c, cal: events_pb2.ConsultationEnded(
        received_on=date_to_wire(e.received_on), opinion=e.opinion, reply_due=_reply_due(c, cal)
    ),
    "Extended": lambda e, c, cal: events_pb2.ReplyPeriodExtended(
        days=e.days,
        approved_by=e.approved_by,
        extended_on=date_to_wire(e.on),
        reply_due=_reply_due(c, cal),
    ),
    "FeeNoticeIssued": lambda e, c, cal: events_pb2.FeeNoticeIssued(
        amount=e.amount,
        method=FEE_METHOD_CODES[FeeMethod(e.method)],
        notified_on=date_to_wire(e.notified_on),
        payment_due=_due(c.fee_due(cal)),
    ),
    "FeePaid": lambda e, c, cal: events_pb2.FeePaid(
        amount=c.fee_amount, paid_on=date_to_wire(e.paid_on)
    ),
    "FeeWaived": lambda e, c, cal: events_pb2.FeeWaived(
        amount=c.fee_amount, waived_on=date_to_wire(e.waived_on), reason=e.reason
    ),
    "Replied": lambda e, c, cal: events_pb2.ApplicationAnswered(
        outcome=OUTCOME_CODES[e.reply.outcome],
        replied_on=date_to_wire(e.reply.replied_on),
        reasons=e.reply.reasons,
        ground=GROUND_CODES.get(e.reply.ground, common_pb2.NON_DISCLOSURE_GROUND_UNSPECIFIED),
        responsible_agency=e.reply.responsible_agency,
        reply_due=_reply_due(c, cal),
        released=released_to_wire(e.reply.released),
    ),
    "ConfidentialityReviewed": lambda e, c, cal: events_pb2.ConfidentialityReviewed(
        reviewer=e.review.reviewer,
        conclusion=ReviewConclusion(e.review.conclusion).zh,
        basis=e.review.basis,
        withheld=e.review.withheld,
        reviewed_on=date_to_wire(e.review.reviewed_on),
    ),
    "Served": lambda e, c, cal: events_pb2.ReplyServed(
        method=SERVICE_METHOD_CODES[e.method], served_on=date_to_wire(e.served_on)
    ),
    "Concluded": lambda e, c, cal: events_pb2.CaseConcluded(
        outcome=OUTCOME_CODES[e.outcome], concluded_on=date_to_wire(e.on)
    ),
    "DocumentIssued": lambda e, c, cal: events_pb2.DocumentIssued(
        document=document_to_wire(e.document)
    ),
}
