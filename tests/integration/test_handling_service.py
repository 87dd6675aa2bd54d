"""Handlers work cases through HandlingService: real intake and handling processes, a real
nats-server, SQLite and PostgreSQL. The applicant sees the agency's notices through intake."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.config import load_settings
from ogi.messaging.nats_server import LocalNatsServer
from ogi.persistence import event_store_env
from ogi.projection import ProjectionWorker
from ogi.v1 import common_pb2 as pb
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2
from ogi.workdays import WorkingDayCalendar
from services.handling.application import Handling
from services.handling.worklist import WorklistQuery
from tests.builders import request
from tests.integration.conftest import (
    CIPHER_KEY,
    REGISTRAR,
    TOKEN_KEY,
    Database,
    Metadata,
    ServiceProcess,
    StartService,
    bearer,
    stream_messages,
    violations,
    wait_for,
)

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
OFFICE_HEAD = bearer("HZMZJ", Role.OFFICE_HEAD, subject="王主任")
OTHER_AGENCY = bearer("HZZRZYJ", Role.HANDLER, Role.OFFICE_HEAD, subject="赵六")


def day(value: date) -> pb.CalendarDate:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


def as_date(value: pb.CalendarDate) -> date:
    return date(value.year, value.month, value.day)


@dataclass
class System:
    intake: ServiceProcess
    handling: ServiceProcess
    nats: LocalNatsServer

    def submit(self, received: date | None = None) -> Any:
        """An application, online (received today) or entered by the registrar."""
        if received is None:
            return self.intake.stub.SubmitApplication(request())
        paper = request(channel=pb.CHANNEL_IN_PERSON, receipt_date=day(received))
        return self.intake.stub.SubmitApplication(paper, metadata=REGISTRAR)

    def worklist(self, metadata: Metadata = HANDLER, **query: Any) -> Any:
        return self.handling.handling.ListWorklist(
            h.ListWorklistRequest(**query), metadata=metadata
        )

    def registered(self, number: str) -> h.WorklistItem:
        """Waits until the case is on the worklist."""
        found = wait_for(
            lambda: [i for i in self.worklist().items if i.application_number == number],
            what=f"{number} on the worklist",
        )
        item: h.WorklistItem = found[0]
        return item

    def case(self, number: str, metadata: Metadata = HANDLER) -> Any:
        return self.handling.handling.GetCase(h.GetCaseRequest(case=number), metadata=metadata).case

    def status(self, receipt: intake_pb2.SubmitApplicationResponse) -> Any:
        return self.intake.stub.GetApplicationStatus(
            intake_pb2.GetApplicationStatusRequest(
                application_number=receipt.application_number, query_code=receipt.query_code
            )
        )

    def fee_noticed(self, **notice: Any) -> tuple[intake_pb2.SubmitApplicationResponse, Any]:
        """An application received on 2 March 2026, accepted, and given a fee notice on 5 March:
        its receipt and the case."""
        receipt = self.submit(date(2026, 3, 2))
        number = receipt.application_number
        self.registered(number)
        api = self.handling.handling
        api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
        request = h.IssueFeeNoticeRequest(case=number, notified_on=day(date(2026, 3, 5)), **notice)
        return receipt, api.IssueFeeNotice(request, metadata=HANDLER).case

    def status_shows(self, receipt: intake_pb2.SubmitApplicationResponse, kind: str) -> Any:
        def shown() -> Any:
            status = self.status(receipt)
            return status if any(e.kind == kind for e in status.history) else None

        return wait_for(shown, what=f"{kind} in the applicant's status")


@pytest.fixture
def system(
    start_intake: StartService, start_handling: StartService, nats_server: LocalNatsServer
) -> System:
    nats_server.start()
    return System(start_intake(), start_handling(), nats_server)


def refused(call: Any, code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() is code, error.value.details()
    return error.value


def test_the_whole_lifecycle_through_the_api(system: System) -> None:
    receipt = system.submit()
    number = receipt.application_number
    item = system.registered(number)
    assert item.state == h.CASE_STATE_REGISTERED
    assert as_date(item.reply_due) > as_date(receipt.receipt_date)
    api = system.handling.handling

    requested = api.RequestCorrection(
        h.RequestCorrectionRequest(case=number, items=["写明文件名称或文号", "写明年度"]),
        metadata=HANDLER,
    ).case
    assert requested.state == h.CASE_STATE_AWAITING_CORRECTION
    correction_due = next(d for d in requested.deadlines if d.kind == h.DEADLINE_KIND_CORRECTION)
    status = system.status_shows(receipt, "CorrectionRequested")
    notice = next(e for e in status.history if e.kind == "CorrectionRequested")
    assert status.state == intake_pb2.APPLICATION_STATE_CORRECTION_REQUESTED
    assert (list(notice.items), notice.due) == (
        ["写明文件名称或文号", "写明年度"],
        correction_due.due,
    )

    system.intake.stub.SupplyCorrection(
        intake_pb2.SupplyCorrectionRequest(
            application_number=number,
            query_code=receipt.query_code,
            information=pb.InformationDescription(
                description="2025年第四季度城乡低保资金发放明细",
                document_number="菏民发〔2025〕3号",
            ),
        )
    )
    corrected = wait_for(
        lambda: c if (c := system.case(number)).state == h.CASE_STATE_REGISTERED else None,
        what="the correction to reach the case",
    )
    assert "corrected application received (Art 30)" in corrected.deadlines[0].explanation[0]

    steps = [
        lambda: api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER),
        lambda: api.AssignCase(h.AssignCaseRequest(case=number, assignee="李四"), metadata=HANDLER),
        lambda: api.StartConsultation(
            h.StartConsultationRequest(case=number, party="某公司（第三方）"), metadata=HANDLER
        ),
        lambda: api.EndConsultation(
            h.EndConsultationRequest(case=number, opinion="不同意公开"), metadata=HANDLER
        ),
        lambda: api.ExtendReplyPeriod(
            h.ExtendReplyPeriodRequest(case=number, days=15), metadata=OFFICE_HEAD
        ),
        lambda: api.IssueFeeNotice(
            h.IssueFeeNoticeRequest(case=number, method=pb.FEE_METHOD_PER_PAGE, pages=2219),
            metadata=HANDLER,
        ),
        lambda: api.RecordFeePayment(h.RecordFeePaymentRequest(case=number), metadata=HANDLER),
        lambda: api.ReplyToApplication(
            h.ReplyToApplicationRequest(
                case=number,
                reply=h.Reply(
                    outcome=pb.OUTCOME_R3,
                    reasons="涉及第三方商业秘密",
                    ground=pb.NON_DISCLOSURE_GROUND_THIRD_PARTY,
                ),
            ),
            metadata=HANDLER,
        ),
        lambda: api.RecordService(
            h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_POST), metadata=HANDLER
        ),
    ]
    for step in steps:
        step()  # type: ignore[no-untyped-call]
    case = system.case(number)
    assert (case.state, case.outcome, case.fee_amount) == (
        h.CASE_STATE_CLOSED,
        pb.OUTCOME_R3,
        "83460",
    )
    assert case.extension_days == 15
    assert [(e.kind, e.actor) for e in case.history] == [
        ("Registered", ""),
        ("CorrectionRequested", "李四"),
        ("CorrectionReceived", ""),
        ("Accepted", "李四"),
        ("Assigned", "李四"),
        ("ConsultationStarted", "李四"),
        ("ConsultationEnded", "李四"),
        ("Extended", "王主任"),
        ("FeeNoticeIssued", "李四"),
        ("FeePaid", "李四"),
        ("Replied", "李四"),
        ("Served", "李四"),
    ]
    wait_for(
        lambda: not [i for i in system.worklist().items if i.application_number == number],
        what="the closed case to leave the worklist",
    )
    status = system.status_shows(receipt, "ReplyServed")
    assert status.state == intake_pb2.APPLICATION_STATE_ANSWERED
    kinds = [e.kind for e in status.history]
    for kind in ("ReplyPeriodExtended", "FeeNoticeIssued", "ApplicationAnswered"):
        assert kind in kinds
    answer = next(e for e in status.history if e.kind == "ApplicationAnswered")
    assert answer.outcome == pb.OUTCOME_R3
    assert "涉及第三方商业秘密" in answer.details
    fee = next(e for e in status.history if e.kind == "FeeNoticeIssued")
    assert fee.amount == "83460"


def test_due_dates_through_the_api(system: System) -> None:
    """National Day with its make-up days; a consultation pause; an Art 35 date."""
    national_day = system.submit(date(2025, 9, 26)).application_number
    item = system.registered(national_day)
    assert as_date(item.reply_due) == date(2025, 10, 30)
    reply = system.case(national_day).deadlines[0]
    assert reply.kind == h.DEADLINE_KIND_REPLY
    assert not reply.provisional
    assert any("calendar: chinesecalendar" in line for line in reply.explanation)
    assert item.overdue
    assert item.working_days_left < 0

    api = system.handling.handling
    paused = system.submit(date(2026, 3, 2)).application_number
    system.registered(paused)
    api.AcceptCase(h.AcceptCaseRequest(case=paused), metadata=HANDLER)
    api.StartConsultation(
        h.StartConsultationRequest(case=paused, party="某公司", sent_on=day(date(2026, 3, 6))),
        metadata=HANDLER,
    )
    case = api.EndConsultation(
        h.EndConsultationRequest(case=paused, received_on=day(date(2026, 3, 13))),
        metadata=HANDLER,
    ).case
    assert as_date(case.deadlines[0].due) == date(2026, 4, 7)  # 5 paused WD, 清明 4-4..4-6

    delayed = system.submit(date(2026, 3, 2)).application_number
    system.registered(delayed)
    api.RequestReasons(
        h.RequestReasonsRequest(case=delayed, notice_date=day(date(2026, 3, 3))), metadata=HANDLER
    )
    case = api.AssessReasons(
        h.AssessReasonsRequest(case=delayed, reasonable=True, later_due=day(date(2026, 6, 30))),
        metadata=HANDLER,
    ).case
    assert as_date(case.deadlines[0].due) == date(2026, 6, 30)
    assert "Art 35" in case.deadlines[0].explanation[0]
    items = system.worklist(as_of=day(date(2026, 3, 20))).items
    wait_for(
        lambda: [
            i
            for i in system.worklist(as_of=day(date(2026, 3, 20))).items
            if i.application_number == delayed and as_date(i.reply_due) == date(2026, 6, 30)
        ],
        what="the Art 35 date on the worklist",
    )
    dues = [as_date(i.reply_due) for i in items]
    assert dues == sorted(dues)  # ordered by due date


def test_fee_lapse_concludes_the_case_and_the_applicant_is_told(system: System) -> None:
    receipt, case = system.fee_noticed(method=pb.FEE_METHOD_PER_APPLICATION, ordinal_in_month=31)
    number, api = receipt.application_number, system.handling.handling
    assert case.fee_amount == "200"
    payment_due = next(d for d in case.deadlines if d.kind == h.DEADLINE_KIND_FEE_PAYMENT)
    assert as_date(payment_due.due) == date(2026, 4, 2)
    refused(
        lambda: api.LapseFee(h.LapseFeeRequest(case=number, on=payment_due.due), metadata=HANDLER),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert system.case(number).version == case.version
    closed = api.LapseFee(
        h.LapseFeeRequest(case=number, on=day(date(2026, 4, 3))), metadata=HANDLER
    ).case
    assert (closed.state, closed.outcome) == (h.CASE_STATE_CLOSED, pb.OUTCOME_FEE_NOT_PAID)
    status = system.status_shows(receipt, "CaseConcluded")
    assert status.state == intake_pb2.APPLICATION_STATE_CONCLUDED


def test_a_waived_fee_is_not_charged_and_the_applicant_is_told_why(system: System) -> None:
    receipt, case = system.fee_noticed(method=pb.FEE_METHOD_PER_PAGE, pages=120)
    number, api = receipt.application_number, system.handling.handling
    assert case.fee_amount == "1100"
    for bad, field in (
        (h.WaiveFeeRequest(case=number, reason=" "), "reason"),
        (
            h.WaiveFeeRequest(case=number, reason="低保", waived_on=day(date(2026, 3, 4))),
            "waived_on",
        ),
        (
            h.WaiveFeeRequest(
                case=number, reason="低保", waived_on=pb.CalendarDate(year=2026, month=2, day=30)
            ),
            "waived_on",
        ),
    ):
        error = refused(
            partial(api.WaiveFee, bad, metadata=HANDLER), grpc.StatusCode.INVALID_ARGUMENT
        )
        assert violations(error) == [field]
    assert system.case(number).version == case.version
    waiver = h.WaiveFeeRequest(
        case=number, reason="申请人为最低生活保障对象", waived_on=day(date(2026, 3, 12))
    )
    waived = api.WaiveFee(waiver, metadata=HANDLER).case
    assert (waived.state, waived.fee_waiver_reason) == (
        h.CASE_STATE_IN_PROGRESS,
        "申请人为最低生活保障对象",
    )
    assert not [d for d in waived.deadlines if d.kind == h.DEADLINE_KIND_FEE_PAYMENT]
    assert waived.history[-1].kind == "FeeWaived"
    refused(
        lambda: api.RecordFeePayment(h.RecordFeePaymentRequest(case=number), metadata=HANDLER),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    status = system.status_shows(receipt, "FeeWaived")
    assert status.state == intake_pb2.APPLICATION_STATE_IN_PROGRESS
    told = next(e for e in status.history if e.kind == "FeeWaived")
    assert (told.amount, told.details) == ("1100", "申请人为最低生活保障对象")


def test_refused_steps_say_why_and_change_nothing(
    system: System, handling_database: Database
) -> None:
    number = system.submit(date(2026, 3, 2)).application_number
    system.registered(number)
    api = system.handling.handling
    version = system.case(number).version

    def unchanged() -> None:
        case = system.case(number)
        assert (case.version, case.state) == (version, h.CASE_STATE_REGISTERED)

    checks: list[tuple[str, Any, grpc.StatusCode]] = [
        (
            "serve before a reply",
            lambda: api.RecordService(
                h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_POST),
                metadata=HANDLER,
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
        (
            "consult before accepting",
            lambda: api.StartConsultation(
                h.StartConsultationRequest(case=number, party="某公司"), metadata=HANDLER
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
        (
            "R14 without a correction",
            lambda: api.ReplyToApplication(
                h.ReplyToApplicationRequest(
                    case=number, reply=h.Reply(outcome=pb.OUTCOME_R14, reasons="仍不明确")
                ),
                metadata=HANDLER,
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
        (
            "R3 without its ground",
            lambda: api.ReplyToApplication(
                h.ReplyToApplicationRequest(
                    case=number, reply=h.Reply(outcome=pb.OUTCOME_R3, reasons="涉密")
                ),
                metadata=HANDLER,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            "a handler extends",
            lambda: api.ExtendReplyPeriod(
                h.ExtendReplyPeriodRequest(case=number, days=10), metadata=HANDLER
            ),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        (
            "another agency's handler",
            lambda: api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=OTHER_AGENCY),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        (
            "another agency reads",
            lambda: api.GetCase(h.GetCaseRequest(case=number), metadata=OTHER_AGENCY),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        (
            "no token",
            lambda: api.AcceptCase(h.AcceptCaseRequest(case=number)),
            grpc.StatusCode.UNAUTHENTICATED,
        ),
        (
            "a version the case is not at",
            lambda: api.AcceptCase(
                h.AcceptCaseRequest(case=number, expected_version=version + 1), metadata=HANDLER
            ),
            grpc.StatusCode.ABORTED,
        ),
        (
            "an impossible date",
            lambda: api.RequestCorrection(
                h.RequestCorrectionRequest(
                    case=number,
                    items=["文号"],
                    notice_date=pb.CalendarDate(year=2026, month=2, day=30),
                ),
                metadata=HANDLER,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            "an unknown case",
            lambda: api.AcceptCase(h.AcceptCaseRequest(case="HZMZJ-2026-999999"), metadata=HANDLER),
            grpc.StatusCode.NOT_FOUND,
        ),
    ]
    rows = handling_database.event_rows()
    for why, call, code in checks:
        error = refused(call, code)
        assert error.details(), why
        unchanged()
    assert handling_database.event_rows() == rows
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    error = refused(
        lambda: api.ExtendReplyPeriod(
            h.ExtendReplyPeriodRequest(case=number, days=21), metadata=OFFICE_HEAD
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violations(error) == ["days"]
    assert system.case(number).extension_days == 0


def test_two_handlers_at_once_one_wins_the_other_is_aborted(system: System) -> None:
    number = system.submit(date(2026, 3, 2)).application_number
    version = system.registered(number).version
    api = system.handling.handling
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def assign(handler: str) -> None:
        barrier.wait()
        try:
            api.AssignCase(
                h.AssignCaseRequest(case=number, assignee=handler, expected_version=version),
                metadata=HANDLER,
            )
            result = "ok"
        except grpc.RpcError as e:
            result = e.code().name
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=assign, args=(f"承办人{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == Counter({"ok": 1, "ABORTED": 5})
    assert system.case(number).version == version + 1


def test_worklist_filters_and_flags(system: System) -> None:
    api = system.handling.handling
    first = system.submit(date(2026, 3, 2)).application_number  # reply due 2026-03-30
    second = system.submit(date(2026, 3, 16)).application_number  # reply due 2026-04-14
    for number in (first, second):
        system.registered(number)
    api.AssignCase(h.AssignCaseRequest(case=first, assignee="李四"), metadata=HANDLER)
    wait_for(lambda: system.worklist(assignee="李四").items, what="the assignment on the worklist")
    mine = system.worklist(assignee="李四").items
    assert [i.application_number for i in mine] == [first]
    unassigned = system.worklist(assignee="-").items
    assert second in [i.application_number for i in unassigned]
    assert first not in [i.application_number for i in unassigned]
    as_of = system.worklist(as_of=day(date(2026, 3, 26))).items
    flags = {i.application_number: (i.working_days_left, i.at_risk, i.overdue) for i in as_of}
    assert flags[first] == (2, True, False)  # 3-27, 3-30
    assert flags[second] == (12, False, False)  # 3-27, 3-30..4-3, 4-7..4-10, 4-13, 4-14
    assert system.worklist(as_of=day(date(2026, 3, 31))).items[0].overdue
    due_soon = system.worklist(due_before=day(date(2026, 4, 1))).items
    assert first in [i.application_number for i in due_soon]
    assert second not in [i.application_number for i in due_soon]
    states = system.worklist(states=[h.CASE_STATE_IN_PROGRESS]).items
    assert first not in [i.application_number for i in states]
    refused(
        lambda: system.worklist(metadata=()),
        grpc.StatusCode.UNAUTHENTICATED,
    )


def test_a_loaded_schedule_replaces_provisional_dates(
    system: System, start_handling: StartService, tmp_path: Path
) -> None:
    """A period running into 2027, which the package does not know: provisional; after the
    operator loads 2027's schedule and handling restarts, exact."""
    number = system.submit(date(2026, 11, 20)).application_number
    system.registered(number)
    api = system.handling.handling
    api.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    case = api.ExtendReplyPeriod(
        h.ExtendReplyPeriodRequest(case=number, days=20, on=day(date(2026, 11, 25))),
        metadata=OFFICE_HEAD,
    ).case
    reply = case.deadlines[0]
    assert reply.provisional
    assert as_date(reply.due).year == 2027
    wait_for(
        lambda: [i for i in system.worklist().items if i.reply_due_provisional],
        what="a provisional date on the worklist",
    )
    schedule = tmp_path / "workdays.toml"
    schedule.write_text(
        "[years.2027]\n"
        'days_off = ["2027-01-01", "2027-01-02", "2027-01-03"]\n'
        "make_up_workdays = []\n",
        encoding="utf-8",
    )
    system.handling.terminate()
    system.handling = start_handling(OGI_WORKDAYS_FILE=str(schedule))
    item = system.registered(number)
    assert not item.reply_due_provisional
    exact = system.case(number).deadlines[0]
    assert not exact.provisional
    assert any("overrides" in line for line in exact.explanation)


