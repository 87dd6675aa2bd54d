"""Documents on the wire: kinds, addressees and formats as the contracts number them, and the
IssuedDocument message every service passes on (handling issues, intake lists those addressed
to the applicant, archive indexes them)."""

from __future__ import annotations

from datetime import date

from ogi.documents.kinds import KIND_TERMS, Addressee, DocumentKind
from ogi.documents.render import DOCX, PDF
from ogi.v1 import common_pb2
from ogi.wire import date_to_wire, inverse

KIND_CODES = {
    DocumentKind.REGISTRATION_RECEIPT: common_pb2.DOCUMENT_KIND_REGISTRATION_RECEIPT,
    DocumentKind.CORRECTION_NOTICE: common_pb2.DOCUMENT_KIND_CORRECTION_NOTICE,
    DocumentKind.REASONS_NOTICE: common_pb2.DOCUMENT_KIND_REASONS_NOTICE,
    DocumentKind.DELAYED_REPLY_NOTICE: common_pb2.DOCUMENT_KIND_DELAYED_REPLY_NOTICE,
    DocumentKind.EXTENSION_NOTICE: common_pb2.DOCUMENT_KIND_EXTENSION_NOTICE,
    DocumentKind.CONSULTATION_LETTER: common_pb2.DOCUMENT_KIND_CONSULTATION_LETTER,
    DocumentKind.CONSULTATION_NOTICE: common_pb2.DOCUMENT_KIND_CONSULTATION_NOTICE,
    DocumentKind.FEE_NOTICE: common_pb2.DOCUMENT_KIND_FEE_NOTICE,
    DocumentKind.REVIEW_FORM: common_pb2.DOCUMENT_KIND_REVIEW_FORM,
    DocumentKind.REPLY: common_pb2.DOCUMENT_KIND_REPLY,
}
KINDS = inverse(KIND_CODES)
ADDRESSEE_CODES = {
    Addressee.APPLICANT: common_pb2.DOCUMENT_ADDRESSEE_APPLICANT,
    Addressee.CONSULTED_PARTY: common_pb2.DOCUMENT_ADDRESSEE_CONSULTED_PARTY,
    Addressee.ON_FILE: common_pb2.DOCUMENT_ADDRESSEE_ON_FILE,
}
ADDRESSEES = inverse(ADDRESSEE_CODES)
FORMATS = {
    common_pb2.DOCUMENT_FORMAT_UNSPECIFIED: ("pdf", PDF),
    common_pb2.DOCUMENT_FORMAT_PDF: ("pdf", PDF),
    common_pb2.DOCUMENT_FORMAT_DOCX: ("docx", DOCX),
}


def kind_name(kind: DocumentKind) -> str:
    """政府信息公开申请答复书 …"""
    return KIND_TERMS[kind].zh


def issued_document(
    kind: DocumentKind,
    number: str,
    issued_on: date,
    pdf_sha256: str,
    docx_sha256: str,
    replaces: str,
    addressee: Addressee,
) -> common_pb2.IssuedDocument:
    return common_pb2.IssuedDocument(
        kind=KIND_CODES[kind],
        kind_name=kind_name(kind),
        number=number,
        issued_on=date_to_wire(issued_on),
        pdf_sha256=pdf_sha256,
        docx_sha256=docx_sha256,
        replaces=replaces,
        addressee=ADDRESSEE_CODES[addressee],
    )


def file_name(number: str, extension: str) -> str:
    """菏民政公复〔2026〕12号.pdf: the number names the file (it holds no path separator)."""
    return f"{number}.{extension}".replace("/", "／")
