"""Intake, handling and archive as their own processes on one nats-server, shared by every test
of a module (starting them is the slow part): for tests that send many calls and check that the
whole system goes on afterwards."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ogi.messaging.nats_server import LocalNatsServer
from tests.integration.conftest import Database, ServiceProcess, _database, _starter


@dataclass
class ThreeServices:
    intake: ServiceProcess
    handling: ServiceProcess
    archive: ServiceProcess
    databases: dict[str, Database]
    nats: LocalNatsServer

    def event_rows(self) -> dict[str, int]:
        """Stored events of each service: a refused call adds none anywhere."""
        return {name: db.event_rows() for name, db in self.databases.items()}


@contextmanager
def three_services(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    env: Mapping[str, str] | None = None,
) -> Iterator[ThreeServices]:
    """The three services; `env` is added to each one's environment."""
    with ExitStack() as stack:
        nats = LocalNatsServer(tmp_path / "nats")
        stack.callback(nats.stop)
        nats.start()
        databases: dict[str, Database] = {}
        started: dict[str, ServiceProcess] = {}
        for service in ("intake", "handling", "archive"):
            databases[service] = stack.enter_context(
                contextmanager(_database)(service, backend, request, tmp_path)
            )
            start = stack.enter_context(
                contextmanager(_starter)(service, databases[service], nats, tmp_path)
            )
            started[service] = start(**(env or {}))
        yield ThreeServices(
            started["intake"], started["handling"], started["archive"], databases, nats
        )
