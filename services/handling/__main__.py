"""The handling process: python -m services.handling (configuration from OGI_* variables)."""

from __future__ import annotations

import asyncio
import os

from ogi.config import load_settings
from ogi.logs import configure_logging
from ogi.messaging.consumer import Consumer
from ogi.persistence import event_store_env, prepare_database
from ogi.process import serve_until_signalled
from ogi.rpc import RpcServer
from ogi.workdays import WorkingDayCalendar
from services.handling.application import Handling

SERVICE = "handling"


def main() -> None:
    settings = load_settings(SERVICE)
    configure_logging(SERVICE, os.environ.get("OGI_LOG_LEVEL", "INFO"))
    prepare_database(settings)
    handling = Handling(
        event_store_env(settings), WorkingDayCalendar.from_file(settings.workdays_file)
    )
    consumer = Consumer(
        "handling-intake",
        "ogi.intake.>",
        handling.apply_intake_event,
        settings.nats_url,
        stream_replicas=settings.stream_replicas,
        duplicate_window=settings.duplicate_window_seconds,
    )
    # The HandlingService API arrives next; until then the server answers health checks.
    server = RpcServer(settings.listen, [], lambda _server: None)
    try:
        asyncio.run(serve_until_signalled(server, [consumer]))
    finally:
        handling.close()


if __name__ == "__main__":
    main()
