"""Issued documents in the JetStream Object Store of a real nats-server: stored by SHA-256 once,
kept across a restart, and a tampered object is refused on read, never served."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import nats
import pytest
from nats.js import JetStreamContext

from ogi.documents.kinds import Issue
from ogi.documents.render import DOCX, PDF, DocumentEngine
from ogi.documents.store import (
    BUCKET,
    DocumentNotFound,
    DocumentStore,
    DocumentTampered,
    content_key,
)
from ogi.messaging.nats_server import LocalNatsServer
from ogi.taxonomy import Outcome
from tests.document_samples import AGENCY, DATED, REPLIES

T = TypeVar("T")
PDF_BYTES = b"%PDF-1.7 an issued reply"


def with_store(url: str, work: Callable[[DocumentStore, JetStreamContext], Awaitable[T]]) -> T:
    async def run() -> T:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            return await work(await DocumentStore.open(js), js)
        finally:
            await nc.close()

    return asyncio.run(run())


async def last_written(js: JetStreamContext) -> int:
    """The sequence number of the bucket's last write (a rewrite purges the old chunks, so the
    count of messages would not show it)."""
    return int((await js.stream_info(f"OBJ_{BUCKET}")).state.last_seq)


def test_a_rendered_document_round_trips_under_its_hash(nats_server: LocalNatsServer) -> None:
    nats_server.start()
    content = REPLIES[Outcome.R2].content
    document = DocumentEngine().render(
        content, Issue(number="菏民政公复〔2026〕1号", dated=DATED), AGENCY
    )

    async def work(store: DocumentStore, _: JetStreamContext) -> tuple[str, str, bytes, str]:
        pdf_key = await store.put(document.pdf, PDF)
        docx_key = await store.put(document.docx, DOCX)
        return pdf_key, docx_key, await store.get(pdf_key), await store.media_type(docx_key)

    pdf_key, docx_key, pdf, media_type = with_store(nats_server.url, work)
    assert (pdf_key, docx_key) == (document.pdf_sha256, document.docx_sha256)
    assert pdf == document.pdf
    assert media_type == DOCX


def test_storing_the_same_bytes_again_writes_nothing(nats_server: LocalNatsServer) -> None:
    nats_server.start()

    async def work(store: DocumentStore, js: JetStreamContext) -> tuple[str, str, int, int]:
        first = await store.put(PDF_BYTES, PDF)
        before = await last_written(js)
        again = await store.put(PDF_BYTES, PDF)
        return first, again, before, await last_written(js)

    first, again, before, after = with_store(nats_server.url, work)
    assert first == again == content_key(PDF_BYTES)
    assert after == before


def test_a_document_survives_a_restart_of_the_server(nats_server: LocalNatsServer) -> None:
    nats_server.start()

    async def put(store: DocumentStore, _: JetStreamContext) -> str:
        return await store.put(PDF_BYTES, PDF)

    key = with_store(nats_server.url, put)
    nats_server.stop()
    nats_server.start()

    async def get(store: DocumentStore, _: JetStreamContext) -> bytes:
        return await store.get(key)

    assert with_store(nats_server.url, get) == PDF_BYTES


def test_a_document_replaced_under_its_key_is_refused(nats_server: LocalNatsServer) -> None:
    nats_server.start()

    async def work(store: DocumentStore, js: JetStreamContext) -> str:
        key = await store.put(PDF_BYTES, PDF)
        # Someone with access to the bucket writes other bytes under the same name: the object
        # store's own checksum then matches the new bytes; only the key does not.
        await (await js.object_store(BUCKET)).put(key, b"%PDF-1.7 a forged reply")
        with pytest.raises(DocumentTampered):
            await store.get(key)
        await store.put(PDF_BYTES, PDF)  # storing the issued bytes again restores them
        return (await store.get(key)).decode()

    assert with_store(nats_server.url, work) == PDF_BYTES.decode()


def test_a_document_changed_in_the_stream_is_refused(nats_server: LocalNatsServer) -> None:
    nats_server.start()

    async def work(store: DocumentStore, js: JetStreamContext) -> None:
        key = await store.put(PDF_BYTES, PDF)
        info = await (await js.object_store(BUCKET)).get_info(key)
        await js.publish(f"$O.{BUCKET}.C.{info.nuid}", b" and a page slipped in")
        with pytest.raises(DocumentTampered):
            await store.get(key)

    with_store(nats_server.url, work)


def test_an_unknown_or_malformed_key(nats_server: LocalNatsServer) -> None:
    nats_server.start()

    async def work(store: DocumentStore, _: JetStreamContext) -> None:
        with pytest.raises(DocumentNotFound):
            await store.get(content_key(b"never stored"))
        with pytest.raises(ValueError, match="SHA-256"):
            await store.get("../etc/passwd")

    with_store(nats_server.url, work)
