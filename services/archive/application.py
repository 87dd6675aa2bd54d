"""Archive use cases: handling's events go on file (each exactly once); remedies are recorded
against dossiers; the annual report is read from the statistics projection and can be locked
once published; conversion candidates are listed and decided."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from ogi.agencies import AgencyDirectory
from ogi.annual_report import TEXT_SECTIONS, Cell
from ogi.application import ServiceApplication
from ogi.auth import STAFF, Principal, Role
from ogi.bounds import EdgePolicy
from ogi.clock import Clock, system_clock
from ogi.errors import (
    Conflict,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from ogi.messaging.inbox import Delivery
from ogi.taxonomy import RemedyKind, RemedyResult
from ogi.textmatch.similarity import MatchPolicy
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import OUTCOMES, event_date
from services.archive.candidates import Art44Detector, CandidateView
from services.archive.conversion import Candidate, ConversionPolicy, Origin
from services.archive.counting import StatisticsProjector
from services.archive.domain import (
    VALUE_TYPES,
    Dossier,
    DossierNumber,
    Remedy,
    RetentionPolicy,
    dossier_number_id,
)
from services.archive.filing import MESSAGES, open_dossier, put_on_file
from services.archive.register import DocumentRegister, RegisterEntry, register_id
from services.archive.releases import Release, ReleasedItem
from services.archive.report_entries import ReportEntries, entries_id
from services.archive.statistics import ReportTable, annual_table, invariant_violations

log = structlog.get_logger("archive")

UPSTREAM = "handling"
INTAKE = "intake"  # what applicants send the agency directly: Art 44(2) suggestions
_INTAKE_MESSAGES: dict[str, Any] = {
    "ProactiveDisclosureSuggested": events_pb2.ProactiveDisclosureSuggested,
}
_STAFF = (Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD)
_FORMS = {
    common_pb2.RELEASE_FORM_ELECTRONIC_FILE: "electronic_file",
    common_pb2.RELEASE_FORM_PAPER: "paper",
    common_pb2.RELEASE_FORM_PUBLISHED_LINK: "published_link",
}


def release_of(dossier: Dossier, m: events_pb2.ApplicationAnswered) -> Release:
    """What the reply released, to the dossier's applicant."""
    return Release(
        dossier_id=dossier.id,
        agency_code=dossier.agency_code,
        application_number=dossier.application_number,
        applicant_key=dossier.applicant_key,
        receipt_date=dossier.receipt_date,
        replied_on=event_date(m.replied_on),
        outcome=OUTCOMES[m.outcome],
        items=tuple(
            ReleasedItem(i.title, i.document_number, _FORMS.get(i.form, ""), i.sha256, i.link)
            for i in m.released
        ),
    )


class PublishedReport(Aggregate):
    """年度报告 as published: its numbers and texts are frozen; later changes show as
    corrections. (Reports locked before the texts existed have none.)"""

    @event("Locked")
    def __init__(
        self,
        agency_code: str,
        year: int,
        roll_up: bool,
        cells: list[list[Any]],
        by: str,
        texts: dict[str, str] | None = None,
    ) -> None:
        self.agency_code = agency_code
        self.year = year
        self.roll_up = roll_up
        self.cells = {(s, line, c): int(n) for s, line, c, n in cells}
        self.locked_by = by
        self.texts = dict(texts or {})

    @staticmethod
    def create_id(agency_code: str, year: int, roll_up: bool, **_: object) -> UUID:
        return report_id(agency_code, year, roll_up)


def report_id(agency_code: str, year: int, roll_up: bool) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:report:{agency_code}:{year}:{'roll-up' if roll_up else ''}")


@dataclass(frozen=True)
class Correction:
    """A cell that changed after the year was locked: published value and the value now."""

    cell: tuple[str, str, str]
    published: int
    current: int


@dataclass(frozen=True)
class TextCorrection:
    """A section's text (一, 五, 六) that changed after the year was locked."""

    section: str
    published: str
    current: str


