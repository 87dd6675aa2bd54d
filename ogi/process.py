"""Running a service process: serve until SIGTERM or SIGINT, then shut down in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import structlog

from ogi.config import Settings, load_settings
from ogi.logs import configure_logging
from ogi.persistence import database_probe, prepare_database
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


class DatabaseWatch(Worker):
    """Health follows the database (健康检查): NOT_SERVING for the server and each of its
    services while the event store's database does not answer, SERVING once it does again, so a
    load balancer sends calls elsewhere and whoever looks sees why. One log line each way."""

    def __init__(
        self,
        probe: Callable[[], None],
        server: RpcServer,
        interval: float = 0.5,
        timeout: float = 3.0,
    ) -> None:
        super().__init__()
        self.probe = probe
        self.server = server
        self.interval = interval
        self.timeout = timeout
        # Its own thread: a probe never queues behind calls waiting for the database.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="database-watch")
        self._probing: asyncio.Future[None] | None = None

    async def run(self) -> None:
        self.started()
        down_since: float | None = None
        try:
            while not self.stopping:
                failure = await self._failure()
                if failure is not None and down_since is None:
                    down_since = time.monotonic()
                    log.warning(
                        "database unreachable; health NOT_SERVING",
                        error=type(failure).__name__,
                        reason=str(failure)[:200],
                    )
                    await self.server.report_serving(False)
                elif failure is None and down_since is not None:
                    log.info(
                        "database reachable again; health SERVING",
                        unreachable_seconds=round(time.monotonic() - down_since, 1),
                    )
                    down_since = None
                    await self.server.report_serving(True)
                await self.sleep(self.interval)
        finally:
            self._thread.shutdown(wait=False, cancel_futures=True)

    async def _failure(self) -> BaseException | None:
        """Why the database did not answer within `timeout`, or None if it did. A probe still
        hanging from an earlier round is waited for rather than joined by another."""
        if self._probing is None or self._probing.done():
            if self._probing is not None and not self._probing.cancelled():
                self._probing.exception()  # retrieved: asyncio would report it as forgotten
            self._probing = asyncio.get_running_loop().run_in_executor(self._thread, self.probe)
        try:
            await asyncio.wait_for(asyncio.shield(self._probing), self.timeout)
        except Exception as error:  # any failure to answer is a database unreachable
            return error
        return None


class Store(Protocol):
    recorder: Any

    def close(self) -> None: ...


def prepared(service: str) -> Settings:
    """What every service process does first: read its OGI_* configuration, set up logging and
    make the place its database lives in."""
    settings = load_settings(service)
    configure_logging(service, os.environ.get("OGI_LOG_LEVEL", "INFO"))
    prepare_database(settings)
    return settings


def serve(store: Store, server: RpcServer, workers: list[Worker]) -> None:
    """Serve until signalled, then close the service's store. Health follows the store's
    database (DatabaseWatch)."""
    watch = DatabaseWatch(database_probe(store.recorder), server)
    try:
        asyncio.run(serve_until_signalled(server, [*workers, watch]))
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
