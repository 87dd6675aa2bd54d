"""What each of handling's integration events puts on file (domain.md §3.6): the dossier is opened
when the case is registered, gains an index entry for every notice, proof and approval, and is
archived (归档) when the reply is served or the case otherwise ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any
from uuid import UUID

import structlog

from ogi.clock import china_date
from ogi.taxonomy import Outcome
from ogi.v1 import events_pb2
from ogi.wire import CATEGORIES, GROUNDS, OUTCOMES, event_date
from services.archive.domain import Dossier, EntryKind, IndexEntry, RetentionPolicy

log = structlog.get_logger("archive")

MESSAGES: dict[str, Any] = {
    name: getattr(events_pb2, name)
    for name in (
        "CaseRegistered",
        "CorrectionRequested",
        "CorrectionReceived",
        "ReasonsRequested",
        "ReasonsAssessed",
        "ConsultationStarted",
        "ConsultationEnded",
        "ReplyPeriodExtended",
        "FeeNoticeIssued",
        "FeePaid",
        "FeeWaived",
        "ApplicationAnswered",
        "ReplyServed",
        "CaseConcluded",
    )
}


def open_dossier(m: events_pb2.CaseRegistered) -> Dossier:
    return Dossier(
        case_id=UUID(m.metadata.aggregate_id),
        application_number=m.case.application_number,
        agency_code=m.case.agency_code,
        receipt_date=event_date(m.receipt_date),
        applicant_category=CATEGORIES[m.applicant_category],
        description=m.description,
        applicant_key=m.applicant_key,
    )


def put_on_file(dossier: Dossier, m: Any, policy: RetentionPolicy) -> bool:
    """Apply one event after the registration; False if it changes nothing on file."""
    step = _STEPS.get(type(m).__name__)
    if step is None:
        return False
    if dossier.archived:
        log.info("event after archiving kept out of the file", case=dossier.application_number)
        return False
    step(dossier, m, policy)
    return True


def _entry(kind: EntryKind, day: Any, summary: str) -> Callable[[Dossier, Any, Any], None]:
    return lambda d, m, _: d.file(kind, event_date(getattr(m, day)), summary.format(m=m))


def _assessed(d: Dossier, m: events_pb2.ReasonsAssessed, _: RetentionPolicy) -> None:
    day = china_date(m.metadata.occurred_at.ToDatetime(tzinfo=UTC))
    if m.reasonable and m.HasField("later_due"):
        summary = f"理由成立，另定答复期限至 {event_date(m.later_due)}"
    else:
        summary = "理由成立" if m.reasonable else "理由不成立，不予处理"
    d.file(EntryKind.REASONS_ASSESSMENT, day, summary)


def _answered(d: Dossier, m: events_pb2.ApplicationAnswered, _: RetentionPolicy) -> None:
    outcome = OUTCOMES[m.outcome]
    ground = GROUNDS.get(m.ground)
    replied_on = event_date(m.replied_on)
    d.record_answer(outcome, ground, replied_on, f"答复 {outcome.value}")


def _served(d: Dossier, m: events_pb2.ReplyServed, policy: RetentionPolicy) -> None:
    served_on = event_date(m.served_on)
    if d.answer is None:
        log.warning("served without an answer on file", case=d.application_number)
        return
    d.close(served_on, IndexEntry(EntryKind.SERVICE_PROOF, served_on, "送达"), policy, d.answer[0])


def _concluded(d: Dossier, m: events_pb2.CaseConcluded, policy: RetentionPolicy) -> None:
    on = event_date(m.concluded_on)
    outcome: Outcome = OUTCOMES[m.outcome]
    d.close(on, IndexEntry(EntryKind.CONCLUSION, on, f"终止处理 {outcome.value}"), policy, outcome)


_STEPS: dict[str, Callable[[Dossier, Any, RetentionPolicy], None]] = {
    "CorrectionRequested": lambda d, m, _: d.file(
        EntryKind.CORRECTION_NOTICE,
        event_date(m.notice_date),
        f"补正告知：{'；'.join(m.items)}（期限 {event_date(m.correction_due)}）",
    ),
    "CorrectionReceived": _entry(EntryKind.CORRECTION, "received_on", "收到补正后的申请"),
    "ReasonsRequested": _entry(
        EntryKind.REASONS_NOTICE, "notice_date", "要求说明理由（第三十五条）"
    ),
    "ReasonsAssessed": _assessed,
    "ConsultationStarted": _entry(EntryKind.CONSULTATION_LETTER, "sent_on", "征求意见：{m.party}"),
    "ConsultationEnded": _entry(EntryKind.CONSULTATION_OPINION, "received_on", "意见：{m.opinion}"),
    "ReplyPeriodExtended": _entry(
        EntryKind.EXTENSION, "extended_on", "延期答复 {m.days} 个工作日，{m.approved_by} 批准"
    ),
    "FeeNoticeIssued": _entry(EntryKind.FEE_NOTICE, "notified_on", "收费通知 {m.amount} 元"),
    "FeePaid": lambda d, m, _: d.record_payment(m.amount, event_date(m.paid_on)),
    "FeeWaived": _entry(
        EntryKind.FEE_WAIVER, "waived_on", "减免信息处理费 {m.amount} 元：{m.reason}"
    ),
    "ApplicationAnswered": _answered,
    "ReplyServed": _served,
    "CaseConcluded": _concluded,
}
