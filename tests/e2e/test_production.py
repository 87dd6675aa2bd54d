"""`make run-prod`'s launcher: every service its own process on PostgreSQL (a schema each) and an
external NATS; an application submitted at intake reaches handling's worklist and archive."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import grpc
import psycopg
import pytest
from psycopg import sql

from ogi.auth import Role
from ogi.embedded import SERVICES
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.v1 import handling_pb2 as h
from ogi.v1 import handling_pb2_grpc, intake_pb2_grpc
from tests.builders import request
from tests.e2e.launcher import launch
from tests.integration.conftest import CIPHER_KEY, TOKEN_KEY, bearer, wait_for


@pytest.mark.postgres
def test_production_mode_runs_each_service_on_its_own_schema(
    postgres_url: str, tmp_path: Path
) -> None:
    nats = LocalNatsServer(tmp_path / "nats")
    nats.start()
    prefix = f"e2e_{uuid.uuid4().hex[:8]}_"
    listen = {service: f"127.0.0.1:{free_port()}" for service in SERVICES}
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
        | {
            "OGI_DATA_DIR": str(tmp_path / "data"),
            "OGI_DATABASE_URL": postgres_url,
            "OGI_SCHEMA_PREFIX": prefix,
            "OGI_NATS_URL": nats.url,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
        }
        | {f"OGI_{service.upper()}_LISTEN": address for service, address in listen.items()}
        | {
            "OGI_CONSOLE_LISTEN": f"127.0.0.1:{free_port()}",
            "OGI_PORTAL_LISTEN": f"127.0.0.1:{free_port()}",
        }
    )
    launcher, lines = launch("ogi.production", env)
    try:
        assert any(listen["intake"] in line for line in lines)
        with (
            grpc.insecure_channel(listen["intake"]) as intake_channel,
            grpc.insecure_channel(listen["handling"]) as handling_channel,
        ):
            reply = intake_pb2_grpc.IntakeServiceStub(intake_channel).SubmitApplication(request())
            handling = handling_pb2_grpc.HandlingServiceStub(handling_channel)
            handler = bearer("HZMZJ", Role.HANDLER)
            wait_for(
                lambda: [
                    i
                    for i in handling.ListWorklist(h.ListWorklistRequest(), metadata=handler).items
                    if i.application_number == reply.application_number
                ],
                what="the case on the worklist",
            )
        launcher.terminate()
        assert launcher.wait(30) == 0
        with psycopg.connect(postgres_url) as conn:
            schemas = {
                row[0]
                for row in conn.execute(
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                    [prefix + "%"],
                )
            }
        assert schemas == {prefix + service for service in SERVICES}
    finally:
        if launcher.poll() is None:
            launcher.kill()
        nats.stop()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            for service in SERVICES:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(prefix + service)
                    )
                )
