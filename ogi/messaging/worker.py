"""A long-running NATS worker (relay, consumer): connect, work, and on any failure reconnect with
back-off until stopped. NATS being down never stops the service around it."""

from __future__ import annotations

import contextlib
import os
import signal

import nats
import structlog
from nats.js import JetStreamContext

from ogi.messaging.stream import StreamSettings, ensure_stream
from ogi.process import Worker

log = structlog.get_logger("ogi.messaging")

FAULT_ENV = "OGI_FAULT_INJECTION"


def injected_fault(point: str) -> int | None:
    """Test seam: ``OGI_FAULT_INJECTION=<point>[:<n>]`` asks a worker to SIGKILL its own process
    at the named point on its n-th pass (default 1). Never set in production."""
    name, _, count = os.environ.get(FAULT_ENV, "").partition(":")
    return (int(count) if count else 1) if name == point else None


class FaultPoint:
    """Counts passes through a named point and kills the process on the chosen one."""

    def __init__(self, point: str) -> None:
        self.kill_on = injected_fault(point)
        self.passes = 0

    def passed(self, times: int = 1) -> None:
        """`times` passes at once (a batch of messages): killed if the chosen one is among them."""
        self.passes += times
        if self.kill_on is not None and self.passes - times < self.kill_on <= self.passes:
            os.kill(os.getpid(), signal.SIGKILL)


class NatsWorker(Worker):
    """Runs `work` against stream OGI, which it makes sure exists with the configured settings."""

    def __init__(self, stream: StreamSettings) -> None:
        super().__init__()
        self.stream = stream
        self.nats_url = stream.nats_url

    async def work(self, js: JetStreamContext) -> None:
        """Do the work until stopped; raise to be reconnected."""
        raise NotImplementedError

    async def run(self) -> None:
        self.started()
        backoff = 0.2
        while not self.stopping:
            try:
                # max_reconnect_attempts=0 makes nats-py retry forever; 1 fails fast.
                nc = await nats.connect(
                    self.nats_url,
                    connect_timeout=2,
                    max_reconnect_attempts=1,
                    allow_reconnect=False,
                    error_cb=_ignore_error,
                )
            except Exception as e:  # whatever stops the connection: wait and retry
                log.warning("nats unreachable", url=self.nats_url, error=type(e).__name__)
                await self.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            try:
                backoff = 0.2
                js = nc.jetstream()
                await ensure_stream(js, self.stream.replicas, self.stream.duplicate_window)
                await self.work(js)
            except Exception as e:  # a publish or fetch failed: reconnect, resume from position
                log.warning("nats work interrupted", error=type(e).__name__, detail=str(e))
                await self.sleep(backoff)
            finally:
                with contextlib.suppress(Exception):
                    await nc.close()


async def _ignore_error(_error: Exception) -> None:
    """nats-py prints tracebacks by default; workers log failures themselves, briefly."""
