"""Leadership among replicas of a service: one of them does a job that must not run twice at once
(the relay publishing the outbox in order), the others stand by and take over when it dies.

On PostgreSQL the lock is a session advisory lock held by a connection of its own: when the
leader's process dies, its connection closes and the lock is free. In embedded mode (SQLite, one
machine) it is an flock on a file beside the database, released by the kernel the same way."""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from pathlib import Path
from typing import Protocol

import psycopg
import structlog

from ogi.config import Settings

log = structlog.get_logger("ogi.leadership")


class Leadership(Protocol):
    def acquire(self) -> bool:
        """Without waiting: True if this process holds the lock (already, or from now)."""
        ...

    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        # pg_advisory_lock takes a bigint; a stable hash of the name, the same in every replica.
        self.key = zlib.crc32(name.encode())
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def acquire(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:  # the connection, and with it the lock, is gone
                self.release()
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        except psycopg.Error as e:
            log.warning("leadership: database unreachable", lock=self.name, error=str(e))
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()
        if not (row and row[0]):
            conn.close()
            return False
        self._conn = conn
        log.info("leadership acquired", lock=self.name)
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()  # closing the session releases its advisory locks
            self._conn = None


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        log.info("leadership acquired", lock=str(self.path))
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def leadership(settings: Settings, job: str) -> Leadership:
    """The lock for `job` (e.g. "relay") among the replicas of settings.service."""
    name = f"ogi:{settings.database_schema}:{job}"
    if settings.uses_postgres:
        return PostgresLeadership(settings.database_url, name)
    database = settings.sqlite_path
    return FileLeadership(database.with_name(f"{database.name}.{job}.lock"))
