"""Reads that say how fresh they are (ogi.freshness): a write returns its position, a read asked
for it answers only once it reflects it — across services too — without polling."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.cli.calls import field_violations
from ogi.freshness import parse
from ogi.v1 import archive_pb2 as a
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from tests.builders import request
from tests.integration.conftest import bearer

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
AUDITOR = bearer("HZMZJ", Role.AUDITOR, subject="审计")


def test_a_read_given_a_writes_position_reflects_it_in_every_service(
    system_of_three: Any,
) -> None:
    intake, handling = system_of_three.intake.stub, system_of_three.handling.handling
    receipt = intake.SubmitApplication(request())
    assert parse(receipt.position)["intake"] > 0
    # No polling: the case exists as soon as handling has applied intake's event.
    case = handling.GetCase(
        h.GetCaseRequest(case=receipt.application_number, min_position=receipt.position),
        metadata=HANDLER,
        timeout=30,
    ).case
    assert parse(case.position)["intake"] >= parse(receipt.position)["intake"]
    listed = handling.ListWorklist(
        h.ListWorklistRequest(min_position=receipt.position), metadata=HANDLER, timeout=30
    )
    assert receipt.application_number in {item.application_number for item in listed.items}
    assert parse(listed.position)["intake"] >= parse(receipt.position)["intake"]

    # A step kept inside the agency (assignment is never published) still lets a read in
    # another service reflect it: the relay marks how far it read.
    assigned = handling.AssignCase(
        h.AssignCaseRequest(case=receipt.application_number, assignee="李四"), metadata=HANDLER
    ).case
    asked = handling.RequestCorrection(
        h.RequestCorrectionRequest(case=receipt.application_number, items=["写明文号"]),
        metadata=HANDLER,
    ).case
    for position, told in ((assigned.position, False), (asked.position, True)):
        status = intake.GetApplicationStatus(
            i.GetApplicationStatusRequest(
                application_number=receipt.application_number,
                query_code=receipt.query_code,
                min_position=position,
            ),
            timeout=30,
        )
        assert parse(status.position)["handling"] >= parse(position)["handling"]
        corrected = status.state == i.APPLICATION_STATE_CORRECTION_REQUESTED
        assert corrected or not told

    report = system_of_three.archive.archive.GetAnnualReport(
        a.GetAnnualReportRequest(agency_code="HZMZJ", year=2026, min_position=asked.position),
        metadata=AUDITOR,
        timeout=30,
    )
    assert parse(report.position)["archive"] >= 0


def test_a_position_not_reached_in_time_is_deadline_exceeded(system_of_three: Any) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        system_of_three.handling.handling.GetCase(
            h.GetCaseRequest(case="HZMZJ-2026-000001", min_position="intake:999999999"),
            metadata=HANDLER,
            timeout=1,
        )
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


@pytest.mark.parametrize("wrong", ["intake", "intake:-1", "intake:1;handling:2", "x" * 500])
def test_a_malformed_position_is_invalid_argument(system_of_three: Any, wrong: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        system_of_three.handling.handling.ListWorklist(
            h.ListWorklistRequest(min_position=wrong), metadata=HANDLER, timeout=10
        )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in field_violations(raised.value)] == ["min_position"]
