"""Running a service process: serve until SIGTERM or SIGINT, then shut down in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Protocol

import structlog

from ogi.config import Settings, load_settings
from ogi.logs import configure_logging
from ogi.persistence import prepare_database
from ogi.rpc import RpcServer

log = structlog.get_logger("ogi.process")


class Worker:
    """A long-running loop beside the gRPC server (relay, consumer, projection): it sleeps
    between polls, wakes early when told there is work, and stops after its current step."""

    def __init__(self) -> None:
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self) -> None:
        raise NotImplementedError

    def wake(self) -> None:
        """Look for work now rather than at the next poll. Safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wakeup.set)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    def started(self) -> None:
        """Call first in `run`: binds the worker to the running loop so `wake` can reach it."""
        self._loop = asyncio.get_running_loop()

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake early on `wake()` or `stop()`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()


class Store(Protocol):
    def close(self) -> None: ...


def prepared(service: str) -> Settings:
    """What every service process does first: read its OGI_* configuration, set up logging and
    make the place its database lives in."""
    settings = load_settings(service)
    configure_logging(service, os.environ.get("OGI_LOG_LEVEL", "INFO"))
    prepare_database(settings)
    return settings


def serve(store: Store, server: RpcServer, workers: list[Worker]) -> None:
    """Serve until signalled, then close the service's store."""
    try:
        asyncio.run(serve_until_signalled(server, workers))
    finally:
        store.close()


async def serve_until_signalled(server: RpcServer, workers: list[Worker], grace: float = 5) -> None:
    """Start the server and the workers (relay, consumers, projections); on a signal stop
    taking calls, let calls in flight finish, then stop the workers after their current step."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = await server.start()
    host = server.listen.rsplit(":", 1)[0]
    log.info("serving", address=f"{host}:{port}", services=server.service_names)
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    await stop.wait()
    log.info("shutting down", grace_seconds=grace)
    await server.stop(grace)
    for worker in workers:
        await worker.stop()
    if tasks:
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
            log.warning("worker did not stop in time; cancelled (it resumes from its position)")
    log.info("stopped")
