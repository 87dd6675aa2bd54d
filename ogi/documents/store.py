"""Issued documents, stored by content (SHA-256) in the JetStream Object Store the stack already
runs (replicated with the NATS cluster in production, the local nats-server in embedded mode).

The key is the SHA-256 of the bytes, so a document stored once is never stored differently: a
second put of the same bytes writes nothing, and a read checks the bytes against the key and
refuses anything else (a tampered or damaged object) instead of serving it."""

from __future__ import annotations

import base64
import hashlib
import re

import nats.js.errors as js_errors
from nats.js import JetStreamContext
from nats.js.api import ObjectMeta, ObjectStoreConfig, StorageType
from nats.js.object_store import ObjectStore

BUCKET = "ogi-documents"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DocumentNotFound(Exception):
    """No stored document has this hash."""


class DocumentTampered(Exception):
    """The stored bytes are not the ones issued under this hash: they are refused, never served
    (a service reports it as DATA_LOSS)."""


def content_key(content: bytes) -> str:
    """The key of `content`: its SHA-256, lowercase hex."""
    return hashlib.sha256(content).hexdigest()


def check_key(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError("SHA-256须为64位小写十六进制（sha256 must be 64 lowercase hex digits）")
    return sha256


class DocumentStore:
    """The bucket of issued documents."""

    def __init__(self, objects: ObjectStore) -> None:
        self._objects = objects

    @classmethod
    async def open(
        cls, js: JetStreamContext, *, replicas: int = 1, bucket: str = BUCKET
    ) -> DocumentStore:
        """The bucket, created if missing; kept at `replicas` (a cluster grown from one server
        to three gets its documents on all three, as ogi.messaging.stream does for events)."""
        stream = f"OBJ_{bucket}"
        try:
            info = await js.stream_info(stream)
        except js_errors.NotFoundError:
            config = ObjectStoreConfig(
                description="ogi: issued documents by SHA-256",
                storage=StorageType.FILE,
                replicas=replicas,
            )
            return cls(await js.create_object_store(bucket, config=config))
        if info.config.num_replicas != replicas:
            info.config.num_replicas = replicas
            await js.update_stream(info.config)
        return cls(await js.object_store(bucket))

    async def put(self, content: bytes, media_type: str) -> str:
        """Store `content`; its SHA-256 (the key) back. Idempotent: bytes already stored intact
        are not written again."""
        key = content_key(content)
        try:
            info = await self._objects.get_info(key)
            if info.digest == _nats_digest(content) and info.size == len(content):
                return key
        except js_errors.ObjectNotFoundError:
            pass
        await self._objects.put(key, content, meta=ObjectMeta(name=key, description=media_type))
        return key

    async def get(self, sha256: str) -> bytes:
        """The document stored under `sha256`, checked against it."""
        key = check_key(sha256)
        try:
            result = await self._objects.get(key)
        except js_errors.ObjectNotFoundError as error:
            raise DocumentNotFound(key) from error
        except js_errors.DigestMismatchError as error:  # a chunk changed under the object
            raise DocumentTampered(key) from error
        content = bytes(result.data or b"")
        if content_key(content) != key:  # the object replaced by other bytes
            raise DocumentTampered(key)
        return content

    async def media_type(self, sha256: str) -> str:
        try:
            info = await self._objects.get_info(check_key(sha256))
        except js_errors.ObjectNotFoundError as error:
            raise DocumentNotFound(sha256) from error
        return info.description or ""


def _nats_digest(content: bytes) -> str:
    """How the object store writes a SHA-256 in its metadata."""
    return "SHA-256=" + base64.urlsafe_b64encode(hashlib.sha256(content).digest()).decode()