@dataclass(frozen=True)
class AnnualReport:
    agency_code: str
    year: int
    agencies: list[str]  # those counted: the agency, and its subtree for a roll-up
    table: ReportTable  # as published when locked, else as it stands
    violations: list[str]
    locked_at: datetime | None
    locked_by: str
    corrections: list[Correction]
    texts: dict[str, str] = field(default_factory=dict)  # the agency's own; as published if locked
    text_corrections: list[TextCorrection] = field(default_factory=list)


class Archive(ServiceApplication):
    """The long memory (归档)."""

    name = "archive"
    value_types = (*VALUE_TYPES, ReleasedItem)

    def __init__(
        self,
        env: dict[str, str],
        agencies: AgencyDirectory,
        *,
        retention: RetentionPolicy | None = None,
        conversion: ConversionPolicy | None = None,
        clock: Clock = system_clock,
        edges: EdgePolicy | None = None,
    ) -> None:
        super().__init__(env, clock=clock)
        self.agencies = agencies
        self.edges = edges or EdgePolicy()
        self.retention = retention or RetentionPolicy()
        self.statistics = StatisticsProjector(self)
        self.art44 = Art44Detector(self, conversion or ConversionPolicy(), MatchPolicy())

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        try:
            return super().save(*objs, **kwargs)
        except IntegrityError as e:
            raise Conflict(
                "同时被他人修改，请重新读取（changed at the same moment; read it again）"
            ) from e

    # --- from handling ------------------------------------------------------------------------

    def apply_handling_event(self, subject: str, data: bytes) -> None:
        """Put one of handling's integration events on file, exactly once."""
        self.apply_message(UPSTREAM, MESSAGES, subject, data, self._file)

    def apply_handling_events(self, deliveries: Sequence[Delivery]) -> None:
        """A batch of apply_handling_event, in one transaction."""
        self.apply_messages(UPSTREAM, MESSAGES, deliveries, self._file)

    def _file(self, message: Any) -> list[Aggregate]:
        existing = self._dossier(UUID(message.metadata.aggregate_id))
        if type(message).__name__ == "CaseRegistered":
            if existing:
                return []
            dossier = open_dossier(message)
            return [dossier, DossierNumber(dossier.application_number, dossier.id)]
        if existing is None:
            log.warning("event for an unknown dossier", case=message.case.application_number)
            return []
        register = None
        if type(message).__name__ == "ApplicationAnswered" and message.released:
            found = cast(DocumentRegister | None, self._get(register_id(existing.agency_code)))
            register = found.titles if found else {}
        if not put_on_file(existing, message, self.retention, register):
            return []
        if register is not None:  # the release record the Art 44 candidates are made of
            return [existing, release_of(existing, message)]
        return [existing]

    # --- dossiers and remedies ----------------------------------------------------------------

    def get_dossier(self, ref: str, principal: Principal) -> Dossier:
        principal.require_role(*STAFF)
        dossier = self._find(ref)
        principal.require_agency(dossier.agency_code)
        return dossier

    def file_remedy(
        self,
        ref: str,
        principal: Principal,
        kind: RemedyKind,
        filed_on: date,
        reference: str,
    ) -> tuple[Dossier, Remedy]:
        principal.require_role(*_STAFF)
        dossier = self._find(ref)
        principal.require_agency(dossier.agency_code)
        remedy = dossier.file_remedy(kind, filed_on, reference, self.retention)
        self.save(dossier)
        return dossier, remedy

    def decide_remedy(
        self, ref: str, principal: Principal, number: int, result: RemedyResult, decided_on: date
    ) -> tuple[Dossier, Remedy]:
        principal.require_role(*_STAFF)
        dossier = self._find(ref)
        principal.require_agency(dossier.agency_code)
        remedy = dossier.decide_remedy(number, result, decided_on)
        self.save(dossier)
        return dossier, remedy

    def _find(self, ref: str) -> Dossier:
        ref = ref.strip()
        if not ref:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "dossier", "填写案件编号或申请编号（the case id or application number）"
                    )
                ]
            )
        dossier_id: UUID | None
        try:
            dossier_id = UUID(ref)
        except ValueError:
            index = self._get(dossier_number_id(ref))
            dossier_id = cast(DossierNumber, index).dossier_id if index else None
        dossier = self._dossier(dossier_id) if dossier_id else None
        if dossier is None:
            raise NotFound(f"没有案卷 {ref}（no dossier {ref!r}）")
        return dossier

    def _dossier(self, dossier_id: UUID) -> Dossier | None:
        return cast(Dossier | None, self._get(dossier_id))

    def _get(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return cast(Aggregate, self.repository.get(aggregate_id))
        except AggregateNotFoundError:
            return None

    # --- the annual report --------------------------------------------------------------------

    def annual_report(
        self, principal: Principal, agency_code: str, year: int, roll_up: bool
    ) -> AnnualReport:
        principal.require_role(*STAFF)
        agencies = self._covered(principal, agency_code, roll_up)
        current = annual_table(self.statistics.tally(agencies, year), year)
        entries = self._entries(agency_code, year)
        texts = dict(entries.texts) if entries else {}  # a roll-up's texts are the parent's own
        published = self._published(agency_code, year, roll_up)
        if published is None:
            return AnnualReport(
                agency_code,
                year,
                agencies,
                current,
                invariant_violations(current),
                None,
                "",
                [],
                texts,
            )
        table = ReportTable(year, dict(published.cells))
        corrections = [
            Correction(cell, table.cells.get(cell, 0), n)
            for cell, n in sorted(current.cells.items())
            if table.cells.get(cell, 0) != n
        ]
        text_corrections = [
            TextCorrection(section, published.texts.get(section, ""), texts.get(section, ""))
            for section in TEXT_SECTIONS
            if published.texts.get(section, "") != texts.get(section, "")
        ]
        return AnnualReport(
            agency_code,
            year,
            agencies,
            table,
            invariant_violations(table) + invariant_violations(current),
            published.created_on,
            published.locked_by,
            corrections,
            dict(published.texts),
            text_corrections,
        )

    def lock_year(
        self, principal: Principal, agency_code: str, year: int, roll_up: bool
    ) -> AnnualReport:
        """Freeze the year's report as published (office head only)."""
        principal.require_role(Role.OFFICE_HEAD)
        report = self.annual_report(principal, agency_code, year, roll_up)
        if report.locked_at is not None:
            raise PreconditionFailed(
                f"{year}年度报告已于{report.locked_at:%Y-%m-%d}锁定"
                f"（{year} was locked on {report.locked_at:%Y-%m-%d}）"
            )
        if report.violations:
            raise PreconditionFailed("the report breaks its sums: " + "; ".join(report.violations))
        cells = [[*cell, n] for cell, n in sorted(report.table.cells.items())]
        self.save(
            PublishedReport(agency_code, year, roll_up, cells, principal.subject, report.texts)
        )
        return self.annual_report(principal, agency_code, year, roll_up)

    def record_report_text(
        self, principal: Principal, agency_code: str, year: int, section: str, text: str
    ) -> tuple[str, bool]:
        """The agency writes section 一, 五 or 六 of its report; the text as recorded, and
        whether it corrects a locked year."""
        locked = self._may_enter(principal, agency_code, year)
        entries = self._entries(agency_code, year) or ReportEntries(agency_code, year)
        if entries.record_text(section, text, by=principal.subject):
            self.save(entries)
        return entries.texts[section], locked

    def record_proactive_figures(
        self, principal: Principal, agency_code: str, year: int, figures: dict[Cell, int]
    ) -> tuple[dict[Cell, int], bool]:
        """The agency records section 二's figures given; all of them as they now stand, and
        whether this corrects a locked year."""
        locked = self._may_enter(principal, agency_code, year)
        entries = self._entries(agency_code, year) or ReportEntries(agency_code, year)
        if entries.record_figures(figures, by=principal.subject):
            self.save(entries)
        return dict(entries.figures), locked

    def _may_enter(self, principal: Principal, agency_code: str, year: int) -> bool:
        """A handler or the office head of the agency writes its report; once the year is
        locked (its own report or a roll-up over it), a change is a correction to a published
        document: the office head's, as the lock was. Whether it is locked."""
        principal.require_role(Role.HANDLER, Role.OFFICE_HEAD)
        if self.agencies.get(agency_code) is None:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "agency_code", f"没有机关 {agency_code}（no agency {agency_code!r}）"
                    )
                ]
            )
        principal.require_agency(agency_code)
        locked = any(self._published(agency_code, year, roll_up) for roll_up in (False, True))
        if locked and Role.OFFICE_HEAD not in principal.roles:
            raise PermissionDenied(
                f"{year}年度报告已锁定发布，更正须由工作机构负责人录入"
                f"（{year} is locked as published: the office head records corrections）"
            )
        return locked

    def _entries(self, agency_code: str, year: int) -> ReportEntries | None:
        return cast(ReportEntries | None, self._get(entries_id(agency_code, year)))

    def _published(self, agency_code: str, year: int, roll_up: bool) -> PublishedReport | None:
        try:
            return cast(PublishedReport, self.repository.get(report_id(agency_code, year, roll_up)))
        except AggregateNotFoundError:
            return None

    def _covered(self, principal: Principal, agency_code: str, roll_up: bool) -> list[str]:
        if self.agencies.get(agency_code) is None:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "agency_code", f"没有机关 {agency_code}（no agency {agency_code!r}）"
                    )
                ]
            )
        if not self.agencies.is_within(agency_code, principal.agency_code):
            raise PermissionDenied(
                f"{principal.agency_code}无权查看{agency_code}的年度报告"
                f"（{principal.agency_code} cannot read {agency_code}'s report）"
            )
        return self.agencies.subtree(agency_code) if roll_up else [agency_code]

    # --- Art 44 -------------------------------------------------------------------------------

    def list_candidates(self, principal: Principal, agency_code: str) -> list[CandidateView]:
        principal.require_role(*STAFF)
        principal.require_agency(agency_code)
        return self.art44.candidates(agency_code)

    def apply_intake_event(self, subject: str, data: bytes) -> None:
        """An applicant's suggestion of proactive disclosure (Art 44(2)), relayed by intake, is
        kept beside the candidates to be answered, exactly once."""
        self.apply_message(INTAKE, _INTAKE_MESSAGES, subject, data, self._suggested)

    def apply_intake_events(self, deliveries: Sequence[Delivery]) -> None:
        """A batch of apply_intake_event, in one transaction."""
        self.apply_messages(INTAKE, _INTAKE_MESSAGES, deliveries, self._suggested)

    def _suggested(self, m: Any) -> list[Aggregate]:
        key = f"suggestion:{m.metadata.aggregate_id}:{m.metadata.aggregate_version}"
        by = "申请人（the applicant）"
        on = event_date(m.suggested_on)
        return [Candidate(m.agency_code, key, Origin.SUGGESTED, m.subject, on, by)]

    def record_suggestion(
        self, principal: Principal, agency_code: str, subject: str, suggested_on: date
    ) -> UUID:
        """An applicant suggests making information proactive (Art 44(2)); it must be answered."""
        principal.require_role(*_STAFF)
        principal.require_agency(agency_code)
        if not subject.strip():
            raise InvalidArgument(
                [FieldViolation("subject", "写明建议公开的信息（which information is suggested）")]
            )
        candidate = Candidate(
            agency_code, str(uuid4()), Origin.SUGGESTED, subject, suggested_on, principal.subject
        )
        self.save(candidate)
        return candidate.id

    def record_documents(
        self, principal: Principal, agency_code: str, entries: list[RegisterEntry]
    ) -> int:
        """Add documents to the agency's register (发文目录); returns how many were new or
        changed. Requests archived before that name a new number are compared again (the
        detector regroups them)."""
        principal.require_role(*_STAFF)
        principal.require_agency(agency_code)
        register = cast(DocumentRegister | None, self._get(register_id(agency_code)))
        register = register or DocumentRegister(agency_code)
        recorded = register.record(entries, self.today(), by=principal.subject)
        if recorded:
            self.save(register)
        return recorded

    def decide_candidate(
        self,
        principal: Principal,
        agency_code: str,
        candidate: UUID,
        decide: Callable[[Candidate], None],
    ) -> Candidate:
        self._may_decide(principal, agency_code)
        return self._decided(self._candidate(agency_code, candidate), decide)

    def exclude_from_candidate(
        self,
        principal: Principal,
        agency_code: str,
        candidate: UUID,
        application_number: str,
        reason: str,
    ) -> Candidate:
        """A handler takes out an application that asks for other information (不是同一信息)."""
        self._may_decide(principal, agency_code)
        view = self._view(agency_code, candidate)
        dossier_id = next(
            (r.dossier_id for r in view.requests if r.application_number == application_number),
            None,
        )
        if dossier_id is None:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "application_number",
                        "不是该候选项中的申请（not one of the candidate's applications）",
                    )
                ]
            )
        on, by = self.today(), principal.subject
        return self._decided(
            self._candidate(agency_code, candidate, view),
            lambda c: c.exclude(dossier_id, application_number, reason, on, by=by),
        )

    def add_to_candidate(
        self,
        principal: Principal,
        agency_code: str,
        candidate: UUID,
        application_number: str,
        reason: str,
    ) -> Candidate:
        """A handler adds an application that asks for the same information (同一信息) and that
        nothing put in the candidate: any application of the agency, answered or not."""
        self._may_decide(principal, agency_code)
        view = self._view(agency_code, candidate)
        if application_number in {r.application_number for r in view.requests}:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "application_number",
                        "已是该候选项中的申请（already one of the candidate's applications）",
                    )
                ]
            )
        index = self._get(dossier_number_id(application_number))
        dossier = self._dossier(cast(DossierNumber, index).dossier_id) if index else None
        if dossier is None or dossier.agency_code != agency_code:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "application_number",
                        "本机关没有该申请（no application of the agency with this number）",
                    )
                ]
            )
        on, by = self.today(), principal.subject
        return self._decided(
            self._candidate(agency_code, candidate, view),
            lambda c: c.add(str(dossier.id), application_number, reason, on, by=by),
        )

    def merge_candidates(
        self, principal: Principal, agency_code: str, into: UUID, other: UUID, reason: str
    ) -> Candidate:
        """Two candidates are the same information: `other` becomes part of `into`, which keeps
        its id and decision; every later request of either is `into`'s."""
        self._may_decide(principal, agency_code)
        target = self._candidate(agency_code, into)
        merged = self._candidate(agency_code, other)
        target.merge(merged, reason, self.today(), by=principal.subject)
        self.save(target, merged)
        return target

    @staticmethod
    def _may_decide(principal: Principal, agency_code: str) -> None:
        principal.require_role(Role.HANDLER, Role.OFFICE_HEAD)
        principal.require_agency(agency_code)

    def _decided(self, candidate: Candidate, decide: Callable[[Candidate], None]) -> Candidate:
        decide(candidate)
        self.save(candidate)
        return candidate

    def _candidate(
        self, agency_code: str, cid: UUID, view: CandidateView | None = None
    ) -> Candidate:
        """The candidate's decisions so far; a detected group has none until its first."""
        if found := self._get(cid):
            return cast(Candidate, found)
        view = view or self._view(agency_code, cid)
        return Candidate(agency_code, view.key, view.origin, view.subject, self.today(), "detector")

    def _view(self, agency_code: str, cid: UUID) -> CandidateView:
        """A detected candidate as the detector shows it."""
        for view in self.art44.candidates(agency_code):
            if view.candidate_id == cid:
                return view
        raise NotFound(f"没有候选项 {cid}（no candidate {cid}）")
