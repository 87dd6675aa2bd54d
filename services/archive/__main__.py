"""The archive process: python -m services.archive (configuration from OGI_* variables)."""

from __future__ import annotations

import os

import grpc

from ogi.agencies import AgencyDirectory
from ogi.auth import Authenticator
from ogi.bounds import EdgePolicy
from ogi.leadership import leadership
from ogi.messaging.consumer import Consumer
from ogi.operations import OPERATIONS_SERVICE, add_operations
from ogi.persistence import event_store_env
from ogi.process import prepared, serve
from ogi.projection import ProjectionWorker
from ogi.rpc import RpcServer
from ogi.v1 import archive_pb2, archive_pb2_grpc
from services.archive.api import ArchiveServicer
from services.archive.application import Archive
from services.archive.conversion import ConversionPolicy
from services.archive.domain import RetentionPolicy

SERVICE = "archive"


def main() -> None:
    settings = prepared(SERVICE)
    auth = Authenticator.from_settings(settings)
    archive = Archive(
        event_store_env(settings),
        AgencyDirectory.from_file(settings.agencies_file),
        retention=RetentionPolicy.from_env(os.environ),
        conversion=ConversionPolicy.from_env(os.environ),
        edges=EdgePolicy.from_env(os.environ),
    )
    statistics = ProjectionWorker(archive, archive.statistics)
    # One event per transaction: each comparison sees the groups the previous one left.
    art44 = ProjectionWorker(archive, archive.art44, batch_size=1)
    consumer = Consumer(
        "archive-handling",
        "ogi.handling.>",
        archive.apply_handling_event,
        settings.stream,
        apply_batch=archive.apply_handling_events,
        leadership=leadership(settings, "consumer-archive-handling"),
    )
    suggestions = Consumer(
        "archive-intake",
        "ogi.intake.>",
        archive.apply_intake_event,
        settings.stream,
        apply_batch=archive.apply_intake_events,
        leadership=leadership(settings, "consumer-archive-intake"),
    )

    def saved() -> None:
        statistics.wake()
        art44.wake()

    archive.on_saved = saved

    def servicers(s: grpc.aio.Server) -> None:
        archive_pb2_grpc.add_ArchiveServiceServicer_to_server(ArchiveServicer(archive, auth), s)
        add_operations(s, [statistics, art44], auth)

    server = RpcServer(
        settings.listen,
        [archive_pb2.DESCRIPTOR.services_by_name["ArchiveService"].full_name, OPERATIONS_SERVICE],
        servicers,
    )
    serve(archive, server, [statistics, art44, consumer, suggestions])


if __name__ == "__main__":
    main()
