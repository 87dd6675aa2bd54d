"""Running a service process: serve until SIGTERM or SIGINT, then shut down in order."""

from __future__ import annotations

import asyncio
import signal

import structlog

from ogi.messaging.relay import Relay
from ogi.rpc import RpcServer

log = structlog.get_logger("ogi.process")


async def serve_until_signalled(server: RpcServer, relay: Relay | None, grace: float = 5) -> None:
    """Start the server and the relay; on a signal stop taking calls, let calls in flight finish,
    then stop the relay after its current publish."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = await server.start()
    host = server.listen.rsplit(":", 1)[0]
    log.info("serving", address=f"{host}:{port}", services=server.service_names)
    relay_task = asyncio.create_task(relay.run()) if relay else None
    await stop.wait()
    log.info("shutting down", grace_seconds=grace)
    await server.stop(grace)
    if relay and relay_task:
        await relay.stop()
        try:
            await asyncio.wait_for(relay_task, grace)
        except TimeoutError:
            log.warning("relay did not stop in time; cancelled (it resumes from its position)")
    log.info("stopped")
