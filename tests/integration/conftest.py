"""Real parts: intake as its own process on a free port, a nats-server from the package, and the
event store on SQLite and on PostgreSQL (OGI_TEST_POSTGRES_URL, else a throwaway pgserver)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import nats
import psycopg
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from nats.js.errors import NotFoundError
from psycopg import sql

from ogi.auth import Principal, Role, mint_token
from ogi.config import load_settings, new_cipher_key
from ogi.embedded import wait_until_serving
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.messaging.relay import POSITION_MARK
from ogi.messaging.stream import STREAM
from ogi.persistence import event_store_env, prepare_database
from ogi.v1 import archive_pb2_grpc, handling_pb2_grpc, intake_pb2_grpc
from ogi.workdays import WorkingDayCalendar
from services.handling.application import UPSTREAM, Handling

CIPHER_KEY = new_cipher_key()
TOKEN_KEY = new_cipher_key()

Metadata = tuple[tuple[str, str], ...]


def bearer(agency: str, *roles: Role, subject: str = "张三") -> Metadata:
    """Call metadata with a token signed by the services' key."""
    principal = Principal(subject, agency, frozenset(roles))
    token = mint_token(TOKEN_KEY, principal, datetime.now(UTC), timedelta(hours=1))
    return (("authorization", f"Bearer {token}"),)


REGISTRAR = bearer("HZMZJ", Role.REGISTRAR, subject="登记员")


