"""What the applicant hands in on paper after applying (issue 16, item 2): the registrar enters a
correction or a withdrawal with the day it was received (Art 31), and handling counts from that
day. Real intake and handling processes on a real nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.deadlines import REPLY_PERIOD, count_working_days
from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from ogi.workdays import WorkingDayCalendar
from tests.builders import request
from tests.integration.conftest import (
    REGISTRAR,
    Database,
    ServiceProcess,
    StartService,
    bearer,
    violations,
    wait_for,
)

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
OTHER_REGISTRAR = bearer("HZZRZYJ", Role.REGISTRAR, subject="赵六")
RECEIVED = date(2026, 3, 2)


def day(value: date) -> pb.CalendarDate:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


def as_date(value: pb.CalendarDate) -> date:
    return date(value.year, value.month, value.day)


@pytest.fixture
def services(
    start_intake: StartService, start_handling: StartService, nats_server: LocalNatsServer
) -> tuple[ServiceProcess, ServiceProcess]:
    nats_server.start()
    return start_intake(), start_handling()


def paper_application(intake: ServiceProcess, handling: ServiceProcess) -> str:
    number: str = paper_receipt(intake, handling).application_number
    return number


def paper_receipt(intake: ServiceProcess, handling: ServiceProcess) -> Any:
    paper = request(channel=pb.CHANNEL_IN_PERSON, receipt_date=day(RECEIVED))
    receipt = intake.stub.SubmitApplication(paper, metadata=REGISTRAR)
    number = receipt.application_number
    wait_for(lambda: case_of(handling, number), what=f"{number} registered")
    return receipt


def case_of(handling: ServiceProcess, number: str) -> Any:
    try:
        return handling.handling.GetCase(h.GetCaseRequest(case=number), metadata=HANDLER).case
    except grpc.RpcError as error:
        if error.code() is not grpc.StatusCode.NOT_FOUND:
            raise
        return None


def received(channel: pb.Channel.ValueType, on: date, transcribed_by: str = "") -> i.OfflineReceipt:
    return i.OfflineReceipt(channel=channel, receipt_date=day(on), transcribed_by=transcribed_by)


def test_a_correction_handed_in_at_the_counter_restarts_the_clock_from_that_day(
    services: tuple[ServiceProcess, ServiceProcess],
) -> None:
    intake, handling = services
    receipt = paper_receipt(intake, handling)
    number = receipt.application_number
    handling.handling.RequestCorrection(
        h.RequestCorrectionRequest(
            case=number, items=["写明文号"], notice_date=day(date(2026, 3, 5))
        ),
        metadata=HANDLER,
    )
    status = i.GetApplicationStatusRequest(application_number=number, query_code=receipt.query_code)
    wait_for(
        lambda: (
            intake.stub.GetApplicationStatus(status).state
            == i.APPLICATION_STATE_CORRECTION_REQUESTED
        ),
        what="the correction notice at intake",
    )
    with pytest.raises(grpc.RpcError) as before_notice:  # nothing answers a notice before it
        intake.stub.RecordCorrectionReceived(
            i.RecordCorrectionReceivedRequest(
                application_number=number,
                received=received(pb.CHANNEL_IN_PERSON, date(2026, 3, 4)),
                information=pb.InformationDescription(description="2025年第四季度低保发放明细"),
            ),
            metadata=REGISTRAR,
        )
    assert violations(before_notice.value) == ["received.receipt_date"]
    response = intake.stub.RecordCorrectionReceived(
        i.RecordCorrectionReceivedRequest(
            application_number=number,
            received=received(pb.CHANNEL_IN_PERSON, date(2026, 3, 10)),
            information=pb.InformationDescription(description="2025年第四季度低保发放明细"),
            note="当面递交",
        ),
        metadata=REGISTRAR,
    )
    assert as_date(response.receipt_date) == date(2026, 3, 10)
    corrected = wait_for(
        lambda: c if (c := case_of(handling, number)).state == h.CASE_STATE_REGISTERED else None,
        what="the correction in handling",
    )
    reply = next(d for d in corrected.deadlines if d.kind == h.DEADLINE_KIND_REPLY)
    expected = count_working_days(WorkingDayCalendar(), date(2026, 3, 10), "", REPLY_PERIOD)
    assert as_date(reply.due) == expected.due
    assert corrected.description == "2025年第四季度低保发放明细"


def test_a_withdrawal_by_post_concludes_the_case_on_the_day_it_was_received(
    services: tuple[ServiceProcess, ServiceProcess],
) -> None:
    intake, handling = services
    number = paper_application(intake, handling)
    response = intake.stub.RecordWithdrawalReceived(
        i.RecordWithdrawalReceivedRequest(
            application_number=number,
            received=received(pb.CHANNEL_POST_SIGNED, date(2026, 3, 6)),
            reason="已通过其他途径获得",
        ),
        metadata=REGISTRAR,
    )
    assert as_date(response.withdrawal_date) == date(2026, 3, 6)
    closed = wait_for(
        lambda: c if (c := case_of(handling, number)).state == h.CASE_STATE_CLOSED else None,
        what="the withdrawal in handling",
    )
    assert (closed.outcome, as_date(closed.concluded_on)) == (
        pb.OUTCOME_WITHDRAWN,
        date(2026, 3, 6),
    )


def test_only_the_agencys_registrar_enters_them_with_a_date_the_rules_allow(
    services: tuple[ServiceProcess, ServiceProcess], database: Database
) -> None:
    intake, handling = services
    number = paper_application(intake, handling)
    withdraw = partial(i.RecordWithdrawalReceivedRequest, application_number=number)
    rows = database.event_rows()

    def refused(req: Any, metadata: Any, code: grpc.StatusCode) -> grpc.RpcError:
        with pytest.raises(grpc.RpcError) as error:
            intake.stub.RecordWithdrawalReceived(req, metadata=metadata)
        assert error.value.code() is code, error.value.details()
        return error.value

    post = received(pb.CHANNEL_POST_SIGNED, date(2026, 3, 6))
    refused(withdraw(received=post), None, grpc.StatusCode.UNAUTHENTICATED)
    refused(withdraw(received=post), HANDLER, grpc.StatusCode.PERMISSION_DENIED)
    refused(withdraw(received=post), OTHER_REGISTRAR, grpc.StatusCode.PERMISSION_DENIED)
    bad = {
        "received.channel": received(pb.CHANNEL_ONLINE, date(2026, 3, 6)),
        "received.receipt_date": received(pb.CHANNEL_POST_SIGNED, date(2026, 3, 1)),
        "received.transcribed_by": received(pb.CHANNEL_ORAL, date(2026, 3, 6)),
    }
    for field, receipt in bad.items():
        error = refused(withdraw(received=receipt), REGISTRAR, grpc.StatusCode.INVALID_ARGUMENT)
        assert violations(error) == [field]
    future = received(pb.CHANNEL_POST_SIGNED, date(2099, 1, 1))
    error = refused(withdraw(received=future), REGISTRAR, grpc.StatusCode.INVALID_ARGUMENT)
    assert violations(error) == ["received.receipt_date"]
    # No correction was asked for: a correction cannot be entered.
    with pytest.raises(grpc.RpcError) as error_info:
        intake.stub.RecordCorrectionReceived(
            i.RecordCorrectionReceivedRequest(
                application_number=number,
                received=post,
                information=pb.InformationDescription(description="补充说明"),
            ),
            metadata=REGISTRAR,
        )
    assert error_info.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert database.event_rows() == rows
