"""ArchiveService over gRPC: authenticates the caller and translates; the application and the
domain decide."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

import grpc

from ogi.auth import Authenticator, Principal
from ogi.bounds import DateWindow, check_date, check_text
from ogi.errors import FieldViolation, InvalidArgument
from ogi.freshness import Freshness
from ogi.v1 import archive_pb2 as pb
from ogi.v1 import archive_pb2_grpc
from ogi.wire import date_from_wire, raise_if, required
from services.archive.application import Archive
from services.archive.conversion import Candidate
from services.archive.register import RegisterEntry
from services.archive.report_entries import figure_violations
from services.archive.wire import (
    DECISION_CODES,
    REMEDY_KINDS,
    REMEDY_RESULTS,
    candidate_to_wire,
    dossier_to_wire,
    figures_from_wire,
    figures_to_wire,
    remedy_to_wire,
    report_to_wire,
)

_DECIDED = {k: v for k, v in REMEDY_RESULTS.items() if v.value != "pending"}
# Bounds of what staff type in (ogi.bounds).
MAX_REF = 100  # a dossier or application reference, an agency code
MAX_REFERENCE = 200  # a remedy's case reference (案号)
MAX_LINK = 2000
MAX_TEXT = 5000
MAX_DOCUMENT_NUMBER = 100
MAX_TITLE = 500


class ArchiveServicer(archive_pb2_grpc.ArchiveServiceServicer):
    def __init__(self, archive: Archive, auth: Authenticator) -> None:
        self.archive = archive
        self.auth = auth
        # Reads reflect archive's log and, as applied here, handling's (ogi.freshness).
        self.freshness = Freshness("archive", archive, ("handling",))

    async def GetDossier(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        _bounded([("dossier", request.dossier, MAX_REF)])
        position = await self.freshness.read(context, request.min_position)
        dossier = await asyncio.to_thread(self.archive.get_dossier, request.dossier, principal)
        return pb.GetDossierResponse(dossier=dossier_to_wire(dossier), position=position)

    async def RecordRemedy(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        kind = required(request.kind, REMEDY_KINDS, "kind", violations)
        filed_on = date_from_wire(request.filed_on, "filed_on", violations)
        if filed_on is None and not violations:
            violations.append(FieldViolation("filed_on", "必填（required）"))
        check_date(filed_on, "filed_on", self._step_dates(), violations)
        _bounded(
            [
                ("dossier", request.dossier, MAX_REF),
                ("reference", request.reference, MAX_REFERENCE),
            ],
            violations,
        )
        raise_if(violations)
        assert filed_on is not None  # noqa: S101 - checked above, for the type checker
        dossier, remedy = await asyncio.to_thread(
            self.archive.file_remedy, request.dossier, principal, kind, filed_on, request.reference
        )
        return pb.RecordRemedyResponse(
            dossier=dossier_to_wire(dossier), remedy=remedy_to_wire(remedy)
        )

    async def DecideRemedy(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        result = required(request.result, _DECIDED, "result", violations)
        decided_on = date_from_wire(request.decided_on, "decided_on", violations)
        check_date(decided_on, "decided_on", self._step_dates(), violations)
        _bounded([("dossier", request.dossier, MAX_REF)], violations)
        raise_if(violations)
        dossier, remedy = await asyncio.to_thread(
            self.archive.decide_remedy,
            request.dossier,
            principal,
            request.number,
            result,
            decided_on or self.archive.today(),
        )
        return pb.DecideRemedyResponse(
            dossier=dossier_to_wire(dossier), remedy=remedy_to_wire(remedy)
        )

    async def GetAnnualReport(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        year = _year(request.year)
        position = await self.freshness.read(
            context, request.min_position, self.archive.statistics.position
        )
        report = await asyncio.to_thread(
            self.archive.annual_report, principal, request.agency_code, year, request.roll_up
        )
        return pb.GetAnnualReportResponse(
            report=report_to_wire(report, self.archive.agencies), position=position
        )

    async def LockAnnualReport(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        year = _year(request.year)
        report = await asyncio.to_thread(
            self.archive.lock_year, principal, request.agency_code, year, request.roll_up
        )
        return pb.LockAnnualReportResponse(report=report_to_wire(report, self.archive.agencies))

    async def RecordAnnualReportText(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        year = _year(request.year)
        text, correction = await asyncio.to_thread(
            self.archive.record_report_text,
            principal,
            request.agency_code,
            year,
            request.section,
            request.text,
        )
        return pb.RecordAnnualReportTextResponse(
            section=request.section, text=text, correction=correction
        )

    async def RecordProactiveDisclosureFigures(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        year = _year(request.year)
        violations: list[FieldViolation] = []
        figures = figures_from_wire(request.figures, violations)
        raise_if(violations + figure_violations(figures))  # every wrong figure at once
        recorded, correction = await asyncio.to_thread(
            self.archive.record_proactive_figures, principal, request.agency_code, year, figures
        )
        return pb.RecordProactiveDisclosureFiguresResponse(
            figures=figures_to_wire(recorded), correction=correction
        )

    async def ListConversionCandidates(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        position = await self.freshness.read(
            context, request.min_position, self.archive.art44.position
        )
        views = await asyncio.to_thread(
            self.archive.list_candidates, principal, request.agency_code
        )
        return pb.ListConversionCandidatesResponse(
            candidates=[candidate_to_wire(v) for v in views], position=position
        )

    async def DecideConversionCandidate(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        candidate = _uuid(request.candidate_id, "candidate_id", violations)
        decided_on = date_from_wire(request.decided_on, "decided_on", violations)
        check_date(decided_on, "decided_on", self._step_dates(), violations)
        which = request.WhichOneof("decision")
        if which is None:
            violations.append(
                FieldViolation(
                    "decision",
                    "填写公开网址或不转为主动公开的理由（publication_link or decline_reason）",
                )
            )
        _bounded(
            [
                ("publication_link", request.publication_link, MAX_LINK),
                ("decline_reason", request.decline_reason, MAX_TEXT, False),
            ],
            violations,
        )
        raise_if(violations)
        on = decided_on or self.archive.today()
        by = principal.subject

        def decide(c: Candidate) -> None:
            if which == "publication_link":
                c.convert(request.publication_link, on, by=by)
            else:
                c.decline(request.decline_reason, on, by=by)

        decided = await asyncio.to_thread(
            self.archive.decide_candidate, principal, request.agency_code, candidate, decide
        )
        return pb.DecideConversionCandidateResponse(
            candidate_id=str(decided.id), decision=DECISION_CODES[decided.decision]
        )

    async def ExcludeFromConversionCandidate(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        candidate, number = self._correction(request)
        await asyncio.to_thread(
            self.archive.exclude_from_candidate,
            principal,
            request.agency_code,
            candidate,
            number,
            request.reason,
        )
        return pb.ExcludeFromConversionCandidateResponse(
            candidate_id=str(candidate), application_number=number
        )

    async def AddToConversionCandidate(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        candidate, number = self._correction(request)
        await asyncio.to_thread(
            self.archive.add_to_candidate,
            principal,
            request.agency_code,
            candidate,
            number,
            request.reason,
        )
        return pb.AddToConversionCandidateResponse(
            candidate_id=str(candidate), application_number=number
        )

    async def MergeConversionCandidates(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        into = _uuid(request.candidate_id, "candidate_id", violations)
        other = _uuid(request.other_candidate_id, "other_candidate_id", violations)
        check_text(request.reason, "reason", MAX_TEXT, violations, required=True)
        raise_if(violations)
        merged = await asyncio.to_thread(
            self.archive.merge_candidates,
            principal,
            request.agency_code,
            into,
            other,
            request.reason,
        )
        return pb.MergeConversionCandidatesResponse(candidate_id=str(merged.id))

    def _correction(self, request: Any) -> tuple[UUID, str]:
        """The candidate and the application of a correction, checked."""
        violations: list[FieldViolation] = []
        candidate = _uuid(request.candidate_id, "candidate_id", violations)
        if not request.application_number.strip():
            violations.append(
                FieldViolation("application_number", "填写申请编号（which application）")
            )
        _bounded(
            [
                ("application_number", request.application_number, MAX_REF),
                ("reason", request.reason, MAX_TEXT, False),
            ],
            violations,
        )
        raise_if(violations)
        return candidate, request.application_number.strip()

    async def RecordConversionSuggestion(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        suggested_on = date_from_wire(request.suggested_on, "suggested_on", violations)
        check_date(suggested_on, "suggested_on", self._step_dates(), violations)
        _bounded([("subject", request.subject, MAX_TITLE)], violations)
        raise_if(violations)
        cid = await asyncio.to_thread(
            self.archive.record_suggestion,
            principal,
            request.agency_code,
            request.subject,
            suggested_on or self.archive.today(),
        )
        return pb.RecordConversionSuggestionResponse(candidate_id=str(cid))

    async def RecordDocuments(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        principal = self._principal(context)
        violations: list[FieldViolation] = []
        for n, d in enumerate(request.documents):
            field = f"documents[{n}]"
            check_text(
                d.number, f"{field}.number", MAX_DOCUMENT_NUMBER, violations, single_line=True
            )
            check_text(d.title, f"{field}.title", MAX_TITLE, violations, single_line=True)
        raise_if(violations)
        entries = [RegisterEntry(d.number, d.title) for d in request.documents]
        recorded = await asyncio.to_thread(
            self.archive.record_documents, principal, request.agency_code, entries
        )
        return pb.RecordDocumentsResponse(recorded=recorded)

    def _principal(self, context: grpc.aio.ServicerContext) -> Principal:
        return self.auth.principal(context.invocation_metadata())

    def _step_dates(self) -> DateWindow:
        return self.archive.edges.step_dates(self.archive.today())


def _bounded(
    fields: list[tuple[str, str, int] | tuple[str, str, int, bool]],
    violations: list[FieldViolation] | None = None,
) -> None:
    """Check each (field, value, limit[, single line: default yes]) against ogi.bounds; raise
    at once when no `violations` list collects them."""
    found: list[FieldViolation] = [] if violations is None else violations
    for field, value, limit, *single in fields:
        check_text(value, field, limit, found, single_line=single[0] if single else True)
    if violations is None:
        raise_if(found)


def _year(year: int) -> int:
    """A report year: from 2008 (the first Regulation took effect on 2008-05-01) to next year."""
    last = date.today().year + 1
    if not 2008 <= year <= last:
        raise InvalidArgument(
            [FieldViolation("year", f"须为2008至{last}年（a report year from 2008 to {last})")]
        )
    return year


def _uuid(value: str, field: str, violations: list[FieldViolation]) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        violations.append(FieldViolation(field, "不是有效的编号（not an id）"))
        return UUID(int=0)