@dataclass
class Database:
    """Where a test's service keeps its events, and a look at it from outside."""

    url: str
    schema: str
    sqlite_path: Path | None = None
    service: str = "intake"

    def event_rows(self) -> int:
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path) as conn:
                return int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])
        with psycopg.connect(self.url) as conn:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(self.schema), sql.Identifier(f"{self.service}_events")
            )
            row = conn.execute(query).fetchone()
            return int(row[0]) if row else 0

    def raw_bytes(self) -> bytes:
        """Everything the database holds for intake, as bytes."""
        if self.sqlite_path:
            files = self.sqlite_path.parent.glob(self.sqlite_path.name + "*")
            return b"".join(f.read_bytes() for f in files)
        with psycopg.connect(self.url) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (self.schema,),
            ).fetchall()
            dumps = [
                conn.execute(
                    sql.SQL("SELECT t::text FROM {}.{} t").format(
                        sql.Identifier(self.schema), sql.Identifier(name)
                    )
                ).fetchall()
                for (name,) in tables
            ]
        assert tables, "no tables found: the check would be vacuous"
        return repr(dumps).encode()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _database(
    service: str, backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    if backend == "sqlite":
        path = tmp_path / f"{service}.sqlite"
        yield Database(f"sqlite:///{path}", service, path, service)
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"{service}_test_{uuid.uuid4().hex[:10]}"
    try:
        yield Database(url, schema, None, service)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Intake's store."""
    yield from _database("intake", backend, request, tmp_path)


@pytest.fixture
def handling_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    yield from _database("handling", backend, request, tmp_path)


@pytest.fixture
def archive_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    yield from _database("archive", backend, request, tmp_path)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[LocalNatsServer]:
    """A nats-server on a free port, not yet started: tests decide when it runs."""
    server = LocalNatsServer(tmp_path / "nats")
    yield server
    server.stop()


class ServiceProcess:
    """`python -m services.<service>` as a child process, as production runs it."""

    def __init__(self, module: str, env: dict[str, str], log_path: Path) -> None:
        self.module = module
        self.env = env
        self.listen = env["OGI_LISTEN"]
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None

    def start(self, *, wait: bool = True) -> ServiceProcess:
        """Launch; with `wait`, return once its health service reports SERVING."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module], env=self.env, stdout=log, stderr=log
        )
        if not wait:
            return self
        wait_until_serving(self.listen, timeout=30)
        self.channel = grpc.insecure_channel(self.listen)
        return self

    @property
    def stub(self) -> intake_pb2_grpc.IntakeServiceStub:
        assert self.channel is not None
        return intake_pb2_grpc.IntakeServiceStub(self.channel)

    @property
    def handling(self) -> handling_pb2_grpc.HandlingServiceStub:
        assert self.channel is not None
        return handling_pb2_grpc.HandlingServiceStub(self.channel)

    @property
    def archive(self) -> archive_pb2_grpc.ArchiveServiceStub:
        assert self.channel is not None
        return archive_pb2_grpc.ArchiveServiceStub(self.channel)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self._close_channel()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def terminate(self, timeout: float = 15) -> int:
        self._close_channel()
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def wait_exit(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _close_channel(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None


StartService = Callable[..., ServiceProcess]
StartIntake = StartService


def _starter(
    service: str, database: Database, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    """Starts processes of one service sharing one database and one listen port (a restart is
    the same service coming back); kills every one at the end."""
    started: list[ServiceProcess] = []
    listen = f"127.0.0.1:{free_port()}"

    def start(wait: bool = True, **extra_env: str) -> ServiceProcess:
        outside = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
        env = (
            outside
            | {
                "OGI_DATA_DIR": str(tmp_path / "data"),
                "OGI_DATABASE_URL": database.url,
                "OGI_DATABASE_SCHEMA": database.schema,
                "OGI_NATS_URL": nats_server.url,
                "OGI_CIPHER_KEY": CIPHER_KEY,
                "OGI_TOKEN_KEY": TOKEN_KEY,
                "OGI_LISTEN": listen,
                "OGI_LOG_LEVEL": "DEBUG",
            }
            | extra_env
        )
        # A second replica (its own OGI_LISTEN) logs to its own file.
        suffix = "" if env["OGI_LISTEN"] == listen else f"-{env['OGI_LISTEN'].rsplit(':', 1)[1]}"
        log_path = tmp_path / f"{service}{suffix}.log"
        process = ServiceProcess(f"services.{service}", env, log_path)
        started.append(process)  # before it starts: killed even if it never serves
        process.start(wait=wait)
        return process

    try:
        yield start
    finally:  # also when the test (or a start) failed: no process outlives its test
        for process in started:
            process.kill()


@pytest.fixture
def start_intake(
    database: Database, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    yield from _starter("intake", database, nats_server, tmp_path)


@pytest.fixture
def start_handling(
    handling_database: Database, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    yield from _starter("handling", handling_database, nats_server, tmp_path)


@pytest.fixture
def start_archive(
    archive_database: Database, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    yield from _starter("archive", archive_database, nats_server, tmp_path)


@dataclass(frozen=True)
class StreamMessage:
    subject: str
    msg_id: str
    data: bytes


def stream_messages(nats_url: str) -> list[StreamMessage]:
    """Every event on stream OGI, in stream order (the relays' position marks, which carry
    none, left out: ogi.messaging.relay)."""

    async def read() -> list[StreamMessage]:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            try:
                info = await js.stream_info(STREAM)
            except NotFoundError:
                return []
            messages: list[StreamMessage] = []
            if info.state.messages == 0:
                return messages
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                raw = await js.get_msg(STREAM, seq)
                if (raw.subject or "").endswith(f".{POSITION_MARK}"):
                    continue
                messages.append(
                    StreamMessage(
                        raw.subject or "",
                        (raw.headers or {}).get("Nats-Msg-Id", ""),
                        raw.data or b"",
                    )
                )
            return messages
        finally:
            await nc.close()

    return asyncio.run(read())


def violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None, "no rich status details"
    fields = []
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request)
        fields += [v.field for v in bad_request.field_violations]
    return fields


def wait_for(predicate: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


REGISTERED_TOPIC = "services.handling.domain:Case.Registered"


@pytest.fixture
def handling_view(handling_database: Database, tmp_path: Path) -> Handling:
    """Handling's store, opened from the test as the service itself opens it."""
    settings = load_settings(
        "handling",
        {
            "OGI_DATA_DIR": str(tmp_path / "view"),
            "OGI_DATABASE_URL": handling_database.url,
            "OGI_DATABASE_SCHEMA": handling_database.schema,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
        },
    )
    prepare_database(settings)
    return Handling(event_store_env(settings), WorkingDayCalendar())


def applied_upto(view: Handling) -> int:
    return view.process_recorder.max_tracking_id(UPSTREAM) or 0


def registrations(view: Handling) -> Counter[uuid.UUID]:
    notifications = view.recorder.select_notifications(1, 100_000, topics=[REGISTERED_TOPIC])
    return Counter(n.originator_id for n in notifications)  # type: ignore[misc]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def system_of_three(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """Intake, handling and archive on one nats-server, shared by the tests of a module
    (tests/integration/three_services.py), on each backend."""
    from tests.integration.three_services import three_services  # it imports this module

    with three_services(request.param, request, tmp_path_factory.mktemp(request.param)) as s:
        yield s
