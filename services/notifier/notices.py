"""Which of handling's events the applicant is told of, and the message for each: the notice in
plain Chinese (ogi.notice_words), where to follow it up, and nothing the applicant did not give.

Told: 补正告知 (CorrectionRequested), 说明理由 (ReasonsRequested), 延期 (ReplyPeriodExtended),
征求意见 (ConsultationStarted), 收费通知 (FeeNoticeIssued), 答复 (ApplicationAnswered), and a
document ready to download (DocumentIssued, once the documents work publishes it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ogi.notice_words import NoticeFacts, ground_words, headline, sentences, short_line
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import GROUNDS, OUTCOMES


@dataclass(frozen=True)
class IncomingNotice:
    application_number: str
    agency_code: str
    position: int  # in handling's notification log
    facts: NoticeFacts


@dataclass(frozen=True)
class Content:
    subject: str
    body: str  # the e-mail's text
    sms: str  # the SMS's text, before the gateway's sign name


def _day(value: common_pb2.CalendarDate) -> date | None:
    return date(value.year, value.month, value.day) if value.year else None


def _answered(m: Any) -> NoticeFacts:
    ground = GROUNDS.get(m.ground)
    details = "；".join(
        x for x in (m.reasons, ground_words(ground) if ground else "", m.responsible_agency) if x
    )
    return NoticeFacts(
        m.DESCRIPTOR.name, _day(m.replied_on), outcome=OUTCOMES.get(m.outcome), details=details
    )


_FACTS: dict[str, Callable[[Any], NoticeFacts | None]] = {
    "CorrectionRequested": lambda m: NoticeFacts(
        "CorrectionRequested", _day(m.notice_date), _day(m.correction_due), tuple(m.items)
    ),
    "ReasonsRequested": lambda m: NoticeFacts("ReasonsRequested", _day(m.notice_date)),
    "ReplyPeriodExtended": lambda m: NoticeFacts(
        "ReplyPeriodExtended", _day(m.extended_on), _day(m.reply_due), days=m.days
    ),
    "ConsultationStarted": lambda m: NoticeFacts("ConsultationStarted", _day(m.sent_on)),
    "FeeNoticeIssued": lambda m: NoticeFacts(
        "FeeNoticeIssued", _day(m.notified_on), _day(m.payment_due), amount=m.amount
    ),
    "ApplicationAnswered": _answered,
    "DocumentIssued": lambda m: _document(m),
}


def _document(m: Any) -> NoticeFacts | None:
    """A document addressed to the applicant, ready to download; None for one to a third
    party or kept on file. (Where events_pb2 has no DocumentIssued yet, never called.)"""
    document = m.document
    if document.addressee != getattr(common_pb2, "DOCUMENT_ADDRESSEE_APPLICANT", -1):
        return None
    return NoticeFacts(
        "DocumentIssued",
        _day(document.issued_on),
        details=f"{document.kind_name}（{document.number}）",
    )


TOLD = frozenset(name for name in _FACTS if hasattr(events_pb2, name))


def incoming_notice(subject: str, data: bytes) -> IncomingNotice | None:
    """The notice in one of handling's events; None for an event the applicant is not told of."""
    name = subject.rsplit(".", 1)[-1]
    if name not in TOLD:
        return None
    message = getattr(events_pb2, name).FromString(data)
    facts = _FACTS[name](message)
    if facts is None:
        return None
    return IncomingNotice(
        message.case.application_number,
        message.case.agency_code,
        message.metadata.notification_id,
        facts,
    )


def content(notice: IncomingNotice, agency_name: str, portal_url: str) -> Content:
    number = notice.application_number
    where = (
        f"请凭申请编号和查询码登录 {portal_url} 查看详情"
        if portal_url
        else "请凭申请编号和查询码查询详情"
    )
    body = "\n".join(
        [
            "您好：",
            "",
            f"您向{agency_name}提交的政府信息公开申请（申请编号 {number}）有新的办理进展：",
            "",
            *sentences(notice.facts),
            "",
            f"{where}。",
            "",
            "本邮件由系统自动发送，请勿直接回复。",
        ]
    )
    return Content(
        subject=f"【政府信息公开】{number} {headline(notice.facts.kind)}",
        body=body,
        sms=f"您的政府信息公开申请{number}：{short_line(notice.facts)}。{where}。",
    )
