"""What each of handling's integration events puts on file (domain.md §3.6): the dossier is opened
when the case is registered, gains an index entry for every notice, proof and approval, and is
archived (归档) when the reply is served or the case otherwise ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any
from uuid import UUID

import structlog

from ogi.clock import china_date
from ogi.taxonomy import Outcome
from ogi.textmatch.similarity import document_number
from ogi.v1 import common_pb2, events_pb2
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
        "ConfidentialityReviewed",
        "ApplicationAnswered",
        "ReplyServed",
        "CaseConcluded",
        "DocumentIssued",
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


def put_on_file(
    dossier: Dossier, m: Any, policy: RetentionPolicy, register: Mapping[str, str] | None = None
) -> bool:
    """Apply one event after the registration; False if it changes nothing on file.
    `register`: the agency's 发文目录 (number → title), to say of each released item with a
    document number whether, and as what, the agency registered it."""
    name = type(m).__name__
    if name == "DocumentIssued":  # every document issued goes on file, one issued late too
        _issued(dossier, m)
        return True
    step = _STEPS.get(name)
    if step is None and name != "ApplicationAnswered":
        return False
    if dossier.archived:
        log.info("event after archiving kept out of the file", case=dossier.application_number)
        return False
    if step is None:
        _answered(dossier, m, register or {})
    else:
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


def _answered(d: Dossier, m: events_pb2.ApplicationAnswered, register: Mapping[str, str]) -> None:
    outcome = OUTCOMES[m.outcome]
    ground = GROUNDS.get(m.ground)
    replied_on = event_date(m.replied_on)
    provided = "；".join(_released(item, register) for item in m.released)
    summary = f"答复 {outcome.value}" + (f"，提供：{provided}" if provided else "")
    d.record_answer(outcome, ground, replied_on, summary)


_FORMS = {
    common_pb2.RELEASE_FORM_ELECTRONIC_FILE: "电子文件",
    common_pb2.RELEASE_FORM_PAPER: "纸质",
    common_pb2.RELEASE_FORM_PUBLISHED_LINK: "已公开",
}


def _released(item: common_pb2.ReleasedItem, register: Mapping[str, str]) -> str:
    """One released item as the index shows it: title, 文号 and what the register says of it,
    form, and the file's digest or the link."""
    details = [_FORMS.get(item.form, "")]
    if item.document_number:
        number = document_number(item.document_number)
        registered = register.get(str(number)) if number else None
        on_register = f"发文目录：{registered}" if registered else "未在发文目录中"
        details.insert(0, f"{item.document_number}，{on_register}")
    if item.sha256:
        details.append(f"SHA-256 {item.sha256}")
    if item.link:
        details.append(item.link)
    return f"{item.title}（{'，'.join(d for d in details if d)}）"


def _issued(d: Dossier, m: events_pb2.DocumentIssued) -> None:
    """发文: kind, number, and the SHA-256 of both files, so the paper on file can be checked
    against what was issued; a correction names the document it replaces."""
    document = m.document
    corrects = f"；更正{document.replaces}" if document.replaces else ""
    summary = (
        f"发文：{document.kind_name} {document.number}"
        f"（PDF SHA-256 {document.pdf_sha256}；DOCX SHA-256 {document.docx_sha256}{corrects}）"
    )
    d.file(EntryKind.ISSUED_DOCUMENT, event_date(document.issued_on), summary)


def _reviewed(d: Dossier, m: events_pb2.ConfidentialityReviewed, _: RetentionPolicy) -> None:
    withheld = f"，不予公开部分：{m.withheld}" if m.withheld else ""
    summary = f"保密审查：{m.conclusion}（审查人 {m.reviewer}；依据：{m.basis}{withheld}）"
    d.file(EntryKind.CONFIDENTIALITY_REVIEW, event_date(m.reviewed_on), summary)


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
    "ConfidentialityReviewed": _reviewed,
    "ReplyServed": _served,
    "CaseConcluded": _concluded,
}