def test_killing_handling_mid_stream_changes_nothing(
    system: System, start_handling: StartService
) -> None:
    """SIGKILL after handling's relay published an event and before it recorded that: after
    the restart every case is as before and the applicant sees each notice once."""
    system.handling.kill()
    system.handling = start_handling(OGI_FAULT_INJECTION="relay-crash-after-publish:7")
    receipts = [system.submit(date(2026, 3, 2)) for _ in range(10)]
    wait_for(
        lambda: system.handling.process and system.handling.process.poll() is not None,
        what="the injected crash",
    )
    system.handling = start_handling()
    for receipt in receipts:
        system.registered(receipt.application_number)
    api = system.handling.handling
    for receipt in receipts:
        api.AcceptCase(h.AcceptCaseRequest(case=receipt.application_number), metadata=HANDLER)
    for receipt in receipts:
        status = system.status_shows(receipt, "CaseAccepted")
        assert [e.kind for e in status.history].count("CaseAccepted") == 1
        case = system.case(receipt.application_number)
        assert [e.kind for e in case.history] == ["Registered", "Accepted"]
    handling_ids = Counter(
        m.msg_id for m in stream_messages(system.nats.url) if m.subject.startswith("ogi.handling.")
    )
    assert max(handling_ids.values()) == 1
    assert len(handling_ids) == 20  # 10 registrations, 10 acceptances


