"""How long a service takes to come up on the province's store: `python -m services.<name>`
started as production starts it, timed until its gRPC health check answers SERVING.

The store is as a running province leaves it: projections caught up (the replay just did that)
and handling's relay having published every event (its position set to the last one), so the
figure is a restart's, not a first start's on an unpublished log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.replay import KEY
from ogi.embedded import wait_until_serving
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.messaging.outbox import EventSourcedOutbox
from ogi.messaging.stream import STREAM
from services.handling.integration import translator

SERVING_TIMEOUT = 900.0
SETTLE_SECONDS = 5.0  # serving for a while before its memory is read: background work starts


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), where /proc tells; 0 elsewhere."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return round(int(line.split()[1]) / 1024, 1)


def mark_published(handling: Any) -> int:
    """handling's relay position moved to the last event: everything was published already."""
    outbox = EventSourcedOutbox(
        handling, translator(handling.repository, handling.calendar), f"relay:{STREAM}"
    )
    last = handling.recorder.max_notification_id() or 0
    if (position := outbox.position()) < last:
        outbox.record(last, position)
    return int(last)


def startup(
    service: str, url: str, schema: str, agencies_file: Path, folder: Path, times: int = 2
) -> dict[str, list[float]]:
    """Seconds from starting `service` on the store to SERVING, `times` starts in a row, and
    its peak memory after serving a few seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    nats = LocalNatsServer(folder / "nats")
    nats.start()
    seconds, memory = [], []
    try:
        for _ in range(times):
            listen = f"127.0.0.1:{free_port()}"
            environment = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
            environment |= {
                "OGI_CIPHER_KEY": KEY,
                "OGI_TOKEN_KEY": KEY,
                "OGI_DATA_DIR": str(folder),
                "OGI_DATABASE_URL": url,
                "OGI_DATABASE_SCHEMA": schema,
                "OGI_AGENCIES_FILE": str(agencies_file),
                "OGI_NATS_URL": nats.url,
                "OGI_LISTEN": listen,
                "OGI_LOG_LEVEL": "WARNING",
            }
            with (folder / f"{service}.log").open("ab") as log:
                started = time.perf_counter()
                process = subprocess.Popen(  # noqa: S603 - our own module
                    [sys.executable, "-m", f"services.{service}"],
                    env=environment,
                    stdout=log,
                    stderr=log,
                )
                try:
                    wait_until_serving(listen, SERVING_TIMEOUT, process)
                    seconds.append(round(time.perf_counter() - started, 2))
                    time.sleep(SETTLE_SECONDS)
                    memory.append(peak_rss_mb(process.pid))
                finally:
                    process.terminate()
                    process.wait(60)
    finally:
        nats.stop()
    return {"seconds": seconds, "peak_rss_mb": memory}
