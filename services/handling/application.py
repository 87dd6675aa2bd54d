"""Handling use cases: intake's events become cases (each exactly once), and handlers take the
steps of a case, each allowed only to the caller's agency and roles."""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, ProcessRecorder

from ogi.agencies import Agency, AgencyDirectory
from ogi.application import ServiceApplication
from ogi.auth import STAFF, Principal, Role
from ogi.bounds import EdgePolicy
from ogi.clock import Clock, china_date, system_clock
from ogi.documents.kinds import (
    ADDRESSEES,
    Addressee,
    DocumentContent,
    DocumentKind,
    DocumentReference,
)
from ogi.documents.numbering import DocumentNumberSequence
from ogi.errors import Conflict, FieldViolation, InvalidArgument, NotFound, PreconditionFailed
from ogi.messaging.inbox import Delivery
from ogi.sealing import Sealer
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import CATEGORIES, CHANNELS, event_date
from ogi.workdays import WorkingDayCalendar
from services.handling.answered import AnsweredProjector, Similar, SimilarAnswered
from services.handling.domain import (
    CASE_VALUE_TYPES,
    OPEN_STATES,
    ApplicantDetailsRead,
    Case,
    CaseState,
    HandlingPolicy,
    IssuedDocument,
)
from services.handling.letters import PLACEHOLDER, CaseRecord, letter, offered_kinds
from services.handling.views import worklist_view
from services.handling.worklist import (
    WorklistItem,
    WorklistProjector,
    WorklistQuery,
    item_for,
    row_for,
)

log = structlog.get_logger("handling")

# Who may open an applicant's details: those who must write to or serve the applicant.
APPLICANT_READERS = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD)
READS_PAGE = 1000
_READ_TOPIC = f"{ApplicantDetailsRead.__module__}:ApplicantDetailsRead.Read"
_REGISTERED_TOPIC = f"{Case.__module__}:Case.Registered"
FOUND_AT_MOST = 50  # cases a search by applicant name shows (and records as read)


