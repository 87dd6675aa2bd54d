"""The intake process: python -m services.intake (configuration from OGI_* variables)."""

from __future__ import annotations

import os

import grpc

from ogi.agencies import AgencyDirectory
from ogi.auth import Authenticator
from ogi.bounds import EdgePolicy
from ogi.documents.connection import DocumentStoreConnection
from ogi.leadership import leadership
from ogi.messaging.consumer import Consumer
from ogi.messaging.outbox import EventSourcedOutbox
from ogi.messaging.relay import Relay
from ogi.messaging.stream import STREAM
from ogi.operations import OPERATIONS_SERVICE, add_operations
from ogi.persistence import event_store_env
from ogi.process import prepared, serve
from ogi.rpc import RpcServer
from ogi.sealing import Pseudonymizer, Sealer
from ogi.v1 import intake_pb2, intake_pb2_grpc
from services.intake.api import IntakeServicer
from services.intake.application import Intake
from services.intake.guesses import database_failure_log
from services.intake.integration import translator
from services.intake.throttle import GuessThrottle

SERVICE = "intake"


def main() -> None:
    settings = prepared(SERVICE)
    auth = Authenticator.from_settings(settings)
    intake = Intake(
        event_store_env(settings),
        AgencyDirectory.from_file(settings.agencies_file),
        edges=EdgePolicy.from_env(os.environ),
    )
    intake.throttle = GuessThrottle(log=database_failure_log(intake, settings.cipher_key))
    outbox = EventSourcedOutbox(
        intake,
        translator(Sealer(settings.cipher_key).seal, Pseudonymizer(settings.cipher_key).pseudonym),
        f"relay:{STREAM}",
    )
    relay = Relay(
        SERVICE,
        outbox,
        settings.stream,
        leadership(settings, "relay"),
        poll_interval=settings.relay_poll_seconds,
    )
    notices = Consumer(
        "intake-handling",
        "ogi.handling.>",
        intake.apply_handling_event,
        settings.stream,
        leadership=leadership(settings, "consumer-intake-handling"),
        apply_batch=intake.apply_handling_events,
    )
    intake.on_saved = relay.wake
    # What the applicant downloads: the documents handling issued, from the same object store.
    store = DocumentStoreConnection(settings.nats_url, settings.stream_replicas)

    def servicers(s: grpc.aio.Server) -> None:
        intake_pb2_grpc.add_IntakeServiceServicer_to_server(
            IntakeServicer(intake, auth, documents=store), s
        )
        add_operations(s, [relay], auth)

    server = RpcServer(
        settings.listen,
        [intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name, OPERATIONS_SERVICE],
        servicers,
    )
    serve(intake, server, [relay, notices, store])


if __name__ == "__main__":
    main()
