"""书面告知: what each document of a case says, built from the case's recorded facts (domain.md
§9) for ogi.documents to render. Which kinds a case offers follows those facts: the 登记回执
always, each notice once its step is recorded, the 答复书 once the reply is.

Pure: no I/O. The application layer opens the applicant's name and hands it in as `recipient`;
checks that come before that use PLACEHOLDER."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ogi.deadlines import REPLY_PERIOD, count_working_days
from ogi.documents import kinds as k
from ogi.documents.kinds import DocumentContent, DocumentKind, DocumentReference
from ogi.errors import FieldViolation, PreconditionFailed
from ogi.taxonomy import Channel, Outcome
from ogi.workdays import WorkingDayCalendar
from services.handling.disclosure import ReleasedItem, ReleaseForm, ReviewConclusion
from services.handling.domain import Case, HandlingPolicy, Reply

PLACEHOLDER = "申请人"  # whom a letter goes to, while only its other facts are checked

# The step (HandlingService method) that records the facts each kind of document is made of:
# a fact the document lacks is named by that step's request field.
_STEP = {
    DocumentKind.REGISTRATION_RECEIPT: "SubmitApplication",
    DocumentKind.CORRECTION_NOTICE: "RequestCorrection",
    DocumentKind.REASONS_NOTICE: "RequestReasons",
    DocumentKind.DELAYED_REPLY_NOTICE: "AssessReasons",
    DocumentKind.EXTENSION_NOTICE: "ExtendReplyPeriod",
    DocumentKind.CONSULTATION_LETTER: "StartConsultation",
    DocumentKind.CONSULTATION_NOTICE: "StartConsultation",
    DocumentKind.FEE_NOTICE: "IssueFeeNotice",
    DocumentKind.REVIEW_FORM: "ReviewConfidentiality",
    DocumentKind.REPLY: "ReplyToApplication",
}
_STEP_FIELDS = {
    "extension_working_days": "days",
    "period_working_days": "period_working_days",
    "quantity": "pages",
    "recipient": "party",
}
# A content field of the 答复书 → the field of ReplyToApplicationRequest that supplies it.
_REPLY_FIELDS = {
    "publication.place": "reply.published_where",
    "responsible.name": "reply.responsible_agency",
    "responsible.contact": "reply.responsible_agency_contact",
    "earlier": "reply.earlier_reply",
    "special_route": "reply.route",
    "proper_channel": "reply.route",
    "where_to_obtain": "reply.route",
    "requested": "case",
    "recipient": "case",
}
# The event whose recording makes a kind available.
_AFTER = {
    DocumentKind.CORRECTION_NOTICE: "CorrectionRequested",
    DocumentKind.REASONS_NOTICE: "ReasonsRequested",
    DocumentKind.EXTENSION_NOTICE: "Extended",
    DocumentKind.CONSULTATION_LETTER: "ConsultationStarted",
    DocumentKind.CONSULTATION_NOTICE: "ConsultationStarted",
    DocumentKind.FEE_NOTICE: "FeeNoticeIssued",
    DocumentKind.REVIEW_FORM: "ConfidentialityReviewed",
    DocumentKind.REPLY: "Replied",
}
FORM_WORDS = {
    ReleaseForm.ELECTRONIC_FILE: "电子文件",
    ReleaseForm.PAPER: "纸质文本",
    ReleaseForm.PUBLISHED_LINK: "网上查阅",
}
# How the applicant obtains what is provided, by its form and the route they chose (Art 29(三)):
# a paper copy goes by post or is picked up, a file by e-mail or the platform; otherwise it comes
# with the reply itself.
_HOW = {
    (ReleaseForm.PAPER, "DELIVERY_ROUTE_POST"): "邮寄送达",
    (ReleaseForm.PAPER, "DELIVERY_ROUTE_PICKUP"): "到本机关政府信息公开工作机构领取",
    (ReleaseForm.ELECTRONIC_FILE, "DELIVERY_ROUTE_EMAIL"): "通过电子邮件发送",
    (ReleaseForm.ELECTRONIC_FILE, "DELIVERY_ROUTE_ONLINE_DOWNLOAD"): "通过政府信息公开申请平台下载",
}
_CONCLUSIONS = {
    ReviewConclusion.DISCLOSABLE: k.ReviewConclusion.DISCLOSE,
    ReviewConclusion.PARTLY_DISCLOSABLE: k.ReviewConclusion.PARTLY,
    ReviewConclusion.NOT_DISCLOSABLE: k.ReviewConclusion.WITHHOLD,
}


@dataclass(frozen=True)
class CaseRecord:
    """A case and everything recorded on it: what its documents are made of."""

    case: Case
    history: Sequence[Any]  # the case's events, oldest first
    calendar: WorkingDayCalendar
    policy: HandlingPolicy
    case_at: Callable[[int], Case]  # the case as it stood right after the event of a version

    def last(self, name: str) -> Any:
        """The latest event called `name` (the kind is offered only once there is one)."""
        return [e for e in self.history if type(e).__name__ == name][-1]


def offered_kinds(case: Case, history: Sequence[Any]) -> list[DocumentKind]:
    """The kinds of document the case's facts allow now, in the order of the procedure."""
    recorded = {type(e).__name__ for e in history}
    offered = []
    for kind in DocumentKind:
        if kind is DocumentKind.REGISTRATION_RECEIPT:
            ok = bool(case.channel)
        elif kind is DocumentKind.DELAYED_REPLY_NOTICE:
            ok = any(
                type(e).__name__ == "ReasonsAssessed" and e.reasonable and e.later_due
                for e in history
            )
        else:
            ok = _AFTER[kind] in recorded
        if ok:
            offered.append(kind)
    return offered


