"""发文: a case's documents previewed, issued and read back (domain.md §9).

Issuing takes the next number of the agency's sequence for the kind's prefix and the year,
renders the PDF and the DOCX with it, stores both by SHA-256, then saves the number taken
together with the case's DocumentIssued event: one save, so a number is issued once or not at
all. Issues of one sequence take turns in this process; another replica that took the number
first makes the save fail, and the document is rendered again with the next one. A failed
attempt leaves only bytes nobody refers to."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

import structlog
from eventsourcing.persistence import IntegrityError

from ogi.auth import Principal
from ogi.documents.config import DocumentConfigError
from ogi.documents.connection import DocumentStoreConnection
from ogi.documents.kinds import DocumentKind, Issue
from ogi.documents.render import DOCX, PDF, DocumentEngine, RenderedDocument
from ogi.errors import Conflict, PreconditionFailed
from services.handling.application import DocumentBasis, Handling
from services.handling.domain import IssuedDocument

log = structlog.get_logger("handling.documents")

SERVICE = "ogi.v1.HandlingService"
MAX_ATTEMPTS = 20
CONFIG_BROKEN = (
    "本机关的文书模板或配置有误，暂不能出具，请联系系统管理员"
    "（the agency's document templates or settings are wrong: tell the operator）"
)


@dataclass(frozen=True)
class DocumentFile:
    document: IssuedDocument
    content: bytes
    extension: str  # pdf | docx
    media_type: str


class DocumentDesk:
    """The documents of every case of this process's handling."""

    def __init__(
        self, handling: Handling, engine: DocumentEngine, store: DocumentStoreConnection
    ) -> None:
        self.handling = handling
        self.engine = engine
        self.store = store
        self._turns: defaultdict[tuple[str, str, int], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def preview(
        self, principal: Principal, ref: str, kind: DocumentKind, replaces: str
    ) -> RenderedDocument:
        """A draft (草稿) with the number it would get now; nothing taken, nothing stored."""
        basis = await self._basis(principal, ref, kind, replaces, "PreviewDocument")
        prefix = self.engine.prefix(basis.agency, kind)
        today = self.handling.today()
        sequence = await asyncio.to_thread(
            self.handling.number_sequence, basis.agency.code, prefix, today.year
        )
        issue = Issue(number=sequence.next_number, dated=today, replaces=basis.replaces)
        return await self._render(basis, issue, draft=True)

    async def issue(
        self, principal: Principal, ref: str, kind: DocumentKind, replaces: str
    ) -> IssuedDocument:
        store = await self.store.store()  # before anything is opened: NATS may be away
        basis = await self._basis(principal, ref, kind, replaces, "IssueDocument")
        prefix = self.engine.prefix(basis.agency, kind)
        today = self.handling.today()
        turn = (basis.agency.code, prefix, today.year)
        async with self._turns[turn]:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                sequence = await asyncio.to_thread(self.handling.number_sequence, *turn)
                issue = Issue(number=sequence.next_number, dated=today, replaces=basis.replaces)
                rendered = await self._render(basis, issue)
                await store.put(rendered.pdf, PDF)
                await store.put(rendered.docx, DOCX)
                document = IssuedDocument(
                    kind=kind,
                    number=rendered.number,
                    issued_on=today,
                    pdf_sha256=rendered.pdf_sha256,
                    docx_sha256=rendered.docx_sha256,
                    addressee=basis.addressee,
                    replaces=basis.replaces.number if basis.replaces else "",
                )
                try:
                    await asyncio.to_thread(
                        self.handling.record_issue,
                        basis.case_id,
                        sequence,
                        document,
                        principal.subject,
                    )
                except IntegrityError:  # another replica took the number, or the case moved
                    log.info("document number taken meanwhile; again", attempt=attempt)
                    continue
                log.info("document issued", kind=kind.value, number=document.number)
                return document
        raise Conflict(
            "同时发文过多，请重试（too many documents issued at the same moment; retry）"
        )

    async def read(
        self, principal: Principal, ref: str, number: str, extension: str, media_type: str
    ) -> DocumentFile:
        """An issued document's file, checked against its SHA-256 (DATA_LOSS if it differs)."""
        case = await asyncio.to_thread(self.handling.case_documents, ref, principal)
        document = self.handling.issued(case, number)
        sha256 = document.pdf_sha256 if extension == "pdf" else document.docx_sha256
        content = await self.store.read(sha256)
        return DocumentFile(document, content, extension, media_type)

    async def _basis(
        self, principal: Principal, ref: str, kind: DocumentKind, replaces: str, method: str
    ) -> DocumentBasis:
        return await asyncio.to_thread(
            self.handling.document_basis, ref, principal, kind, replaces, f"{SERVICE}/{method}"
        )

    async def _render(
        self, basis: DocumentBasis, issue: Issue, *, draft: bool = False
    ) -> RenderedDocument:
        try:
            return await asyncio.to_thread(
                self.engine.render, basis.content, issue, basis.agency, draft=draft
            )
        except DocumentConfigError as error:
            log.error("document not rendered", agency=basis.agency.code, error=str(error)[:300])
            raise PreconditionFailed(CONFIG_BROKEN) from error
