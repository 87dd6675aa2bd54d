"""Query-code guessing slowed without locking out the rightful applicant (issue 19, item 3):
intake counts wrong codes per number and address and per address, in its database (SQLite and
PostgreSQL), by the address the portal forwards when the portal is a trusted proxy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import intake_pb2
from services.intake.clients import CLIENT_ADDRESS
from tests.builders import request
from tests.integration.conftest import StartIntake
from tests.integration.portal import PortalProcess

GUESSER = "203.0.113.7"  # documentation addresses: only ever strings here
APPLICANT = "198.51.100.9"


def status(intake: Any, number: str, code: str, address: str) -> Any:
    return intake.stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=code),
        metadata=((CLIENT_ADDRESS, address),),
    )


def refused(intake: Any, number: str, code: str, address: str) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        status(intake, number, code, address)
    return error.value


def test_a_guesser_is_refused_while_the_right_code_works_from_another_address(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake(OGI_TRUSTED_PROXIES="127.0.0.1")
    reply = intake.stub.SubmitApplication(request())
    number, code = reply.application_number, reply.query_code
    for _ in range(5):  # GuessPolicy.per_number
        assert refused(intake, number, "AAAA-BBBB-CCCC-DDDD", GUESSER).code() is (
            grpc.StatusCode.NOT_FOUND
        )
    slowed = refused(intake, number, code, GUESSER)  # even the right code, from there
    assert slowed.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "查询码错误次数过多，请约15分钟后再试" in (slowed.details() or "")
    assert status(intake, number, code, APPLICANT).application_number == number
    # Others behind the guesser's address (a NAT) still reach their own applications.
    other = intake.stub.SubmitApplication(request())
    assert status(intake, other.application_number, other.query_code, GUESSER).state


def test_a_guesser_sweeping_numbers_is_refused_for_every_number(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake(OGI_TRUSTED_PROXIES="127.0.0.1", OGI_GUESS_PER_ADDRESS="6")
    reply = intake.stub.SubmitApplication(request())
    for n in range(6):
        assert refused(intake, f"HZMZJ-2026-{900000 + n}", "WRONG", GUESSER).code() is (
            grpc.StatusCode.NOT_FOUND
        )
    slowed = refused(intake, reply.application_number, reply.query_code, GUESSER)
    assert slowed.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "后再试" in (slowed.details() or "")
    assert status(intake, reply.application_number, reply.query_code, APPLICANT).state


def test_an_address_forwarded_by_a_client_that_is_no_trusted_proxy_is_ignored(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    """Otherwise a guesser would name a new address with every guess."""
    nats_server.start()
    intake = start_intake()  # OGI_TRUSTED_PROXIES unset
    reply = intake.stub.SubmitApplication(request())
    number = reply.application_number
    for n in range(5):
        refused(intake, number, "WRONG", f"203.0.113.{n + 1}")
    slowed = refused(intake, number, reply.query_code, APPLICANT)
    assert slowed.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_the_portal_tells_a_guesser_how_long_to_wait_and_lets_the_applicant_in(
    start_intake: StartIntake, nats_server: LocalNatsServer, tmp_path: Path
) -> None:
    """Through the portal: it forwards each person's address (from X-Forwarded-For, which it
    believes from a proxy on 127.0.0.1) and intake, trusting the portal, counts by it."""
    nats_server.start()
    intake = start_intake(OGI_TRUSTED_PROXIES="127.0.0.1")
    portal = PortalProcess(intake.listen, tmp_path / "portal.log").start()
    try:
        reply = intake.stub.SubmitApplication(request())

        def look_up(code: str, address: str) -> httpx.Response:
            return httpx.post(
                f"{portal.url}/status",
                data={"number": reply.application_number, "code": code},
                headers={"X-Forwarded-For": address},
            )

        for _ in range(5):
            wrong = look_up("AAAA-BBBB-CCCC-DDDD", GUESSER)
            assert wrong.status_code == 404
            assert "申请编号或查询码不正确" in wrong.text
        slowed = look_up(reply.query_code, GUESSER)
        assert slowed.status_code == 429
        assert "查询码错误次数过多，请约15分钟后再试" in slowed.text
        assert "too many" not in slowed.text  # the Chinese only
        shown = look_up(reply.query_code, APPLICANT)
        assert shown.status_code == 200
        assert reply.application_number in shown.text
    finally:
        portal.stop()