def letter(kind: DocumentKind, record: CaseRecord, recipient: str) -> DocumentContent:
    """The content of `kind` for the case; FAILED_PRECONDITION when the case does not (yet)
    offer it, or a fact it must state was not recorded (named by the step's field)."""
    if kind not in offered_kinds(record.case, record.history):
        raise PreconditionFailed(
            f"此案件尚无{k.KIND_TERMS[kind].zh}所依据的事实"
            f"（the case offers no {kind.value} yet: its step is not recorded）"
        )
    content = _BUILDERS[kind](record, recipient)
    if problems := content_problems(content):
        raise PreconditionFailed(
            f"{k.KIND_TERMS[kind].zh}缺少法定内容（the {kind.value} lacks what the law asks): "
            + "; ".join(f"{v.field}: {v.description}" for v in problems)
        )
    return content


def content_problems(content: DocumentContent) -> list[FieldViolation]:
    """What `content` lacks, named by the request field that records each fact."""
    if isinstance(content, k.ReplyLetter):
        return [_reply_field(v) for v in content.violations()]
    step = _STEP[content.kind]
    return [
        FieldViolation(f"{step}.{_STEP_FIELDS.get(v.field, v.field)}", v.description)
        for v in content.violations()
    ]


def reply_letter_violations(case: Case) -> list[FieldViolation]:
    """What the case's reply lacks for its 答复书, by ReplyToApplicationRequest's fields: a
    reply is refused unless its document can say what the law asks (Arts 36-39)."""
    assert case.reply is not None  # noqa: S101 - called on a case just answered
    return content_problems(reply_content(case, case.reply, PLACEHOLDER))


def _reply_field(violation: FieldViolation) -> FieldViolation:
    field = violation.field
    mapped = _REPLY_FIELDS.get(field)
    if mapped is None:
        mapped = f"reply.{field}"
    return FieldViolation(mapped, violation.description)


# --- each kind ---------------------------------------------------------------------------------


def _receipt(record: CaseRecord, recipient: str) -> k.RegistrationReceipt:
    case = record.case
    registered = record.history[0]
    due = count_working_days(
        record.calendar, case.receipt_date, "application received (Art 31)", REPLY_PERIOD
    )
    return k.RegistrationReceipt(
        recipient=recipient,
        application_number=case.application_number,
        receipt_date=case.receipt_date,
        channel=Channel(case.channel),
        requested=registered.description,
        reply_due=due.due,
    )


