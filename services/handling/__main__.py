"""The handling process: python -m services.handling (configuration from OGI_* variables)."""

from __future__ import annotations

import os
import sys
import threading

import grpc
import structlog

from ogi.agencies import Agency, AgencyDirectory
from ogi.auth import Authenticator
from ogi.bounds import EdgePolicy
from ogi.documents.config import DocumentConfigError
from ogi.documents.connection import DocumentStoreConnection
from ogi.documents.render import DocumentEngine
from ogi.leadership import leadership
from ogi.messaging.consumer import Consumer
from ogi.messaging.outbox import EventSourcedOutbox
from ogi.messaging.relay import Relay
from ogi.messaging.stream import STREAM
from ogi.operations import OPERATIONS_SERVICE, add_operations
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
from services.handling.issuing import DocumentDesk

SERVICE = "handling"
# Start-up catches the worklist up for at most this long, then serves while it goes on.
STARTUP_CATCH_UP_SECONDS = 60.0
log = structlog.get_logger(SERVICE)


def main() -> None:
    settings = prepared(SERVICE)
    auth = Authenticator.from_settings(settings)
    calendar = WorkingDayCalendar.from_file(settings.workdays_file)
    agencies = AgencyDirectory.from_file(settings.agencies_file)
    engine = document_engine(agencies)
    handling = Handling(
        event_store_env(settings),
        calendar,
        HandlingPolicy.from_env(os.environ),
        edges=EdgePolicy.from_env(os.environ),
        agencies=agencies,
    )
    worklist = ProjectionWorker(handling, handling.worklist)
    answered = ProjectionWorker(handling, handling.answered)  # 类似申请曾答复
    # Never blocks for good: what cannot be applied is set aside (ogi.setaside), and a database
    # that is away is waited for by the worker once serving, not here.
    worklist.catch_up(within=STARTUP_CATCH_UP_SECONDS)
    try:
        if refreshed := handling.worklist.refresh_stale():
            log.info("due dates recomputed with the loaded calendar", cases=refreshed)
    except Exception as error:  # the database is away: they are recomputed at the next start
        log.warning("due dates not recomputed at start", error=type(error).__name__)
    consumer = Consumer(
        "handling-intake",
        "ogi.intake.>",
        handling.apply_intake_event,
        settings.stream,
        leadership=leadership(settings, "consumer-handling-intake"),
        apply_batch=handling.apply_intake_events,
    )
    outbox = EventSourcedOutbox(
        handling, translator(handling.repository, calendar), f"relay:{STREAM}"
    )
    relay = Relay(
        SERVICE,
        outbox,
        settings.stream,
        leadership(settings, "relay"),
        poll_interval=settings.relay_poll_seconds,
    )

    def saved() -> None:
        worklist.wake()
        answered.wake()
        relay.wake()

    handling.on_saved = saved

    def needing_attention() -> set[str]:
        return handling.worklist.set_aside.originators() | outbox.set_aside.originators()

    store = DocumentStoreConnection(settings.nats_url, settings.stream_replicas)
    desk = DocumentDesk(handling, engine, store)

    def servicers(s: grpc.aio.Server) -> None:
        handling_pb2_grpc.add_HandlingServiceServicer_to_server(
            HandlingServicer(handling, auth, needing_attention, desk),
            s,
        )
        add_operations(s, [worklist, answered, relay], auth)

    server = RpcServer(
        settings.listen,
        [handling_pb2.DESCRIPTOR.services_by_name["HandlingService"].full_name, OPERATIONS_SERVICE],
        servicers,
    )
    serve(handling, server, [worklist, answered, consumer, relay, store])


def document_engine(agencies: AgencyDirectory) -> DocumentEngine:
    """The document engine, with every agency's settings, templates, layout and fonts checked
    ($OGI_DOCUMENTS_DIR). A wrong one stops the start: the legal office's remedies clause or a
    template printed wrong on a 答复书 is worse than a replica that does not come up (the old
    ones keep serving through a rolling update, and the log line names the file and the key).
    The first render (fonts, layout) is done in the background, not by the first handler."""
    try:
        engine = DocumentEngine.from_env(os.environ)
        engine.check(agencies)
    except DocumentConfigError as error:
        log.error("document settings unusable; not starting", error=str(error)[:500])
        sys.exit(2)
    if first := next(iter(agencies), None):
        threading.Thread(target=_warm_up, args=(engine, first), daemon=True).start()
    return engine


def _warm_up(engine: DocumentEngine, agency: Agency) -> None:
    try:
        engine.warm_up(agency)
    except Exception as error:  # a warm-up only: the first document pays instead
        log.warning("document engine not warmed up", error=type(error).__name__)


if __name__ == "__main__":
    main()
