"""The documents the agency addressed to the applicant (答复书, 告知书, 登记回执), as handling's
DocumentIssued events tell of them: listed on the application's status and downloadable with
the number and the query code. Documents to others (a consultation letter to a third party) or
kept on file (公开审查呈批单) never reach the applicant."""

from __future__ import annotations

from datetime import date

from ogi.documents.kinds import Addressee, DocumentKind
from ogi.documents.wire import ADDRESSEE_CODES, KIND_CODES, KINDS, kind_name
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import date_to_wire
from services.intake.domain import Application, Notice

ISSUED = "DocumentIssued"


def document_notice(m: events_pb2.DocumentIssued) -> Notice | None:
    """The notice of a document addressed to the applicant; None for any other."""
    document = m.document
    kind = KINDS.get(document.kind)
    if kind is None or document.addressee != ADDRESSEE_CODES[Addressee.APPLICANT]:
        return None
    day = document.issued_on
    return Notice(
        ISSUED,
        date(day.year, day.month, day.day) if day.year else None,
        document_kind=kind.value,
        document_number=document.number,
        pdf_sha256=document.pdf_sha256,
        replaces=document.replaces,
    )


def documents(application: Application) -> list[Notice]:
    """The documents addressed to the applicant, oldest first."""
    return [
        entry.notice
        for entry in application.history
        if entry.kind == ISSUED and entry.notice is not None
    ]


def document_to_wire(notice: Notice) -> common_pb2.IssuedDocument:
    """As the applicant sees it: kind, its name, number, date, what it corrects (no DOCX)."""
    kind = DocumentKind(notice.document_kind)
    return common_pb2.IssuedDocument(
        kind=KIND_CODES[kind],
        kind_name=kind_name(kind),
        number=notice.document_number,
        issued_on=date_to_wire(notice.issued_on),
        pdf_sha256=notice.pdf_sha256,
        replaces=notice.replaces,
        addressee=ADDRESSEE_CODES[Addressee.APPLICANT],
    )
