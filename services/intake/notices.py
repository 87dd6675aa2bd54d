"""What handling tells the applicant: its integration events as notices on the application
(补正告知, 延期告知, 收费通知, 答复…), with the state the applicant should see next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from ogi.taxonomy import GROUND_TERMS
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import GROUNDS, OUTCOMES
from services.intake.documents import document_notice
from services.intake.domain import ApplicationState, Notice


@dataclass(frozen=True)
class IncomingNotice:
    application_id: UUID
    position: int  # in handling's notification log
    notice: Notice
    state: ApplicationState | None  # None leaves the state as it is


def _day(value: common_pb2.CalendarDate) -> date | None:
    return date(value.year, value.month, value.day) if value.year else None


def _notice(m: Any) -> tuple[Notice, ApplicationState | None] | None:
    kind = type(m).__name__
    if isinstance(m, events_pb2.CorrectionRequested):
        notice = Notice(kind, _day(m.notice_date), _day(m.correction_due), tuple(m.items))
        return notice, ApplicationState.CORRECTION_REQUESTED
    if isinstance(m, events_pb2.CorrectionReceived):
        return Notice(kind, _day(m.received_on), _day(m.reply_due)), None
    if isinstance(m, events_pb2.CaseAccepted):
        return Notice(kind, None, _day(m.reply_due)), ApplicationState.IN_PROGRESS
    if isinstance(m, events_pb2.ReasonsRequested):
        return Notice(kind, _day(m.notice_date)), ApplicationState.REASONS_REQUESTED
    if isinstance(m, events_pb2.ReasonsAssessed):
        if not m.reasonable or not m.HasField("later_due"):
            return None  # an unreasonable volume is answered by the reply (R12)
        return Notice(kind, None, _day(m.later_due)), ApplicationState.IN_PROGRESS
    if isinstance(m, events_pb2.ReplyPeriodExtended):
        notice = Notice(
            kind,
            _day(m.extended_on),
            _day(m.reply_due),
            details=f"延长{m.days}个工作日 / {m.days} working days",
        )
        return notice, None
    if isinstance(m, events_pb2.FeeNoticeIssued):
        notice = Notice(kind, _day(m.notified_on), _day(m.payment_due), amount=m.amount)
        return notice, ApplicationState.AWAITING_FEE
    if isinstance(m, events_pb2.FeePaid):
        return Notice(kind, _day(m.paid_on), amount=m.amount), ApplicationState.IN_PROGRESS
    if isinstance(m, events_pb2.FeeWaived):
        notice = Notice(kind, _day(m.waived_on), amount=m.amount, details=m.reason)
        return notice, ApplicationState.IN_PROGRESS
    if isinstance(m, events_pb2.ApplicationAnswered):
        notice = Notice(
            kind,
            _day(m.replied_on),
            outcome=OUTCOMES[m.outcome].value,
            details="; ".join(
                x for x in (m.reasons, _ground_words(m.ground), m.responsible_agency) if x
            ),
        )
        return notice, ApplicationState.ANSWERED
    if isinstance(m, events_pb2.ReplyServed):
        return Notice(kind, _day(m.served_on)), None
    if isinstance(m, events_pb2.DocumentIssued):
        found = document_notice(m)
        return (found, None) if found else None
    if isinstance(m, events_pb2.CaseConcluded):
        outcome = OUTCOMES[m.outcome]
        return Notice(kind, _day(m.concluded_on), outcome=outcome.value), (
            ApplicationState.CONCLUDED
        )
    return None


def _ground_words(wire: int) -> str:
    """The legal ground of a refusal as the applicant reads it: 不予公开理由：保护第三方合法权益
    （第十五条）."""
    ground = GROUNDS.get(wire)
    if ground is None:
        return ""
    term = GROUND_TERMS[ground]
    return f"不予公开理由：{term.zh}" + (f"（{term.basis}）" if term.basis else "")


_TYPES: dict[str, Any] = {
    name: getattr(events_pb2, name)
    for name in (
        "CorrectionRequested",
        "CorrectionReceived",
        "CaseAccepted",
        "ReasonsRequested",
        "ReasonsAssessed",
        "ReplyPeriodExtended",
        "FeeNoticeIssued",
        "FeePaid",
        "FeeWaived",
        "ApplicationAnswered",
        "ReplyServed",
        "CaseConcluded",
        "DocumentIssued",
    )
}


def incoming_notice(subject: str, data: bytes) -> IncomingNotice | None:
    """The notice in one of handling's events; None for what the applicant is not told
    (registration, assignment, consultation…), which then needs no tracking either."""
    message_type = _TYPES.get(subject.rsplit(".", 1)[-1])
    if message_type is None:
        return None
    message = message_type.FromString(data)
    found = _notice(message)
    if found is None:
        return None
    return IncomingNotice(
        UUID(message.metadata.aggregate_id), message.metadata.notification_id, *found
    )
