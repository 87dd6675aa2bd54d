"""What was stored never stops a reader (ogi.setaside): a stored event that handling's worklist or
its relay cannot apply (made to fail through the test seam OGI_FAULT_PROJECTION, as a NUL in a
description or a receipt date in 1800 made them fail in the fault drill) is set aside and
listed for the operator, every other case goes on, the case shows as needing attention, the
service restarts cleanly, and once the cause is fixed (the seam gone) the event is applied,
once. Real intake, handling and archive processes, a real nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import grpc
import pytest

from ogi.auth import Role
from ogi.cli.main import main as cli
from ogi.messaging.nats_server import LocalNatsServer
from ogi.setaside import FAULT_ENV
from ogi.taxonomy import ApplicantCategory
from ogi.v1 import archive_pb2 as a
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2, operations_pb2_grpc
from ogi.v1 import operations_pb2 as o
from services.handling.application import Handling
from services.handling.domain import Case
from services.intake.domain import application_id
from tests.builders import APPLICANT_NAME, PHONE, RESIDENT_ID, request
from tests.integration.conftest import (
    ServiceProcess,
    StartService,
    bearer,
    stream_messages,
    wait_for,
)

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
HEAD = bearer("HZMZJ", Role.OFFICE_HEAD, Role.HANDLER, subject="王主任")
OPERATOR = bearer("HZMZJ", Role.OPERATOR, subject="运维")
REGISTERED = "services.handling.domain:Case.Registered"


def operations(service: ServiceProcess) -> operations_pb2_grpc.OperationsServiceStub:
    assert service.channel is not None
    return operations_pb2_grpc.OperationsServiceStub(service.channel)


def set_aside(service: ServiceProcess, reader: str) -> list[o.SetAsideEvent]:
    listed = operations(service).ListSetAsideEvents(
        o.ListSetAsideEventsRequest(reader=reader), metadata=OPERATOR
    )
    assert sum(listed.counts.values()) == len(listed.events)  # the count to watch
    return list(listed.events)


def line(handling: ServiceProcess, number: str) -> h.WorklistItem | None:
    items = handling.handling.ListWorklist(h.ListWorklistRequest(), metadata=HANDLER).items
    return next((i for i in items if i.application_number == number), None)


def submitted(intake: ServiceProcess) -> tuple[intake_pb2.SubmitApplicationResponse, UUID]:
    """An application, and the id of its case (the application's id)."""
    sent = request()
    return intake.stub.SubmitApplication(sent), application_id(UUID(sent.request_id))


def test_a_case_the_worklist_cannot_apply_is_set_aside_and_applied_after_the_fix(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nats_server.start()
    intake = start_intake()
    first, _ = submitted(intake)
    wanted = request()
    bad_case = application_id(UUID(wanted.request_id))
    handling = start_handling(**{FAULT_ENV: f"worklist:{bad_case}"})
    bad = intake.stub.SubmitApplication(wanted).application_number
    later, _ = submitted(intake)

    # Every other case is projected, those after it too.
    for number in (first.application_number, later.application_number):
        wait_for(partial(line, handling, number), what=f"{number} on the worklist")
    # The case stays on the worklist, marked, without the dates it could not get.
    item = wait_for(lambda: line(handling, bad), what="the case needing attention")
    assert item.needs_attention
    assert (item.reply_due.year, item.description) == (0, "")
    assert not line(handling, first.application_number).needs_attention  # type: ignore[union-attr]
    case = handling.handling.GetCase(h.GetCaseRequest(case=bad), metadata=HANDLER).case
    assert (case.needs_attention, case.case_id) == (True, str(bad_case))
    # Its later events wait behind it.
    handling.handling.AcceptCase(h.AcceptCaseRequest(case=bad), metadata=HANDLER)

    aside = wait_for(lambda: len(set_aside(handling, "worklist")) == 2 and set_aside(handling, ""))
    assert [(e.reader, e.originator_id, e.held) for e in aside] == [
        ("worklist", str(bad_case), False),
        ("worklist", str(bad_case), True),
    ]
    assert (aside[0].topic, aside[0].error) == (
        REGISTERED,
        f"InjectedFault: {FAULT_ENV} for worklist",
    )
    assert set_aside(handling, "relay") == []
    with pytest.raises(grpc.RpcError) as refused:
        operations(handling).ListSetAsideEvents(o.ListSetAsideEventsRequest(), metadata=HEAD)
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    # One log line each, naming ids and why, nothing of the application.
    lines = [x for x in handling.log().splitlines() if '"event set aside"' in x]
    assert len(lines) == 2
    assert all(str(bad_case) in x and '"reader": "worklist"' in x for x in lines)
    for personal in (APPLICANT_NAME, RESIDENT_ID, PHONE, wanted.information.description):
        assert not any(personal in x for x in lines)

    # Not fixed yet: a retry leaves both aside; a restart is clean and still lists them.
    retried = operations(handling).RetrySetAsideEvents(
        o.RetrySetAsideEventsRequest(), metadata=OPERATOR
    )
    assert [(r.reader, r.applied, r.still_set_aside, r.done) for r in retried.readers] == [
        ("worklist", 0, 2, True),
        ("answered", 0, 0, True),
        ("relay", 0, 0, True),
    ]
    # The operator's command line says the same.
    token = ["--service", handling.listen, "--token", OPERATOR[0][1].removeprefix("Bearer ")]
    assert cli(["deadletters", "set-aside", *token]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == f"# {handling.listen}: answered 0, relay 0, worklist 2"
    assert [x.split("\t")[:3] for x in listed[1:]] == [
        ["worklist", f"#{e.notification_id}", str(bad_case)] for e in aside
    ]
    assert listed[2].endswith("(held behind an earlier one)")
    assert cli(["deadletters", "retry", "--reader", "worklist", *token]) == 0
    assert capsys.readouterr().out == f"{handling.listen}\tworklist\t0 applied, 2 still set aside\n"
    assert handling.terminate() == 0
    handling = start_handling(**{FAULT_ENV: f"worklist:{bad_case}"})
    assert [e.attempts for e in set_aside(handling, "worklist")] == [4, 1]  # and at start

    # The cause is fixed: restarted without it, the case is projected, whole, once.
    assert handling.terminate() == 0
    handling = start_handling()
    wait_for(lambda: set_aside(handling, "worklist") == [], what="the event applied")
    item = line(handling, bad)
    assert item is not None
    assert not item.needs_attention
    assert (item.state, item.description) == (
        h.CASE_STATE_IN_PROGRESS,
        "2025年城乡低保资金发放明细",
    )
    assert item.reply_due.year > 0
    assert not handling.handling.GetCase(
        h.GetCaseRequest(case=bad), metadata=HANDLER
    ).case.needs_attention
    numbers = [
        i.application_number
        for i in handling.handling.ListWorklist(h.ListWorklistRequest(), metadata=HANDLER).items
    ]
    assert Counter(numbers)[bad] == 1
    assert {first.application_number, later.application_number} <= set(numbers)


def stored_case(number: str, description: str) -> Case:
    return Case(
        application_id=uuid4(),
        application_number=number,
        agency_code="HZMZJ",
        receipt_date=date(2026, 3, 2),
        applicant_category=ApplicantCategory.NATURAL_PERSON,
        description=description,
    )


# PostgreSQL only: SQLite's text holds a NUL.
@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_stored_nul_the_worklist_cannot_take_is_set_aside_not_looped_on(
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
    backend: str,
) -> None:
    """The fault drill's value, stored as it was before the bounds at the API's edges: a NUL in
    a description, which PostgreSQL's text cannot hold (a DataError: the event's fault, not a
    database that is away). The projection looped on it for good; now it sets it aside."""
    nats_server.start()
    handling = start_handling()
    nul = stored_case("HZMZJ-2026-900001", "含\x00的描述")
    fine = stored_case("HZMZJ-2026-900002", "之后的申请")
    for case in (nul, fine):
        handling_view.save(case)

    wait_for(lambda: line(handling, fine.application_number), what="the case after it")
    [aside] = wait_for(lambda: set_aside(handling, "worklist"))
    assert (aside.originator_id, aside.error) == (
        str(nul.id),
        "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes",
    )
    item = line(handling, nul.application_number)
    assert item is not None
    assert (item.needs_attention, item.description) == (True, "")
    # Start-up is not stopped by it either.
    assert handling.terminate() == 0
    handling = start_handling()
    assert [e.attempts for e in set_aside(handling, "worklist")] == [2]


def dossier(archive: ServiceProcess, number: str) -> Any:
    try:
        return archive.archive.GetDossier(
            a.GetDossierRequest(dossier=number), metadata=HEAD
        ).dossier
    except grpc.RpcError as error:
        if error.code() is grpc.StatusCode.NOT_FOUND:
            return None
        raise


def notices(intake: ServiceProcess, receipt: intake_pb2.SubmitApplicationResponse) -> list[str]:
    status = intake.stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(
            application_number=receipt.application_number, query_code=receipt.query_code
        )
    )
    return [e.kind for e in status.history]


def test_an_event_the_relay_cannot_translate_is_set_aside_and_published_once_after_the_fix(
    start_intake: StartService,
    start_handling: StartService,
    start_archive: StartService,
    nats_server: LocalNatsServer,
) -> None:
    nats_server.start()
    intake, archive = start_intake(), start_archive()
    wanted = request()
    bad_case = application_id(UUID(wanted.request_id))
    handling = start_handling(**{FAULT_ENV: f"relay:{bad_case}"})
    bad = intake.stub.SubmitApplication(wanted)
    number = bad.application_number
    wait_for(lambda: line(handling, number), what="the case registered")
    correction = h.RequestCorrectionRequest(case=number, items=["写明文件名称或文号"])
    handling.handling.RequestCorrection(correction, metadata=HANDLER)  # waits behind it
    later, _ = submitted(intake)

    # The relay went on: archive files the case after it; the case itself waits.
    wait_for(lambda: dossier(archive, later.application_number), what="the later case filed")
    aside = wait_for(
        lambda: len(set_aside(handling, "relay")) == 2 and set_aside(handling, "relay")
    )
    assert [(e.originator_id, e.topic, e.held) for e in aside] == [
        (str(bad_case), REGISTERED, False),
        (str(bad_case), "services.handling.domain:Case.CorrectionRequested", True),
    ]
    assert aside[0].error == f"InjectedFault: {FAULT_ENV} for relay"
    assert dossier(archive, number) is None
    assert "CorrectionRequested" not in notices(intake, bad)
    # Handlers see it needs attention, though the worklist has it whole.
    assert line(handling, number).needs_attention  # type: ignore[union-attr]
    unsent = {f"handling:{e.notification_id}" for e in aside}
    assert not unsent & {m.msg_id for m in stream_messages(nats_server.url)}

    # Fixed: restarted without the fault, the relay publishes both, late and in order; archive
    # and intake apply each once.
    assert handling.terminate() == 0
    handling = start_handling()
    filed = wait_for(lambda: dossier(archive, number), what="the dossier after the fix")
    wait_for(
        lambda: [e.kind for e in dossier(archive, number).entries].count("correction_notice") == 1
    )
    assert filed.case_id == str(bad_case)
    wait_for(lambda: "CorrectionRequested" in notices(intake, bad), what="the applicant's notice")
    assert set_aside(handling, "relay") == []
    assert not line(handling, number).needs_attention  # type: ignore[union-attr]

    # Once: a second restart publishes nothing again; each message is on the stream once.
    assert handling.terminate() == 0
    handling = start_handling()
    ids = Counter(
        m.msg_id for m in stream_messages(nats_server.url) if m.msg_id.startswith("handling:")
    )
    assert unsent <= set(ids)
    assert set(ids.values()) == {1}
    assert [e.kind for e in dossier(archive, number).entries].count("correction_notice") == 1
    assert notices(intake, bad).count("CorrectionRequested") == 1
