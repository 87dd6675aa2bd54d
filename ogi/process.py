"""Running a service process: serve until SIGTERM or SIGINT, then shut down in order."""

from __future__ import annotations

import asyncio
import signal

import structlog

from ogi.messaging.worker import NatsWorker
from ogi.rpc import RpcServer

log = structlog.get_logger("ogi.process")


async def serve_until_signalled(
    server: RpcServer, workers: list[NatsWorker], grace: float = 5
) -> None:
    """Start the server and the NATS workers (relay, consumers); on a signal stop taking calls,
    let calls in flight finish, then stop the workers after their current message."""
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
