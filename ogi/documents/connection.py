"""A service process's way to the issued documents: one NATS connection to the object store
(ogi.documents.store), made at start and kept (nats-py reconnects by itself), and what a call
gets when a stored document cannot be served: DATA_LOSS for bytes that no longer match their
SHA-256, NOT_FOUND for bytes that are not there, UNAVAILABLE while NATS is away."""

from __future__ import annotations

import asyncio
import contextlib

import nats
import structlog

from ogi.documents.store import DocumentNotFound, DocumentStore, DocumentTampered
from ogi.errors import DataLoss, NotFound, Unavailable
from ogi.process import Worker

log = structlog.get_logger("ogi.documents")

TAMPERED = (
    "存储的文书与发文时的校验值（SHA-256）不符，已拒绝提供，请联系系统管理员"
    "（the stored document does not match the SHA-256 it was issued with: refused, not served;"
    " tell the operator）"
)
MISSING = "文书文件不在存储中（the document's file is not in the document store）"


class DocumentStoreConnection(Worker):
    """Connects at start, retrying with back-off until NATS answers, then keeps the connection
    (reconnecting for ever) until the process stops. A call waits up to `wait` seconds for it."""

    def __init__(self, nats_url: str, replicas: int = 1, *, wait: float = 5.0) -> None:
        super().__init__()
        self.nats_url = nats_url
        self.replicas = replicas
        self.wait = wait
        self._store: DocumentStore | None = None
        self._ready = asyncio.Event()

    async def run(self) -> None:
        self.started()
        backoff = 0.2
        while not self.stopping:
            try:
                nc = await nats.connect(
                    self.nats_url,
                    connect_timeout=2,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=_quiet,
                )
            except Exception as error:  # whatever stops the connection: wait and retry
                log.warning("document store unreachable", error=type(error).__name__)
                await self.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            try:
                self._store = await DocumentStore.open(nc.jetstream(), replicas=self.replicas)
                self._ready.set()
                log.info("document store connected")
                while not self.stopping:
                    await self.sleep(3600)
            except Exception as error:  # the bucket could not be opened: start again
                log.warning("document store not opened", error=type(error).__name__)
                await self.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self._ready.clear()
                self._store = None
                with contextlib.suppress(Exception):
                    await nc.close()

    async def store(self) -> DocumentStore:
        """The store, once connected; UNAVAILABLE if it is not within `wait` seconds."""
        if self._store is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), self.wait)
        if self._store is None:
            raise Unavailable()
        return self._store

    async def read(self, sha256: str) -> bytes:
        """The document stored under `sha256`, checked against it."""
        store = await self.store()
        try:
            return await store.get(sha256)
        except DocumentTampered as error:
            log.error("stored document does not match its hash", sha256=sha256)
            raise DataLoss(TAMPERED) from error
        except DocumentNotFound as error:
            log.error("issued document missing from the store", sha256=sha256)
            raise NotFound(MISSING) from error
        except ValueError as error:  # a key recorded on an event that is not a SHA-256
            raise DataLoss(TAMPERED) from error


async def _quiet(_error: Exception) -> None:
    """nats-py prints tracebacks by default; the connection's state is logged above."""