def _name_key(name: str) -> str:
    """A name as compared: NFKC (全角 forms), no spaces, case folded."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _enum_value(enum: Any, name: str) -> Any:
    """The wire value of a stored enum name; unspecified for an empty or unknown one."""
    try:
        return enum.Value(name)
    except ValueError:
        return 0


UPSTREAM = "intake"
_INTAKE_EVENTS: dict[str, Any] = {
    "ApplicationSubmitted": events_pb2.ApplicationSubmitted,
    "CorrectionSupplied": events_pb2.CorrectionSupplied,
    "ApplicationWithdrawn": events_pb2.ApplicationWithdrawn,
    "ReasonsSupplied": events_pb2.ReasonsSupplied,
}


@dataclass(frozen=True)
class DocumentBasis:
    """What a document of a case is made of, checked and ready to render."""

    case_id: UUID
    agency: Agency
    content: DocumentContent
    addressee: Addressee
    replaces: DocumentReference | None


class Handling(ServiceApplication):
    """The handlers' workplace (办理)."""

    name = "handling"
    value_types = CASE_VALUE_TYPES

    def __init__(
        self,
        env: dict[str, str],
        calendar: WorkingDayCalendar,
        policy: HandlingPolicy | None = None,
        *,
        clock: Clock = system_clock,
        edges: EdgePolicy | None = None,
        agencies: AgencyDirectory | None = None,
    ) -> None:
        super().__init__(env, clock=clock)
        self.agencies = agencies  # whose names and folders the documents carry
        self.calendar = calendar
        self.policy = policy or HandlingPolicy()
        self.edges = edges or EdgePolicy()
        self._sealer = Sealer(env["CIPHER_KEY"])  # the platform's key, which sealed the applicant
        self.worklist = WorklistProjector(self.repository, worklist_view(self), calendar)
        self.answered = AnsweredProjector(self)
        self._similar = SimilarAnswered(self.answered.tables)

    @property
    def process_recorder(self) -> ProcessRecorder:
        return cast(ProcessRecorder, self.recorder)

    # --- handlers' use cases ------------------------------------------------------------------

    def similar_answered(self, ref: str, principal: Principal, n: int) -> list[Similar]:
        """类似申请曾答复: the agency's earlier requests most like the case, with what their
        replies released (services.handling.answered)."""
        return self._similar.most_alike(self.get_case(ref, principal), n)

    def get_case(self, ref: str, principal: Principal) -> Case:
        """A case of the caller's agency, by case id or application number."""
        principal.require_role(*STAFF)
        case = self._find(ref)
        principal.require_agency(case.agency_code)
        return case

    def change(
        self,
        ref: str,
        principal: Principal,
        expected_version: int,
        step: Callable[[Case], None],
        roles: tuple[Role, ...] = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD),
    ) -> Case:
        """Take one step on a case: check who may, that the caller saw the latest version if
        they say which, apply the step (which checks the law and the state), save. A concurrent
        change by someone else makes the save fail: Conflict (ABORTED), nothing written."""
        principal.require_role(*roles)
        case = self._find(ref)
        principal.require_agency(case.agency_code)
        if expected_version and case.version != expected_version:
            raise Conflict(
                f"已被他人修改：案件现为第{case.version}版，不是第{expected_version}版，请重新读取"
                f"（the case is at version {case.version}, not {expected_version}: read it again）"
            )
        step(case)
        self._check_dates_computable(case)
        try:
            self.save(case)
        except IntegrityError as e:
            raise Conflict(
                "案件同时被他人修改，请重新读取"
                "（the case changed at the same moment; read it again）"
            ) from e
        return case

    def _check_dates_computable(self, case: Case) -> None:
        """Work out every due date the step leaves before its event is saved: a step whose
        dates cannot be computed is refused, never saved to stop a reader later."""
        try:
            row_for(case, self.calendar)
        except (ValueError, OverflowError) as e:
            log.warning("step refused: due dates not computable", error=str(e)[:200])
            raise InvalidArgument(
                [FieldViolation("case", "这一步的期限无法计算（no due date can be computed)")]
            ) from e

    def applicant(
        self, ref: str, principal: Principal, call: str
    ) -> tuple[Case, common_pb2.Applicant, common_pb2.Delivery]:
        """Who the applicant is, for the agency's staff who must know (registrars, handlers, the
        office head); the reading is recorded first, so no reading goes unrecorded."""
        principal.require_role(*APPLICANT_READERS)
        case = self._find(ref)
        principal.require_agency(case.agency_code)
        applicant = self._opened(case, principal, call)
        delivery = common_pb2.Delivery(
            form=_enum_value(common_pb2.DeliveryForm, case.delivery_form),
            route=_enum_value(common_pb2.DeliveryRoute, case.delivery_route),
        )
        return case, applicant, delivery

    def find_by_applicant(
        self, principal: Principal, name: str, call: str
    ) -> list[tuple[Case, common_pb2.Applicant]]:
        """申请人查询: the cases of the caller's agency whose applicant's name holds `name`
        (spaces and full-width forms aside), oldest first, at most FOUND_AT_MOST. Each case
        found shows who applied, so each is an opening of applicant details, recorded like
        GetApplicant before anything is returned."""
        principal.require_role(*APPLICANT_READERS)
        wanted = _name_key(name)
        found: list[tuple[Case, common_pb2.Applicant]] = []
        for registered in self._events_of(_REGISTERED_TOPIC):
            if registered.agency_code != principal.agency_code:
                continue
            if not registered.sealed_applicant:
                continue
            applicant = self._open(registered.sealed_applicant)
            if wanted in _name_key(applicant.name):
                case = self.case(registered.originator_id)
                if case is not None:
                    found.append((case, applicant))
            if len(found) >= FOUND_AT_MOST:
                break
        if found:
            self.save(*[self._read(case, principal, call) for case, _ in found])
        return found

    def _read(self, case: Case, principal: Principal, call: str) -> ApplicantDetailsRead:
        return ApplicantDetailsRead(
            case_id=case.id,
            application_number=case.application_number,
            agency_code=case.agency_code,
            reader=principal.subject,
            roles=sorted(r.value for r in principal.roles),
            call=call,
        )

    def _open(self, sealed: str) -> common_pb2.Applicant:
        return common_pb2.Applicant.FromString(self._sealer.open(base64.b64decode(sealed)))

    def _events_of(self, topic: str) -> Iterator[Any]:
        """Every stored event of one topic, oldest first, read a page at a time."""
        start = 1
        while batch := self.recorder.select_notifications(start, READS_PAGE, topics=[topic]):
            for notification in batch:
                yield self.mapper.to_domain_event(notification)
            start = batch[-1].id + 1

    def _opened(self, case: Case, principal: Principal, call: str) -> common_pb2.Applicant:
        """The sealed applicant, opened; the reading is saved first, so none goes unrecorded."""
        if not case.sealed_applicant:
            raise NotFound(
                "此案件没有申请人信息（registered before applicant details reached handling）"
            )
        self.save(self._read(case, principal, call))
        return self._open(case.sealed_applicant)

    # --- documents (发文) ---------------------------------------------------------------------

    def case_record(self, case: Case) -> CaseRecord:
        """The case with everything recorded on it: what its documents are made of."""
        return CaseRecord(
            case, self.history(case.id), self.calendar, self.policy, self._case_at(case.id)
        )

    def _case_at(self, case_id: UUID) -> Callable[[int], Case]:
        def at(version: int) -> Case:
            return cast(Case, self.repository.get(case_id, version=version))

        return at

    def document_kinds(self, case: Case, history: list[Any]) -> list[DocumentKind]:
        return offered_kinds(case, history)

    def document_basis(
        self, ref: str, principal: Principal, kind: DocumentKind, replaces: str, call: str
    ) -> DocumentBasis:
        """A document of `kind` for the case, for its agency's registrars, handlers and office
        head: everything is checked before the applicant's name is opened (a reading the
        access log records, as `call`), so a refused call records nothing."""
        principal.require_role(*APPLICANT_READERS)
        case = self._find(ref)
        principal.require_agency(case.agency_code)
        agency = self.agency(case.agency_code)
        earlier = self.issued(case, replaces) if replaces.strip() else None
        if earlier is not None and earlier.kind is not kind:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "replaces",
                        "更正的须为同类文书（a correction replaces a document of its own kind）",
                    )
                ]
            )
        content = letter(kind, self.case_record(case), PLACEHOLDER)
        addressee = ADDRESSEES[kind]
        if kind is not DocumentKind.CONSULTATION_LETTER:  # every other names the applicant
            applicant = self._opened(case, principal, call)
            content = replace(content, recipient=applicant.name.strip())
        return DocumentBasis(
            case.id,
            agency,
            content,
            addressee,
            DocumentReference(number=earlier.number, dated=earlier.issued_on) if earlier else None,
        )

    def agency(self, code: str) -> Agency:
        found = self.agencies.get(code) if self.agencies is not None else None
        if found is None:
            raise PreconditionFailed(
                f"机关目录中没有{code}，无法出具文书（{code} is not in the agency directory）"
            )
        return found

    def issued(self, case: Case, number: str) -> IssuedDocument:
        """The document `number` issued on the case."""
        for document in case.documents:
            if document.number == number.strip():
                return document
        raise NotFound(f"此案件没有文书{number}（no document {number!r} on this case）")

    def number_sequence(self, agency_code: str, prefix: str, year: int) -> DocumentNumberSequence:
        sequence_id = DocumentNumberSequence.create_id(agency_code, prefix, year)
        try:
            return cast(DocumentNumberSequence, self.repository.get(sequence_id))
        except AggregateNotFoundError:
            return DocumentNumberSequence(agency_code, prefix, year)

    def record_issue(
        self, case_id: UUID, sequence: DocumentNumberSequence, document: IssuedDocument, by: str
    ) -> None:
        """The number taken and the document recorded on the case, in one save: a concurrent
        issue (the same sequence) or change (the same case) makes it fail with IntegrityError,
        and nothing is saved."""
        case = self.case(case_id)
        assert case is not None  # noqa: S101 - cases are never deleted
        case.record_document(document, by=by)
        taken = sequence.take()
        if taken != document.number:  # the sequence moved on since the document was rendered
            raise IntegrityError(f"{document.number} is no longer the next number ({taken})")
        self.save(sequence, case)

    def case_documents(self, ref: str, principal: Principal) -> Case:
        """A case whose documents the caller may list and read."""
        principal.require_role(*APPLICANT_READERS)
        case = self._find(ref)
        principal.require_agency(case.agency_code)
        return case

    def applicant_reads(self, principal: Principal, ref: str, since: date | None) -> list[Any]:
        """The access log of applicant details in the caller's agency, oldest first."""
        principal.require_role(Role.AUDITOR)
        case_id = self._find(ref).id if ref.strip() else None
        return [
            read
            for read in self._events_of(_READ_TOPIC)
            if read.agency_code == principal.agency_code
            and (case_id is None or read.case_id == case_id)
            and (since is None or china_date(read.timestamp) >= since)
        ]

    def list_worklist(
        self, principal: Principal, query: WorklistQuery, as_of: date | None
    ) -> tuple[date, list[WorklistItem]]:
        principal.require_role(*STAFF)
        principal.require_agency(query.agency_code)
        today = as_of or self.today()
        rows = self.worklist.view.open_rows(query)
        risk = self.policy.at_risk_working_days
        return today, [item_for(row, self.calendar, today, risk) for row in rows]

    def history(self, case_id: UUID) -> list[Any]:
        return list(self.events.get(case_id))

    def _find(self, ref: str) -> Case:
        ref = ref.strip()
        if not ref:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "case", "填写案件编号或申请编号（the case id or application number）"
                    )
                ]
            )
        try:
            case_id: UUID | None = UUID(ref)
        except ValueError:
            case_id = self.worklist.view.case_id(ref)
        case = self.case(case_id) if case_id else None
        if case is None:
            raise NotFound(f"没有案件 {ref}（no case {ref!r}）")
        return case

    def apply_intake_event(self, subject: str, data: bytes) -> None:
        """Apply one of intake's integration events, exactly once."""
        self.apply_message(UPSTREAM, _INTAKE_EVENTS, subject, data, self._effect)

    def apply_intake_events(self, deliveries: Sequence[Delivery]) -> None:
        """A batch of apply_intake_event, in one transaction."""
        self.apply_messages(UPSTREAM, _INTAKE_EVENTS, deliveries, self._effect)

    def case(self, case_id: UUID) -> Case | None:
        try:
            return cast(Case, self.repository.get(case_id))
        except AggregateNotFoundError:
            return None

    def _effect(self, message: Any) -> Case | None:
        application_id = UUID(message.metadata.aggregate_id)
        existing = self.case(application_id)
        if isinstance(message, events_pb2.ApplicationSubmitted):
            if existing is not None:
                return None
            return Case(
                application_id=application_id,
                application_number=message.application_number,
                agency_code=message.agency_code,
                receipt_date=event_date(message.receipt_date),
                applicant_category=CATEGORIES[message.applicant_category],
                description=message.information.description,
                applicant_key=message.applicant_key,
                sealed_applicant=base64.b64encode(message.sealed_applicant).decode(),
                delivery_form=common_pb2.DeliveryForm.Name(message.delivery.form),
                delivery_route=common_pb2.DeliveryRoute.Name(message.delivery.route),
                channel=channel.value if (channel := CHANNELS.get(message.channel)) else "",
            )
        if existing is None:
            log.warning("event for an unknown case", application_id=str(application_id))
            return None
        if isinstance(message, events_pb2.CorrectionSupplied):
            if existing.state is not CaseState.AWAITING_CORRECTION:
                log.info("correction kept on file; none was awaited", case=str(application_id))
                return None
            existing.receive_correction(
                event_date(message.receipt_date), message.information.description
            )
            return existing
        if isinstance(message, events_pb2.ReasonsSupplied):
            if existing.state is not CaseState.AWAITING_REASONS:
                log.info("reasons kept on file; none were awaited", case=str(application_id))
                return None
            existing.receive_reasons(event_date(message.receipt_date), message.reasons)
            return existing
        if existing.state not in OPEN_STATES:
            log.info("withdrawal after the reply; kept on file", case=str(application_id))
            return None
        existing.withdraw(event_date(message.withdrawal_date), message.reason)
        return existing