def _correction(record: CaseRecord, recipient: str) -> k.CorrectionNotice:
    e = record.last("CorrectionRequested")
    due = count_working_days(record.calendar, e.notice_date, "correction notice", e.period)
    return k.CorrectionNotice(
        **_to(record, recipient),
        items=tuple(e.items),
        period_working_days=e.period,
        correction_due=due.due,
    )


def _reasons(record: CaseRecord, recipient: str) -> k.ReasonsNotice:
    e = record.last("ReasonsRequested")
    period = getattr(e, "period", 0) or record.policy.reasons_period
    due = count_working_days(record.calendar, e.notice_date, "reasons notice", period)
    return k.ReasonsNotice(
        **_to(record, recipient),
        unreasonable=getattr(e, "unreasonable", ""),
        period_working_days=period,
        reasons_due=due.due,
    )


def _delayed(record: CaseRecord, recipient: str) -> k.DelayedReplyNotice:
    e = [
        e
        for e in record.history
        if type(e).__name__ == "ReasonsAssessed" and e.reasonable and e.later_due
    ][-1]
    return k.DelayedReplyNotice(
        **_to(record, recipient),
        delayed_due=e.later_due,
        why=getattr(e, "why", ""),
        reasons_notice=issued(record.case, DocumentKind.REASONS_NOTICE),
    )


def _extension(record: CaseRecord, recipient: str) -> k.ExtensionNotice:
    e = record.last("Extended")
    then = record.case_at(e.originator_version)
    return k.ExtensionNotice(
        **_to(record, recipient),
        original_due=then.reply_deadline(record.calendar, with_extension=False).due,
        extension_working_days=e.days,
        new_due=then.reply_deadline(record.calendar).due,
        approved_by=e.approved_by,
        approved_on=e.on,
        reason=getattr(e, "reason", ""),
    )


def _consulted(e: Any) -> k.ConsultedParty:
    return k.ConsultedParty(getattr(e, "party_kind", "") or k.ConsultedParty.THIRD_PARTY)


def _consultation_letter(record: CaseRecord, _recipient: str) -> k.ConsultationLetter:
    """To the party consulted: it names the application, never the applicant."""
    e = record.last("ConsultationStarted")
    return k.ConsultationLetter(
        recipient=e.party,
        application_number=record.case.application_number,
        receipt_date=record.case.receipt_date,
        party=_consulted(e),
        information=getattr(e, "information", "") or record.case.description,
        concern=getattr(e, "concern", ""),
    )


def _consultation_notice(record: CaseRecord, recipient: str) -> k.ConsultationNotice:
    e = record.last("ConsultationStarted")
    return k.ConsultationNotice(
        **_to(record, recipient), party=_consulted(e), consulted_on=e.sent_on
    )


def _fee(record: CaseRecord, recipient: str) -> k.FeeNotice:
    e = record.last("FeeNoticeIssued")
    try:
        amount = Decimal(e.amount)
    except InvalidOperation:
        amount = Decimal(0)
    return k.FeeNotice(
        **_to(record, recipient),
        method=e.method,
        quantity=getattr(e, "quantity", 0),
        amount=amount,
        why=getattr(e, "why", ""),
        payment=getattr(e, "payment", ""),
        clock_paused=e.pauses,
    )


def _review(record: CaseRecord, recipient: str) -> k.ReviewForm:
    review = record.case.review
    assert review is not None  # noqa: S101 - offered only once reviewed
    return k.ReviewForm(
        **_to(record, recipient),
        information=record.case.description,
        reviewer=review.reviewer,
        reviewed_on=review.reviewed_on,
        conclusion=_CONCLUSIONS[review.conclusion],
        basis=review.basis,
        withheld=review.withheld,
    )


def _reply(record: CaseRecord, recipient: str) -> k.ReplyLetter:
    assert record.case.reply is not None  # noqa: S101 - offered only once replied
    return reply_content(record.case, record.case.reply, recipient)


