"""Issue-ready files of a document: its content, number and date in, the canonical PDF and the
editable DOCX draft out, with their SHA-256 (the keys they are stored under)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from ogi.agencies import Agency
from ogi.documents.compose import Block, Composed, Composer
from ogi.documents.config import AgencyDocuments, DocumentsConfig
from ogi.documents.kinds import DocumentContent, DocumentKind, Issue, RegistrationReceipt
from ogi.documents.numbering import DocumentNumber, document_number
from ogi.documents.pdf import PdfRenderer
from ogi.documents.store import content_key
from ogi.documents.word import render_docx
from ogi.errors import InvalidArgument
from ogi.taxonomy import Channel

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a draft says at its top, in both files (the PDF is also watermarked where the layout can).
DRAFT_MARK = "草稿：未发文，文号以正式发文为准，不具效力（draft: not issued）"


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

    def check(self, agencies: Iterable[Agency]) -> None:
        """Each agency's settings, templates, layout and fonts are usable: DocumentConfigError
        naming the file and the key otherwise. A service checks at start, so a wrong remedies
        clause or template is found then, not when a handler issues a document."""
        for agency in agencies:
            settings = self.settings(agency)
            self._composer.check(settings)
            self._pdf.check(settings)

    def warm_up(self, agency: Agency) -> None:
        """Render a document once: the first render reads the fonts and compiles the layout."""
        today = date.today()
        content = RegistrationReceipt(
            recipient="预热",
            application_number="WARM-UP",
            receipt_date=today,
            channel=Channel.ONLINE,
            requested="预热",
        )
        number = document_number(self.prefix(agency, content.kind), today.year, 1)
        self.render(content, Issue(number=number, dated=today), agency, draft=True)

    def settings(self, agency: Agency) -> AgencyDocuments:
        return self.config.for_agency(agency)

    def prefix(self, agency: Agency, kind: DocumentKind) -> str:
        """The number prefix `agency` gives `kind`: the sequence to take the number from."""
        return self.settings(agency).prefix(kind)

    def render(
        self, content: DocumentContent, issue: Issue, agency: Agency, *, draft: bool = False
    ) -> RenderedDocument:
        """The PDF and DOCX of `content` issued by `agency` as `issue`. InvalidArgument when
        the content lacks what the law asks of its kind (content.violations()). A `draft` says
        so at its top (and across the page, in the shipped layout) and carries no seal."""
        if violations := content.violations():
            raise InvalidArgument(violations)
        number = DocumentNumber.parse(issue.number)
        if number.year != issue.dated.year:
            raise ValueError(f"{issue.number} is not numbered in {issue.dated.year}")
        settings = self.settings(agency)
        composed = self._composer.compose(content, issue, settings)
        if draft:
            settings = replace(settings, seal=None)
            composed = Composed(composed.title, (Block("note", DRAFT_MARK), *composed.blocks))
        return RenderedDocument(
            kind=content.kind,
            number=issue.number,
            pdf=self._pdf.render(composed, settings, issue.dated, draft=draft),
            docx=render_docx(composed, settings, issue.dated),
            text=composed.text,
        )
