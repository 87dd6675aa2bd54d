"""Conversions between handling's protobuf messages and its domain."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from ogi.deadlines import Deadline, working_days_left
from ogi.documents.kinds import ConsultedParty, DocumentReference
from ogi.documents.wire import KIND_CODES, issued_document
from ogi.errors import FieldViolation
from ogi.taxonomy import Outcome, term_for
from ogi.v1 import common_pb2, handling_pb2
from ogi.wire import (
    CATEGORY_CODES,
    GROUND_CODES,
    OUTCOME_CODES,
    date_to_wire,
    inverse,
    timestamp,
)
from ogi.workdays import WorkingDayCalendar
from services.handling.answered import Similar
from services.handling.disclosure import (
    ConfidentialityReview,
    ReleasedItem,
    ReleaseForm,
    ReviewConclusion,
)
from services.handling.domain import Case, CaseState, IssuedDocument, Reply, ServiceMethod
from services.handling.fees import FeeMethod
from services.handling.letters import offered_kinds
from services.handling.worklist import WorklistItem

CASE_STATE_CODES = {
    CaseState.REGISTERED: handling_pb2.CASE_STATE_REGISTERED,
    CaseState.AWAITING_CORRECTION: handling_pb2.CASE_STATE_AWAITING_CORRECTION,
    CaseState.AWAITING_REASONS: handling_pb2.CASE_STATE_AWAITING_REASONS,
    CaseState.IN_PROGRESS: handling_pb2.CASE_STATE_IN_PROGRESS,
    CaseState.CONSULTING: handling_pb2.CASE_STATE_CONSULTING,
    CaseState.AWAITING_FEE: handling_pb2.CASE_STATE_AWAITING_FEE,
    CaseState.REPLIED: handling_pb2.CASE_STATE_REPLIED,
    CaseState.CLOSED: handling_pb2.CASE_STATE_CLOSED,
}
CASE_STATES = inverse(CASE_STATE_CODES)
SERVICE_METHODS = {
    common_pb2.SERVICE_METHOD_DIRECT: ServiceMethod.DIRECT,
    common_pb2.SERVICE_METHOD_ENTRUSTED: ServiceMethod.ENTRUSTED,
    common_pb2.SERVICE_METHOD_POST: ServiceMethod.POST,
    common_pb2.SERVICE_METHOD_ELECTRONIC: ServiceMethod.ELECTRONIC,
}
SERVICE_METHOD_CODES = inverse(SERVICE_METHODS)
FEE_METHODS = {
    common_pb2.FEE_METHOD_PER_APPLICATION: FeeMethod.PER_APPLICATION,
    common_pb2.FEE_METHOD_PER_PAGE: FeeMethod.PER_PAGE,
}
FEE_METHOD_CODES = inverse(FEE_METHODS)
# Unset means a third party: Art 32 is the usual consultation.
CONSULTED_PARTIES = {
    handling_pb2.CONSULTED_PARTY_UNSPECIFIED: ConsultedParty.THIRD_PARTY,
    handling_pb2.CONSULTED_PARTY_THIRD_PARTY: ConsultedParty.THIRD_PARTY,
    handling_pb2.CONSULTED_PARTY_AGENCY: ConsultedParty.AGENCY,
}
_NOT_SHOWN = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "by",
    "application_id",
    "sealed_applicant",  # who the applicant is: GetApplicant, recorded, never in the history
    "applicant_key",
}


def deadline_to_wire(
    kind: handling_pb2.DeadlineKind.ValueType,
    deadline: Deadline,
    calendar: WorkingDayCalendar,
    today: date,
) -> handling_pb2.Deadline:
    return handling_pb2.Deadline(
        kind=kind,
        due=date_to_wire(deadline.due),
        provisional=deadline.provisional,
        working_days_left=working_days_left(calendar, today, deadline.due),
        explanation=deadline.explain(),
    )


def deadlines(case: Case, calendar: WorkingDayCalendar) -> list[tuple[Any, Deadline]]:
    """The deadlines that apply to the case now, the reply deadline first."""
    under_review = case.state is CaseState.REGISTERED and case.correction is None
    found = [
        (handling_pb2.DEADLINE_KIND_REPLY, case.current_reply_deadline(calendar)),
        (
            handling_pb2.DEADLINE_KIND_CORRECTION_NOTICE,
            case.correction_notice_deadline(calendar) if under_review else None,
        ),
        (handling_pb2.DEADLINE_KIND_CORRECTION, case.correction_due(calendar)),
        (handling_pb2.DEADLINE_KIND_CONSULTATION, case.consultation_due(calendar)),
        (handling_pb2.DEADLINE_KIND_FEE_PAYMENT, case.fee_due(calendar)),
    ]
    return [(kind, d) for kind, d in found if d is not None]


def case_to_wire(
    case: Case, history: list[Any], calendar: WorkingDayCalendar, today: date
) -> handling_pb2.Case:
    return handling_pb2.Case(
        case_id=str(case.id),
        application_number=case.application_number,
        agency_code=case.agency_code,
        state=CASE_STATE_CODES[case.state],
        assignee=case.assignee,
        receipt_date=date_to_wire(case.receipt_date),
        applicant_category=CATEGORY_CODES[case.applicant_category],
        description=case.description,
        version=case.version,
        deadlines=[
            deadline_to_wire(kind, d, calendar, today) for kind, d in deadlines(case, calendar)
        ],
        extension_days=case.extension_days,
        fee_amount=case.fee_amount,
        fee_waiver_reason=case.fee_waiver_reason,
        reply=reply_to_wire(case.reply) if case.reply else None,
        outcome=OUTCOME_CODES[case.outcome] if case.outcome else common_pb2.OUTCOME_UNSPECIFIED,
        concluded_on=date_to_wire(case.concluded_on),
        history=[history_entry(e) for e in history],
        allowed_steps=[step.value for step in case.allowed_steps()],
        review=review_to_wire(case.review) if case.review else None,
        documents=[document_to_wire(d) for d in case.documents],
        document_kinds=[KIND_CODES[k] for k in offered_kinds(case, history)],
    )


def document_to_wire(document: IssuedDocument) -> common_pb2.IssuedDocument:
    return issued_document(
        document.kind,
        document.number,
        document.issued_on,
        document.pdf_sha256,
        document.docx_sha256,
        document.replaces,
        document.addressee,
    )


def reference_to_wire(reference: DocumentReference | None) -> common_pb2.DocumentReference | None:
    if reference is None:
        return None
    return common_pb2.DocumentReference(
        number=reference.number, dated=date_to_wire(reference.dated)
    )


RELEASE_FORMS = {
    common_pb2.RELEASE_FORM_ELECTRONIC_FILE: ReleaseForm.ELECTRONIC_FILE,
    common_pb2.RELEASE_FORM_PAPER: ReleaseForm.PAPER,
    common_pb2.RELEASE_FORM_PUBLISHED_LINK: ReleaseForm.PUBLISHED_LINK,
}
RELEASE_FORM_CODES = inverse(RELEASE_FORMS)
REVIEW_CONCLUSIONS = {
    handling_pb2.REVIEW_CONCLUSION_DISCLOSABLE: ReviewConclusion.DISCLOSABLE,
    handling_pb2.REVIEW_CONCLUSION_PARTLY_DISCLOSABLE: ReviewConclusion.PARTLY_DISCLOSABLE,
    handling_pb2.REVIEW_CONCLUSION_NOT_DISCLOSABLE: ReviewConclusion.NOT_DISCLOSABLE,
}
REVIEW_CONCLUSION_CODES = inverse(REVIEW_CONCLUSIONS)


def released_from_wire(
    items: Any, field: str, violations: list[FieldViolation]
) -> tuple[ReleasedItem, ...]:
    """The items a reply provides; an item without a known form is a violation."""
    found = []
    for n, item in enumerate(items):
        form = RELEASE_FORMS.get(item.form)
        if form is None:
            violations.append(FieldViolation(f"{field}[{n}].form", "必填（required）"))
            continue
        found.append(
            ReleasedItem(
                title=item.title.strip(),
                form=form,
                document_number=item.document_number.strip(),
                sha256=item.sha256.strip().lower(),
                link=item.link.strip(),
            )
        )
    return tuple(found)


def released_to_wire(items: Any) -> list[common_pb2.ReleasedItem]:
    return [
        common_pb2.ReleasedItem(
            title=i.title,
            document_number=i.document_number,
            form=RELEASE_FORM_CODES[ReleaseForm(i.form)],
            sha256=i.sha256,
            link=i.link,
        )
        for i in items
    ]


def similar_to_wire(found: Similar) -> handling_pb2.SimilarAnsweredRequest:
    a = found.answered
    return handling_pb2.SimilarAnsweredRequest(
        application_number=a.application_number,
        receipt_date=date_to_wire(a.receipt_date),
        description=a.description,
        outcome=OUTCOME_CODES[Outcome(a.outcome)],
        replied_on=date_to_wire(a.replied_on),
        released=released_to_wire(
            [
                ReleasedItem(
                    item["title"],
                    ReleaseForm(item["form"]),
                    item["document_number"],
                    item["sha256"],
                    item["link"],
                )
                for item in a.released
            ]
        ),
        similarity=round(found.similarity, 3),
    )


def review_to_wire(review: ConfidentialityReview) -> handling_pb2.ConfidentialityReview:
    return handling_pb2.ConfidentialityReview(
        reviewer=review.reviewer,
        conclusion=REVIEW_CONCLUSION_CODES[review.conclusion],
        basis=review.basis,
        reviewed_on=date_to_wire(review.reviewed_on),
        withheld=review.withheld,
    )


def reply_to_wire(reply: Reply) -> handling_pb2.Reply:
    return handling_pb2.Reply(
        outcome=OUTCOME_CODES[reply.outcome],
        replied_on=date_to_wire(reply.replied_on),
        reasons=reply.reasons,
        ground=(
            GROUND_CODES[reply.ground]
            if reply.ground
            else common_pb2.NON_DISCLOSURE_GROUND_UNSPECIFIED
        ),
        responsible_agency=reply.responsible_agency,
        released=released_to_wire(reply.released),
        responsible_agency_contact=reply.responsible_agency_contact,
        withheld=reply.withheld,
        earlier_reply=reference_to_wire(reply.earlier_reply),
        route=reply.route,
        search=reply.search,
        published_where=reply.published_where,
    )


def history_entry(event: Any) -> handling_pb2.CaseHistoryEntry:
    facts = {k: v for k, v in vars(event).items() if k not in _NOT_SHOWN}
    return handling_pb2.CaseHistoryEntry(
        version=event.originator_version,
        at=timestamp(event.timestamp),
        kind=type(event).__name__,
        actor=getattr(event, "by", ""),
        summary="; ".join(f"{k}: {_words(v)}" for k, v in facts.items() if _words(v)),
    )


def _words(value: Any) -> str:
    if is_dataclass(value) and not isinstance(value, type):
        return ", ".join(f"{k} {_words(v)}" for k, v in asdict(value).items() if _words(v))
    if isinstance(value, Enum):
        term = term_for(value)  # outcomes and grounds in words, not codes
        return term.zh if term else str(value.value)
    if isinstance(value, list | tuple):
        return "、".join(_words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def worklist_item_to_wire(item: WorklistItem) -> handling_pb2.WorklistItem:
    row = item.row
    return handling_pb2.WorklistItem(
        case_id=str(row.case_id),
        application_number=row.application_number,
        state=CASE_STATE_CODES[row.state],
        assignee=row.assignee,
        receipt_date=date_to_wire(row.receipt_date),
        reply_due=date_to_wire(row.reply_due),
        reply_due_provisional=row.reply_due_provisional,
        working_days_left=item.working_days_left,
        at_risk=item.at_risk,
        overdue=item.overdue,
        waiting_until=date_to_wire(row.waiting_until),
        description=row.description,
        version=row.version,
    )
