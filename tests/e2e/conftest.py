"""The console's browser tests share one system for the session: intake, handling and archive
on SQLite with the console in front (starting them is the slow part). Each module still starts
its own browser: Playwright's sync API allows one at a time, and other modules use it too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.console_system import Console, console_process
from tests.integration.three_services import ThreeServices, three_services


@pytest.fixture(scope="session")
def shared_system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeServices]:
    with three_services("sqlite", request, tmp_path_factory.mktemp("console-sqlite")) as s:
        yield s


@pytest.fixture(scope="session")
def shared_console(
    shared_system: ThreeServices, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    with console_process(shared_system, tmp_path_factory.mktemp("console")) as c:
        yield c
