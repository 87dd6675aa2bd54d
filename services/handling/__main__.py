"""The handling process: python -m services.handling (configuration from OGI_* variables)."""

from __future__ import annotations

import os

import structlog

from ogi.auth import Authenticator
from ogi.leadership import leadership
from ogi.messaging.consumer import Consumer
from ogi.messaging.outbox import EventSourcedOutbox
from ogi.messaging.relay import Relay
from ogi.messaging.stream import STREAM
from ogi.persistence import event_store_env
from ogi.process import prepared, serve
from ogi.projection import ProjectionWorker
from ogi.rpc import RpcServer
from ogi.v1 import handling_pb2, handling_pb2_grpc
from ogi.workdays import WorkingDayCalendar
from services.handling.api import HandlingServicer
from services.handling.application import Handling
from services.handling.domain import HandlingPolicy
from services.handling.integration import translator

SERVICE = "handling"
log = structlog.get_logger(SERVICE)


def main() -> None:
    settings = prepared(SERVICE)
    calendar = WorkingDayCalendar.from_file(settings.workdays_file)
    handling = Handling(event_store_env(settings), calendar, HandlingPolicy.from_env(os.environ))
    worklist = ProjectionWorker(handling, handling.worklist)
    worklist.catch_up()
    if refreshed := handling.worklist.refresh_stale():
        log.info("due dates recomputed with the loaded calendar", cases=refreshed)
    consumer = Consumer(
        "handling-intake",
        "ogi.intake.>",
        handling.apply_intake_event,
        settings.stream,
    )
    relay = Relay(
        SERVICE,
        EventSourcedOutbox(handling, translator(handling.repository, calendar), f"relay:{STREAM}"),
        settings.stream,
        leadership(settings, "relay"),
        poll_interval=settings.relay_poll_seconds,
    )

    def saved() -> None:
        worklist.wake()
        relay.wake()

    handling.on_saved = saved
    server = RpcServer(
        settings.listen,
        [handling_pb2.DESCRIPTOR.services_by_name["HandlingService"].full_name],
        lambda s: handling_pb2_grpc.add_HandlingServiceServicer_to_server(
            HandlingServicer(handling, Authenticator.from_settings(settings)), s
        ),
    )
    serve(handling, server, [worklist, consumer, relay])


if __name__ == "__main__":
    main()
