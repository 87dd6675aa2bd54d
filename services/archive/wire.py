"""Archive's domain objects as ArchiveService messages."""

from __future__ import annotations

from ogi.agencies import AgencyDirectory
from ogi.annual_report import AMOUNT_YUAN, FIGURE_FIELDS, Cell, cell_text
from ogi.errors import FieldViolation
from ogi.taxonomy import RemedyKind, RemedyResult
from ogi.v1 import archive_pb2 as pb
from ogi.v1 import common_pb2
from ogi.wire import CATEGORY_CODES, GROUND_CODES, OUTCOME_CODES, date_to_wire, inverse, timestamp
from services.archive.application import AnnualReport
from services.archive.candidates import CandidateView, Request
from services.archive.conversion import Decision, Origin
from services.archive.domain import Dossier, Remedy
from services.archive.report_entries import NOT_AN_AMOUNT, yuan_from_wan_yuan

REMEDY_KINDS = {getattr(pb, f"REMEDY_KIND_{k.name}"): k for k in RemedyKind}
REMEDY_RESULTS = {getattr(pb, f"REMEDY_RESULT_{r.name}"): r for r in RemedyResult}
REMEDY_KIND_CODES = inverse(REMEDY_KINDS)
REMEDY_RESULT_CODES = inverse(REMEDY_RESULTS)
_ORIGINS = {o: getattr(pb, f"CANDIDATE_ORIGIN_{o.name}") for o in Origin}
DECISION_CODES = {d: getattr(pb, f"CANDIDATE_DECISION_{d.name}") for d in Decision}


def remedy_to_wire(remedy: Remedy) -> pb.Remedy:
    return pb.Remedy(
        number=remedy.number,
        kind=REMEDY_KIND_CODES[remedy.kind],
        filed_on=date_to_wire(remedy.filed_on),
        reference=remedy.reference,
        result=REMEDY_RESULT_CODES[remedy.result],
        decided_on=date_to_wire(remedy.decided_on),
    )


def dossier_to_wire(d: Dossier) -> pb.Dossier:
    conclusion = d.conclusion
    return pb.Dossier(
        case_id=str(d.id),
        application_number=d.application_number,
        agency_code=d.agency_code,
        receipt_date=date_to_wire(d.receipt_date),
        applicant_category=CATEGORY_CODES[d.applicant_category],
        description=d.description,
        archived=d.archived,
        archive_number=d.archive_number,
        outcome=OUTCOME_CODES[conclusion.outcome] if conclusion else common_pb2.OUTCOME_UNSPECIFIED,
        ground=(
            GROUND_CODES[conclusion.ground]
            if conclusion and conclusion.ground
            else common_pb2.NON_DISCLOSURE_GROUND_UNSPECIFIED
        ),
        report_row=conclusion.row.value if conclusion else "",
        concluded_on=date_to_wire(conclusion.concluded_on if conclusion else None),
        retention_years=d.retention_years,
        retention_until=date_to_wire(d.retention_until),
        entries=[
            pb.DossierEntry(kind=e.kind.value, on=date_to_wire(e.on), summary=e.summary)
            for e in d.index
        ],
        remedies=[remedy_to_wire(r) for r in d.remedies],
        version=d.version,
    )


def report_to_wire(report: AnnualReport, agencies: AgencyDirectory) -> pb.AnnualReport:
    agency = agencies.get(report.agency_code)
    wire = pb.AnnualReport(
        agency_code=report.agency_code,
        agency_name=agency.name if agency else "",
        year=report.year,
        agencies=report.agencies,
        cells=[
            pb.ReportCell(section=s, line=line, column=c, value=n)
            for (s, line, c), n in sorted(report.table.cells.items())
        ],
        invariant_violations=report.violations,
        locked=report.locked_at is not None,
        locked_by=report.locked_by,
        corrections=[
            pb.ReportCorrection(
                section=c.cell[0],
                line=c.cell[1],
                column=c.cell[2],
                published=c.published,
                current=c.current,
            )
            for c in report.corrections
        ],
    )
    if report.locked_at is not None:
        wire.locked_at.CopyFrom(timestamp(report.locked_at))
    wire.texts.extend(
        pb.ReportText(section=section, text=text) for section, text in report.texts.items()
    )
    wire.text_corrections.extend(
        pb.ReportTextCorrection(section=c.section, published=c.published, current=c.current)
        for c in report.text_corrections
    )
    return wire