def reply_content(case: Case, reply: Reply, recipient: str) -> k.ReplyLetter:
    """政府信息公开申请答复书 of `reply`: what it provides, or the ground with reasons; the
    responsible agency with its contact (R5), where it is published (R1), how it was searched
    for (R4), the earlier reply (R6) or notice (R12, R14), the route (R7, R10, R11)."""
    outcome = reply.outcome
    route = reply.route.strip()
    earlier: DocumentReference | None = None
    if outcome is Outcome.R6:
        earlier = reply.earlier_reply
    elif outcome is Outcome.R12:
        earlier = issued(case, DocumentKind.REASONS_NOTICE)
    elif outcome is Outcome.R14:
        earlier = issued(case, DocumentKind.CORRECTION_NOTICE)
    withheld = reply.withheld or (case.review.withheld if case.review else "")
    return k.ReplyLetter(
        recipient=recipient,
        application_number=case.application_number,
        receipt_date=case.receipt_date,
        requested=case.description,
        outcome=outcome,
        ground=reply.ground if outcome in (Outcome.R3, Outcome.R8) else None,
        reasons=reply.reasons,
        released=(
            tuple(_released(item, case.delivery_route) for item in reply.released)
            if outcome in (Outcome.R2, Outcome.R8)
            else ()
        ),
        withheld=withheld if outcome is Outcome.R8 else "",
        publication=_publication(reply) if outcome is Outcome.R1 else None,
        responsible=(
            k.ResponsibleAgency(
                name=reply.responsible_agency, contact=reply.responsible_agency_contact
            )
            if outcome is Outcome.R5 and reply.responsible_agency
            else None
        ),
        earlier=earlier,
        special_route=(route or reply.reasons) if outcome is Outcome.R7 else "",
        proper_channel=route if outcome is Outcome.R10 else "",
        where_to_obtain=route if outcome is Outcome.R11 else "",
        search=(reply.search or reply.reasons) if outcome is Outcome.R4 else "",
    )


def _released(item: ReleasedItem, route: str) -> k.ReleasedItem:
    if item.form is ReleaseForm.PUBLISHED_LINK:
        how = "通过所列网址自行查阅、下载"
    else:
        how = _HOW.get((item.form, route), "随本答复书提供")
    return k.ReleasedItem(
        title=item.title,
        form=FORM_WORDS[item.form],
        how=how,
        doc_number=item.document_number,
        link=item.link,
        sha256=item.sha256,
    )


def _publication(reply: Reply) -> k.Publication:
    """R1: where it is published; the links of what the reply names are the address."""
    links = [i.link for i in reply.released if i.link]
    if len(reply.released) > 1:
        links = [f"{i.title} {i.link}" for i in reply.released if i.link]
    return k.Publication(place=reply.published_where or "互联网", link="；".join(links))


def issued(case: Case, kind: DocumentKind) -> DocumentReference | None:
    """The latest document of `kind` issued on the case, as a later one refers to it."""
    found = [d for d in case.documents if d.kind is kind]
    return DocumentReference(number=found[-1].number, dated=found[-1].issued_on) if found else None


def _to(record: CaseRecord, recipient: str) -> dict[str, Any]:
    case = record.case
    return {
        "recipient": recipient,
        "application_number": case.application_number,
        "receipt_date": case.receipt_date,
    }


_BUILDERS: Mapping[DocumentKind, Callable[[CaseRecord, str], DocumentContent]] = {
    DocumentKind.REGISTRATION_RECEIPT: _receipt,
    DocumentKind.CORRECTION_NOTICE: _correction,
    DocumentKind.REASONS_NOTICE: _reasons,
    DocumentKind.DELAYED_REPLY_NOTICE: _delayed,
    DocumentKind.EXTENSION_NOTICE: _extension,
    DocumentKind.CONSULTATION_LETTER: _consultation_letter,
    DocumentKind.CONSULTATION_NOTICE: _consultation_notice,
    DocumentKind.FEE_NOTICE: _fee,
    DocumentKind.REVIEW_FORM: _review,
    DocumentKind.REPLY: _reply,
}