def test_the_worklist_rebuilt_from_zero_by_replay_is_the_same(
    system: System, handling_database: Database, tmp_path: Path
) -> None:
    api = system.handling.handling
    numbers = [system.submit(date(2026, 3, d)).application_number for d in (2, 3, 4, 5)]
    for number in numbers:
        system.registered(number)
    api.AcceptCase(h.AcceptCaseRequest(case=numbers[0]), metadata=HANDLER)
    api.AssignCase(h.AssignCaseRequest(case=numbers[1], assignee="李四"), metadata=HANDLER)
    api.RequestCorrection(
        h.RequestCorrectionRequest(case=numbers[2], items=["文号"]), metadata=HANDLER
    )
    api.ReplyToApplication(
        h.ReplyToApplicationRequest(case=numbers[3], reply=h.Reply(outcome=pb.OUTCOME_R4)),
        metadata=HANDLER,
    )
    # Three open cases, and one replied and still to be served (待送达): the reply, the last
    # step, is in the view.
    wait_for(
        lambda: (
            [i.state for i in system.worklist().items if i.application_number == numbers[3]]
            == [h.CASE_STATE_REPLIED]
        ),
        what="the reply on the worklist",
    )
    system.handling.terminate()
    settings = load_settings(
        "handling",
        {
            "OGI_DATA_DIR": str(tmp_path / "rebuild"),
            "OGI_DATABASE_URL": handling_database.url,
            "OGI_DATABASE_SCHEMA": handling_database.schema,
            "OGI_CIPHER_KEY": CIPHER_KEY,
            "OGI_TOKEN_KEY": TOKEN_KEY,
        },
    )
    handling = Handling(event_store_env(settings), WorkingDayCalendar())
    try:
        query = WorklistQuery("HZMZJ")
        before = handling.worklist.view.open_rows(query)
        handling.worklist.view.reset()
        assert handling.worklist.view.open_rows(query) == []
        ProjectionWorker(handling, handling.worklist, batch_size=2).catch_up()
        assert handling.worklist.view.open_rows(query) == before
        # By reply due date; the case awaiting correction has none and comes last.
        order = [numbers[0], numbers[1], numbers[3], numbers[2]]
        assert [r.application_number for r in before] == order
    finally:
        handling.close()