def figures_from_wire(
    figures: pb.ProactiveDisclosureFigures, violations: list[FieldViolation]
) -> dict[Cell, int]:
    """Section 二's figures that are set; the amount in 万元 becomes 元."""
    found: dict[Cell, int] = {}
    for field, value in figures.ListFields():
        name, cell = field.name, FIGURE_FIELDS[field.name]
        if cell[2] != AMOUNT_YUAN:
            found[cell] = int(value)
        elif (yuan := yuan_from_wan_yuan(value)) is None:
            violations.append(FieldViolation(f"figures.{name}", NOT_AN_AMOUNT))
        else:
            found[cell] = yuan
    return found


def figures_to_wire(figures: dict[Cell, int]) -> pb.ProactiveDisclosureFigures:
    wire = pb.ProactiveDisclosureFigures()
    for name, cell in FIGURE_FIELDS.items():
        if cell in figures:
            n = figures[cell]
            setattr(wire, name, cell_text(cell, n) if cell[2] == AMOUNT_YUAN else n)
    return wire


def candidate_to_wire(view: CandidateView) -> pb.ConversionCandidate:
    numbers = {r.dossier_id: r.application_number for r in view.requests}
    return pb.ConversionCandidate(
        candidate_id=str(view.candidate_id),
        origin=_ORIGINS[view.origin],
        subject=view.subject,
        requests=[_request(r) for r in view.requests],
        evidence=[
            pb.CandidateEvidence(
                application_number=numbers.get(link.dossier_id, ""),
                matches_application_number=numbers.get(link.other_id, ""),
                signal=link.signal,
                evidence=link.evidence,
            )
            for link in view.evidence
        ],
        decision=DECISION_CODES[view.decision],
        link=view.link,
        reason=view.reason,
        decided_on=date_to_wire(view.decided_on),
        decided_by=view.decided_by,
        distinct_applicants=len({r.applicant_key for r in view.requests}),
        excluded=[
            pb.ExcludedApplication(
                application_number=x.what,
                reason=x.reason,
                excluded_on=date_to_wire(x.on),
                excluded_by=x.by,
            )
            for x in view.excluded
        ],
        released=[
            pb.ReleasedEvidence(
                application_number=r.application_number,
                replied_on=date_to_wire(r.replied_on),
                title=r.title,
                document_number=r.document_number,
                form=_FORM_CODES.get(r.form, common_pb2.RELEASE_FORM_UNSPECIFIED),
                sha256=r.sha256,
                link=r.link,
                same_by=r.same_by,
            )
            for r in view.released
        ],
        likely=[_request(r) for r in view.likely],
        added=[
            pb.AddedApplication(
                application_number=a.what,
                reason=a.reason,
                added_on=date_to_wire(a.on),
                added_by=a.by,
            )
            for a in view.added
        ],
        merged=[
            pb.MergedCandidate(
                candidate_id=m.what,
                reason=m.reason,
                merged_on=date_to_wire(m.on),
                merged_by=m.by,
            )
            for m in view.merged
        ],
    )


def _request(r: Request) -> pb.CandidateRequest:
    return pb.CandidateRequest(
        application_number=r.application_number,
        receipt_date=date_to_wire(r.receipt_date),
        description=r.description,
        applicant_key=r.applicant_key,
        open=r.open,
    )


_FORM_CODES = {
    "electronic_file": common_pb2.RELEASE_FORM_ELECTRONIC_FILE,
    "paper": common_pb2.RELEASE_FORM_PAPER,
    "published_link": common_pb2.RELEASE_FORM_PUBLISHED_LINK,
}
