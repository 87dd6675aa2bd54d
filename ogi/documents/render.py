"""Issue-ready files of a document: its content, number and date in, the canonical PDF and the
editable DOCX draft out, with their SHA-256 (the keys they are stored under)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ogi.agencies import Agency
from ogi.documents.compose import Composer
from ogi.documents.config import AgencyDocuments, DocumentsConfig
from ogi.documents.kinds import DocumentContent, DocumentKind, Issue
from ogi.documents.numbering import DocumentNumber
from ogi.documents.pdf import PdfRenderer
from ogi.documents.store import content_key
from ogi.documents.word import render_docx
from ogi.errors import InvalidArgument

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class RenderedDocument:
    kind: DocumentKind
    number: str
    pdf: bytes  # the document as issued: canonical, stored, served
    docx: bytes  # the editable draft, without the seal
    text: str  # its words, a line per block, as both files hold them

    @property
    def pdf_sha256(self) -> str:
        return content_key(self.pdf)

    @property
    def docx_sha256(self) -> str:
        return content_key(self.docx)


class DocumentEngine:
    """Renders every kind of document for every agency. Made once per process (fonts and
    templates are read once); safe to call from several threads."""

    def __init__(self, config: DocumentsConfig | None = None) -> None:
        self.config = config or DocumentsConfig()
        self._composer = Composer()
        self._pdf = PdfRenderer(self.config.font_dirs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> DocumentEngine:
        return cls(DocumentsConfig.from_env(environ))

    def settings(self, agency: Agency) -> AgencyDocuments:
        return self.config.for_agency(agency)

    def prefix(self, agency: Agency, kind: DocumentKind) -> str:
        """The number prefix `agency` gives `kind`: the sequence to take the number from."""
        return self.settings(agency).prefix(kind)

    def render(self, content: DocumentContent, issue: Issue, agency: Agency) -> RenderedDocument:
        """The PDF and DOCX of `content` issued by `agency` as `issue`. InvalidArgument when
        the content lacks what the law asks of its kind (content.violations())."""
        if violations := content.violations():
            raise InvalidArgument(violations)
        number = DocumentNumber.parse(issue.number)
        if number.year != issue.dated.year:
            raise ValueError(f"{issue.number} is not numbered in {issue.dated.year}")
        settings = self.settings(agency)
        composed = self._composer.compose(content, issue, settings)
        return RenderedDocument(
            kind=content.kind,
            number=issue.number,
            pdf=self._pdf.render(composed, settings, issue.dated),
            docx=render_docx(composed, settings, issue.dated),
            text=composed.text,
        )
