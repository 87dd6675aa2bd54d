"""HandlingService over gRPC: authenticates the caller, converts wire messages to steps on a
case and the case back. The domain decides what is allowed; this layer only translates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import grpc

from ogi.auth import Authenticator, Principal, Role
from ogi.bounds import (
    DateWindow,
    EdgePolicy,
    check_date,
    check_range,
    check_text,
    text_problem,
    too_many,
)
from ogi.documents.kinds import DocumentReference
from ogi.documents.wire import FORMATS, KIND_CODES, KINDS, file_name
from ogi.errors import FieldViolation, InvalidArgument, Unavailable
from ogi.freshness import Freshness
from ogi.v1 import handling_pb2, handling_pb2_grpc
from ogi.wire import (
    GROUNDS,
    OUTCOMES,
    date_from_wire,
    date_to_wire,
    raise_if,
    required,
    timestamp,
)
from services.handling.application import Handling
from services.handling.disclosure import ConfidentialityReview
from services.handling.domain import Case, Reply
from services.handling.fees import FeeMethod, per_application_fee, per_page_fee
from services.handling.issuing import DocumentDesk
from services.handling.letters import reply_letter_violations
from services.handling.wire import (
    CASE_STATE_CODES,
    CASE_STATES,
    CONSULTED_PARTIES,
    FEE_METHODS,
    REVIEW_CONCLUSIONS,
    SERVICE_METHODS,
    case_to_wire,
    document_to_wire,
    released_from_wire,
    similar_to_wire,
    worklist_item_to_wire,
)
from services.handling.worklist import WorklistQuery

Step = Callable[[Case, str], None]  # (case, the caller's name) -> None
OFFICE_HEAD_ONLY = (Role.OFFICE_HEAD,)
REVIEWERS = (Role.REVIEWER, Role.OFFICE_HEAD)  # 保密审查 (Art 17)
# Bounds of what a handler types (ogi.bounds): names and parties on one line, free text longer.
MAX_NAME = 100
MAX_PARTY = 200
MAX_TEXT = 5000
MAX_ITEM = 500
MAX_ITEMS = 50
MAX_CASE_REF = 100
MAX_SIMILAR = 20  # earlier requests shown at once (类似申请曾答复)
MAX_CORRECTION_PERIOD = 60  # working days; Art 30 asks a reasonable period (default 15)
MAX_PAGES = 1_000_000  # pages provided under one application
MAX_ORDINAL_IN_MONTH = 10_000


class HandlingServicer(handling_pb2_grpc.HandlingServiceServicer):
    def __init__(
        self,
        handling: Handling,
        auth: Authenticator,
        needing_attention: Callable[[], set[str]] = set,
        documents: DocumentDesk | None = None,
    ) -> None:
        """`needing_attention`: the ids of cases with an event the worklist or the relay set
        aside (ogi.setaside); their worklist lines and GetCase say so, so no case is lost
        silently while the operator looks into why."""
        self.handling = handling
        self.auth = auth
        self.needing_attention = needing_attention
        self.documents = documents
        # Reads reflect handling's log and, as applied here, intake's (ogi.freshness).
        self.freshness = Freshness("handling", handling, ("intake",))

    async def ListWorklist(
        self, request: handling_pb2.ListWorklistRequest, context: grpc.aio.ServicerContext
    ) -> handling_pb2.ListWorklistResponse:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        states = frozenset(required(s, CASE_STATES, "states", violations) for s in request.states)
        due_before = date_from_wire(request.due_before, "due_before", violations)
        as_of = date_from_wire(request.as_of, "as_of", violations)
        check_date(as_of, "as_of", self._edges.planning_dates(self.handling.today()), violations)
        check_text(request.assignee, "assignee", MAX_NAME, violations, single_line=True)
        raise_if(violations)
        position = await self.freshness.read(
            context, request.min_position, self.handling.worklist.position
        )
        query = WorklistQuery(principal.agency_code, request.assignee.strip(), states, due_before)
        today, items = await asyncio.to_thread(self.handling.list_worklist, principal, query, as_of)
        marked = await asyncio.to_thread(self.needing_attention)
        lines = [worklist_item_to_wire(i) for i in items]
        for line in lines:
            line.needs_attention = line.case_id in marked
        return handling_pb2.ListWorklistResponse(
            items=lines, today=date_to_wire(today), position=position
        )

    async def GetCase(
        self, request: handling_pb2.GetCaseRequest, context: grpc.aio.ServicerContext
    ) -> handling_pb2.GetCaseResponse:
        principal = self._principal(context)
        _text(request.case, "case", MAX_CASE_REF)
        position = await self.freshness.read(context, request.min_position)
        case = await asyncio.to_thread(self.handling.get_case, request.case, principal)
        wire = await self._case(case)
        wire.position = position
        return handling_pb2.GetCaseResponse(case=wire)

    async def SimilarAnsweredRequests(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        check_text(request.case, "case", MAX_CASE_REF, violations, required=True)
        if not 0 <= request.limit <= MAX_SIMILAR:
            violations.append(
                FieldViolation("limit", f"1至{MAX_SIMILAR}（from 1 to {MAX_SIMILAR}; 0 for 5）")
            )
        raise_if(violations)
        found = await asyncio.to_thread(
            self.handling.similar_answered, request.case, principal, request.limit or 5
        )
        return handling_pb2.SimilarAnsweredRequestsResponse(
            similar=[similar_to_wire(s) for s in found]
        )

    async def AcceptCase(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        case = await self._change(request, context, lambda c, by: c.accept(by=by))
        return handling_pb2.AcceptCaseResponse(case=case)

    async def AssignCase(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        assignee = _text(request.assignee, "assignee", MAX_NAME, required=True, single_line=True)
        case = await self._change(request, context, lambda c, by: c.assign(assignee, by=by))
        return handling_pb2.AssignCaseResponse(case=case)

    async def RequestCorrection(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        notice_date = self._day(request.notice_date, "notice_date")
        violations: list[FieldViolation] = []
        if len(request.items) > MAX_ITEMS:
            violations.append(FieldViolation("items", too_many(MAX_ITEMS)))
        for n, item in enumerate(request.items):
            check_text(item, f"items[{n}]", MAX_ITEM, violations)
        if request.period_working_days:
            check_range(
                request.period_working_days,
                "period_working_days",
                1,
                MAX_CORRECTION_PERIOD,
                violations,
            )
        raise_if(violations)
        items = [i.strip() for i in request.items if i.strip()]
        period = request.period_working_days or self.handling.policy.correction_period

        def step(c: Case, by: str) -> None:
            c.request_correction(items, notice_date, period, by=by)

        case = await self._change(request, context, step)
        return handling_pb2.RequestCorrectionResponse(case=case)

    async def LapseCorrection(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        on = self._day(request.on, "on")
        calendar = self.handling.calendar
        case = await self._change(
            request, context, lambda c, by: c.lapse_correction(calendar, on, by=by)
        )
        return handling_pb2.LapseCorrectionResponse(case=case)

    async def RequestReasons(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        notice_date = self._day(request.notice_date, "notice_date")
        unreasonable = _text(request.unreasonable, "unreasonable", MAX_TEXT).strip()
        violations: list[FieldViolation] = []
        if request.period_working_days:
            check_range(
                request.period_working_days,
                "period_working_days",
                1,
                MAX_CORRECTION_PERIOD,
                violations,
            )
        raise_if(violations)
        period = request.period_working_days or self.handling.policy.reasons_period

        def step(c: Case, by: str) -> None:
            c.request_reasons(notice_date, by=by, unreasonable=unreasonable, period=period)

        case = await self._change(request, context, step)
        return handling_pb2.RequestReasonsResponse(case=case)

    async def AssessReasons(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        violations: list[FieldViolation] = []
        later_due = date_from_wire(request.later_due, "later_due", violations)
        window = self._edges.planning_dates(self.handling.today())
        check_date(later_due, "later_due", window, violations)
        raise_if(violations)
        reasonable = request.reasonable
        why = _text(request.why, "why", MAX_TEXT)
        case = await self._change(
            request, context, lambda c, by: c.assess_reasons(reasonable, later_due, by=by, why=why)
        )
        return handling_pb2.AssessReasonsResponse(case=case)

    async def StartConsultation(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        sent_on = self._day(request.sent_on, "sent_on")
        party = _text(request.party, "party", MAX_PARTY, required=True, single_line=True)
        information = _text(request.information, "information", MAX_TEXT)
        concern = _text(request.concern, "concern", MAX_TEXT)
        party_kind = CONSULTED_PARTIES.get(request.party_kind)
        if party_kind is None:
            raise InvalidArgument(
                [FieldViolation("party_kind", "不是已知的征求意见对象（unknown party kind）")]
            )

        def step(c: Case, by: str) -> None:
            c.start_consultation(
                party,
                sent_on,
                by=by,
                party_kind=party_kind,
                information=information,
                concern=concern,
            )

        case = await self._change(request, context, step)
        return handling_pb2.StartConsultationResponse(case=case)

    async def EndConsultation(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        received_on = self._day(request.received_on, "received_on")
        opinion = _text(request.opinion, "opinion", MAX_TEXT).strip()
        case = await self._change(
            request, context, lambda c, by: c.end_consultation(received_on, opinion, by=by)
        )
        return handling_pb2.EndConsultationResponse(case=case)

    async def ExtendReplyPeriod(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """Only an office head extends (Art 33); the approver is the caller."""
        on = self._day(request.on, "on")
        days, calendar = request.days, self.handling.calendar
        reason = _text(request.reason, "reason", MAX_TEXT)

        def step(c: Case, by: str) -> None:
            c.extend(calendar, days, by, on, by=by, reason=reason)

        case = await self._change(request, context, step, OFFICE_HEAD_ONLY)
        return handling_pb2.ExtendReplyPeriodResponse(case=case)

    async def IssueFeeNotice(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        notified_on = self._day(request.notified_on, "notified_on")
        method, amount = _fee(request)
        pauses = self.handling.policy.fee_pauses_clock
        why = _text(request.why, "why", MAX_TEXT)
        payment = _text(request.payment, "payment", MAX_TEXT)
        quantity = request.pages if method is FeeMethod.PER_PAGE else request.ordinal_in_month

        def step(c: Case, by: str) -> None:
            c.issue_fee_notice(
                str(amount),
                method.value,
                notified_on,
                pauses,
                by=by,
                quantity=quantity,
                why=why,
                payment=payment,
            )

        case = await self._change(request, context, step)
        return handling_pb2.IssueFeeNoticeResponse(case=case)

    async def RecordFeePayment(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        paid_on = self._day(request.paid_on, "paid_on")
        case = await self._change(request, context, lambda c, by: c.record_payment(paid_on, by=by))
        return handling_pb2.RecordFeePaymentResponse(case=case)

    async def WaiveFee(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        waived_on = self._day(request.waived_on, "waived_on")
        reason = _text(request.reason, "reason", MAX_TEXT)
        case = await self._change(
            request, context, lambda c, by: c.waive_fee(waived_on, reason, by=by)
        )
        return handling_pb2.WaiveFeeResponse(case=case)

    async def LapseFee(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        on = self._day(request.on, "on")
        calendar = self.handling.calendar
        case = await self._change(request, context, lambda c, by: c.lapse_fee(calendar, on, by=by))
        return handling_pb2.LapseFeeResponse(case=case)

    async def ReplyToApplication(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        reply = self._reply(request.reply)

        def step(c: Case, by: str) -> None:
            c.answer(reply, by=by)
            # The reply is the act its 答复书 states: refused unless that can say what the law
            # asks (the fields named are this request's).
            raise_if(reply_letter_violations(c))

        case = await self._change(request, context, step)
        return handling_pb2.ReplyToApplicationResponse(case=case)

    async def RecordService(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        violations: list[FieldViolation] = []
        method = required(request.method, SERVICE_METHODS, "method", violations)
        raise_if(violations)
        served_on = self._day(request.served_on, "served_on")
        case = await self._change(request, context, lambda c, by: c.serve(method, served_on, by=by))
        return handling_pb2.RecordServiceResponse(case=case)

    async def ReviewConfidentiality(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """保密审查 (Art 17): the caller, a reviewer or the office head, is the reviewer."""
        reviewed_on = self._day(request.reviewed_on, "reviewed_on")
        violations: list[FieldViolation] = []
        conclusion = required(request.conclusion, REVIEW_CONCLUSIONS, "conclusion", violations)
        raise_if(violations)

        def step(c: Case, by: str) -> None:
            review = ConfidentialityReview(
                by, conclusion, request.basis.strip(), reviewed_on, request.withheld.strip()
            )
            c.review_confidentiality(review, by=by)

        case = await self._change(request, context, step, REVIEWERS)
        return handling_pb2.ReviewConfidentialityResponse(case=case)

    async def GetApplicant(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        _text(request.case, "case", MAX_CASE_REF)
        call = "ogi.v1.HandlingService/GetApplicant"
        case, applicant, delivery = await asyncio.to_thread(
            self.handling.applicant, request.case, principal, call
        )
        return handling_pb2.GetApplicantResponse(
            application_number=case.application_number, applicant=applicant, delivery=delivery
        )

    async def FindCasesByApplicant(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        name = _text(request.name, "name", MAX_NAME, required=True, single_line=True)
        if len(name.strip()) < 2:
            raise InvalidArgument(
                [FieldViolation("name", "至少两个字（at least two characters of the name）")]
            )
        call = "ogi.v1.HandlingService/FindCasesByApplicant"
        found = await asyncio.to_thread(self.handling.find_by_applicant, principal, name, call)
        return handling_pb2.FindCasesByApplicantResponse(
            matches=[
                handling_pb2.ApplicantMatch(
                    application_number=case.application_number,
                    state=CASE_STATE_CODES[case.state],
                    receipt_date=date_to_wire(case.receipt_date),
                    applicant_name=applicant.name,
                    description=case.description,
                )
                for case, applicant in found
            ]
        )

    async def ListApplicantReads(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        since = date_from_wire(request.since, "since", violations)
        check_text(request.case, "case", MAX_CASE_REF, violations)
        raise_if(violations)
        reads = await asyncio.to_thread(
            self.handling.applicant_reads, principal, request.case, since
        )
        return handling_pb2.ListApplicantReadsResponse(
            reads=[
                handling_pb2.ApplicantRead(
                    application_number=r.application_number,
                    reader=r.reader,
                    roles=r.roles,
                    at=timestamp(r.timestamp),
                    call=r.call,
                )
                for r in reads
            ]
        )

    # --- documents (发文) -------------------------------------------------------------------------

    async def PreviewDocument(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        kind = _document_request(request)
        rendered = await self._desk.preview(principal, request.case, kind, request.replaces)
        return handling_pb2.PreviewDocumentResponse(
            kind=KIND_CODES[kind], number=rendered.number, pdf=rendered.pdf, docx=rendered.docx
        )

    async def IssueDocument(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        kind = _document_request(request)
        document = await self._desk.issue(principal, request.case, kind, request.replaces)
        return handling_pb2.IssueDocumentResponse(document=document_to_wire(document))

    async def ListDocuments(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        _text(request.case, "case", MAX_CASE_REF)
        case = await asyncio.to_thread(self.handling.case_documents, request.case, principal)
        return handling_pb2.ListDocumentsResponse(
            documents=[document_to_wire(d) for d in case.documents]
        )

    async def GetDocument(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        _text(request.case, "case", MAX_CASE_REF)
        _text(request.number, "number", MAX_NAME, required=True, single_line=True)
        if request.format not in FORMATS:
            raise InvalidArgument(
                [FieldViolation("format", "不是已知的文件格式（unknown format: PDF or DOCX）")]
            )
        extension, media_type = FORMATS[request.format]
        found = await self._desk.read(
            principal, request.case, request.number, extension, media_type
        )
        return handling_pb2.GetDocumentResponse(
            document=document_to_wire(found.document),
            content=found.content,
            media_type=media_type,
            file_name=file_name(found.document.number, extension),
        )

    @property
    def _desk(self) -> DocumentDesk:
        if self.documents is None:  # a process started without the document store
            raise Unavailable("文书服务未启用（documents are not available in this process）")
        return self.documents

    # --- helpers -------------------------------------------------------------------------------

    def _principal(self, context: grpc.aio.ServicerContext) -> Principal:
        return self.auth.principal(context.invocation_metadata())

    async def _change(
        self,
        request: Any,
        context: grpc.aio.ServicerContext,
        step: Step,
        roles: tuple[Role, ...] = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD),
    ) -> Any:
        principal = self._principal(context)
        _text(request.case, "case", MAX_CASE_REF)
        case = await asyncio.to_thread(
            self.handling.change,
            request.case,
            principal,
            request.expected_version,
            lambda c: step(c, principal.subject),
            roles,
        )
        wire = await self._case(case)
        wire.position = await asyncio.to_thread(self.freshness.written)
        return wire

    async def _case(self, case: Case) -> Any:
        history = await asyncio.to_thread(self.handling.history, case.id)
        wire = case_to_wire(case, history, self.handling.calendar, self.handling.today())
        wire.needs_attention = wire.case_id in await asyncio.to_thread(self.needing_attention)
        return wire

    @property
    def _edges(self) -> EdgePolicy:
        return self.handling.edges

    def _day(self, value: Any, field: str) -> date:
        """A date from the request, within the window a step's date may be in (ogi.bounds);
        unset means today (China time). The step checks what it must not precede."""
        violations: list[FieldViolation] = []
        today = self.handling.today()
        day = date_from_wire(value, field, violations)
        check_date(day, field, self._edges.step_dates(today), violations)
        raise_if(violations)
        return day or today

    def _reply(self, wire: handling_pb2.Reply) -> Reply:
        violations: list[FieldViolation] = []
        outcome = required(wire.outcome, OUTCOMES, "reply.outcome", violations)
        ground = GROUNDS.get(wire.ground)
        if wire.ground and ground is None:
            violations.append(FieldViolation("reply.ground", "不是已知的理由（unknown ground）"))
        replied_on = date_from_wire(wire.replied_on, "reply.replied_on", violations)
        released = released_from_wire(wire.released, "reply.released", violations)
        window = self._edges.step_dates(self.handling.today())
        check_date(replied_on, "reply.replied_on", window, violations)
        check_text(wire.reasons, "reply.reasons", MAX_TEXT, violations)
        for name, limit, single_line in _REPLY_TEXTS:
            check_text(
                getattr(wire, name), f"reply.{name}", limit, violations, single_line=single_line
            )
        earlier = _reference(wire, "earlier_reply", "reply.earlier_reply", window, violations)
        raise_if(violations)
        return Reply(
            outcome,
            replied_on or self.handling.today(),
            wire.reasons.strip(),
            ground,
            wire.responsible_agency.strip(),
            released,
            responsible_agency_contact=wire.responsible_agency_contact.strip(),
            withheld=wire.withheld.strip(),
            earlier_reply=earlier,
            route=wire.route.strip(),
            search=wire.search.strip(),
            published_where=wire.published_where.strip(),
        )


# The texts of a reply and their bounds: (field, characters, on one line).
_REPLY_TEXTS = (
    ("responsible_agency", MAX_PARTY, True),
    ("responsible_agency_contact", MAX_PARTY, True),
    ("withheld", MAX_TEXT, False),
    ("route", MAX_TEXT, False),
    ("search", MAX_TEXT, False),
    ("published_where", MAX_PARTY, True),
)


def _reference(
    wire: Any, name: str, field: str, window: DateWindow, violations: list[FieldViolation]
) -> DocumentReference | None:
    """An earlier document (number and date) the request names, if it names one."""
    if not wire.HasField(name):
        return None
    reference = getattr(wire, name)
    check_text(reference.number, f"{field}.number", MAX_NAME, violations, single_line=True)
    dated = date_from_wire(reference.dated, f"{field}.dated", violations)
    check_date(dated, f"{field}.dated", window, violations)
    if not reference.number.strip() or dated is None:
        violations.append(
            FieldViolation(field, "写明文号和成文日期（the number and the date of the document）")
        )
        return None
    return DocumentReference(number=reference.number.strip(), dated=dated)


def _text(
    value: str, field: str, limit: int, *, required: bool = False, single_line: bool = False
) -> str:
    """`value` if it is within bounds (ogi.bounds); INVALID_ARGUMENT naming `field` if not."""
    if problem := text_problem(value, limit, required=required, single_line=single_line):
        raise InvalidArgument([FieldViolation(field, problem)])
    return value


def _document_request(request: Any) -> Any:
    """The kind a Preview/IssueDocument request asks for, its case and replaces in bounds."""
    _text(request.case, "case", MAX_CASE_REF)
    _text(request.replaces, "replaces", MAX_NAME, single_line=True)
    kind = KINDS.get(request.kind)
    if kind is None:
        raise InvalidArgument(
            [FieldViolation("kind", "须选择文书种类（choose a known kind of document）")]
        )
    return kind


def _fee(request: Any) -> tuple[FeeMethod, Any]:
    """The method and the amount the fee rules give (domain.md §6)."""
    violations: list[FieldViolation] = []
    method = required(request.method, FEE_METHODS, "method", violations)
    if method is FeeMethod.PER_PAGE:
        check_range(request.pages, "pages", 1, MAX_PAGES, violations)
    if method is FeeMethod.PER_APPLICATION:
        check_range(
            request.ordinal_in_month, "ordinal_in_month", 1, MAX_ORDINAL_IN_MONTH, violations
        )
    raise_if(violations)
    amount = (
        per_page_fee(request.pages)
        if method is FeeMethod.PER_PAGE
        else per_application_fee(request.ordinal_in_month)
    )
    if amount == 0:
        field = "pages" if method is FeeMethod.PER_PAGE else "ordinal_in_month"
        raise InvalidArgument(
            [FieldViolation(field, "按收费标准此项不收费（the fee rules charge nothing for this）")]
        )
    return method, amount
