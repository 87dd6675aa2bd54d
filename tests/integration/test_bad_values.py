"""One bad value never stops a service (issue 15): what a fault drill sent to a real deployment
is refused at the edge with INVALID_ARGUMENT naming the field, nothing is stored, and the
worklist, the relays and archive go on. Intake, handling and archive as their own processes on a
real nats-server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import grpc
import pytest

from ogi.auth import Role
from ogi.clock import china_date, system_clock
from ogi.taxonomy import Outcome
from ogi.v1 import archive_pb2 as a
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2, intake_pb2
from ogi.v1 import handling_pb2 as h
from tests.builders import released_items, request, review_request, reviewed_reply
from tests.integration.conftest import (
    REGISTRAR,
    bearer,
    stream_messages,
    violations,
    wait_for,
)
from tests.integration.three_services import ThreeServices

HANDLER = bearer("HZMZJ", Role.HANDLER, Role.OFFICE_HEAD, subject="李四")


@pytest.fixture(scope="module")
def system(system_of_three: ThreeServices) -> ThreeServices:
    return system_of_three


def day(value: date) -> pb.CalendarDate:
    return pb.CalendarDate(year=value.year, month=value.month, day=value.day)


def refused_field(call: Callable[[], Any]) -> list[str]:
    """The fields an INVALID_ARGUMENT names; fails on any other outcome."""
    with pytest.raises(grpc.RpcError) as error:
        call()
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT, error.value.details()
    return violations(error.value)


def submit(system: ThreeServices, **changes: Any) -> intake_pb2.SubmitApplicationResponse:
    response: intake_pb2.SubmitApplicationResponse = system.intake.stub.SubmitApplication(
        request(**changes)
    )
    return response


def on_worklist(system: ThreeServices, number: str) -> h.Case:
    def found() -> Any:
        items = system.handling.handling.ListWorklist(h.ListWorklistRequest(), metadata=HANDLER)
        return [i for i in items.items if i.application_number == number]

    wait_for(found, what=f"{number} on the worklist")
    return case(system, number)


def case(system: ThreeServices, number: str) -> h.Case:
    response = system.handling.handling.GetCase(h.GetCaseRequest(case=number), metadata=HANDLER)
    found: h.Case = response.case
    return found


def accepted(system: ThreeServices) -> str:
    number = submit(system).application_number
    on_worklist(system, number)
    system.handling.handling.AcceptCase(h.AcceptCaseRequest(case=number), metadata=HANDLER)
    return number


def refused_intake_submissions(system: ThreeServices, cases: dict[str, dict[str, Any]]) -> None:
    """Each submission is refused naming its field, and intake stores nothing."""
    rows = system.databases["intake"].event_rows()
    for field, changes in cases.items():
        metadata = REGISTRAR if "receipt_date" in changes else None
        call = partial(system.intake.stub.SubmitApplication, request(**changes), metadata=metadata)
        assert refused_field(call) == [field], changes
    assert system.databases["intake"].event_rows() == rows


def test_a_nul_or_control_character_in_a_description_is_refused(system: ThreeServices) -> None:
    """Drill a: "2025年低保\\x00资金发放明细" was answered OK, then stopped the worklist."""
    refused_intake_submissions(
        system,
        {"information.description": {"information__description": "2025年低保\x00资金发放明细"}},
    )
    refused_intake_submissions(
        system, {"information.description": {"information__description": "低保\x1b[2J明细"}}
    )


def test_b_a_receipt_date_outside_the_window_is_refused(system: ThreeServices) -> None:
    """Drill b: a registrar's receipt date of 1800-06-01 became HZMDQ-1800-000001."""
    paper = {"channel": pb.CHANNEL_POST_SIGNED}
    today = china_date(system_clock())
    for received in (date(1800, 6, 1), date(2019, 5, 14), today + timedelta(days=1)):
        refused_intake_submissions(
            system, {"receipt_date": paper | {"receipt_date": day(received)}}
        )
    # The first day of the policy's window is taken.
    submitted = system.intake.stub.SubmitApplication(
        request(channel=pb.CHANNEL_POST_SIGNED, receipt_date=day(date(2019, 5, 15))),
        metadata=REGISTRAR,
    )
    assert submitted.application_number.startswith("HZMZJ-2019-")


def test_c_a_consultation_sent_in_2100_is_refused_and_not_saved(system: ThreeServices) -> None:
    """Drill c: INTERNAL, but saved; the relay stopped."""
    number = accepted(system)
    before = case(system, number)
    rows = system.databases["handling"].event_rows()
    for sent_on in (date(2100, 1, 4), date(2099, 12, 31)):
        consult = h.StartConsultationRequest(case=number, party="某公司", sent_on=day(sent_on))
        call = partial(system.handling.handling.StartConsultation, consult, metadata=HANDLER)
        assert refused_field(call) == ["sent_on"]
    assert refused_field(
        lambda: system.handling.handling.StartConsultation(
            h.StartConsultationRequest(case=number, party="\u200b\u200d "), metadata=HANDLER
        )
    ) == ["party"]
    assert system.databases["handling"].event_rows() == rows
    assert case(system, number).version == before.version


def test_d_a_correction_period_beyond_reason_is_refused_and_not_saved(
    system: ThreeServices,
) -> None:
    """Drill d: a period of 758 working days was saved, then GetCase and the relay failed."""
    number = submit(system).application_number
    version = on_worklist(system, number).version
    rows = system.databases["handling"].event_rows()
    for period in (758, 61, 2_147_483_647, -1):
        correction = h.RequestCorrectionRequest(
            case=number, items=["文号"], period_working_days=period
        )
        call = partial(system.handling.handling.RequestCorrection, correction, metadata=HANDLER)
        assert refused_field(call) == ["period_working_days"]
    assert system.databases["handling"].event_rows() == rows
    assert case(system, number).version == version


def test_a_reply_service_or_fee_beyond_bounds_is_refused(system: ThreeServices) -> None:
    """Replies and services dated 9999-12-31 were taken and then broke GetDossier for good; a
    fee for 2,147,483,647 pages came to 85,899,340,580 元; as_of 0001-01-01 was INTERNAL."""
    number = accepted(system)
    api = system.handling.handling
    far = day(date(9999, 12, 31))
    api.ReviewConfidentiality(review_request(number, Outcome.R2), metadata=HANDLER)
    rows = system.databases["handling"].event_rows()
    reply = h.Reply(outcome=pb.OUTCOME_R2, replied_on=far, released=released_items(Outcome.R2))
    assert refused_field(
        lambda: api.ReplyToApplication(
            h.ReplyToApplicationRequest(case=number, reply=reply), metadata=HANDLER
        )
    ) == ["reply.replied_on"]
    assert refused_field(
        lambda: api.IssueFeeNotice(
            h.IssueFeeNoticeRequest(
                case=number, method=pb.FEE_METHOD_PER_PAGE, pages=2_147_483_647
            ),
            metadata=HANDLER,
        )
    ) == ["pages"]
    assert refused_field(
        lambda: api.ListWorklist(
            h.ListWorklistRequest(as_of=pb.CalendarDate(year=1, month=1, day=1)),
            metadata=HANDLER,
        )
    ) == ["as_of"]
    assert system.databases["handling"].event_rows() == rows
    reviewed_reply(api, number, h.Reply(outcome=pb.OUTCOME_R2), HANDLER)
    replied = system.databases["handling"].event_rows()
    assert refused_field(
        lambda: api.RecordService(
            h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_POST, served_on=far),
            metadata=HANDLER,
        )
    ) == ["served_on"]
    assert system.databases["handling"].event_rows() == replied


def test_identity_numbers_in_other_digits_are_one_applicant(system: ThreeServices) -> None:
    """Full-width and Arabic-Indic digits passed the GB 11643 check as three applicants."""
    ascii_number = "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    arabic_indic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"
    numbers = [
        submit(system, applicant__identity_document__number=n).application_number
        for n in (ascii_number, full_width, arabic_indic)
    ]

    def keys() -> set[str] | None:
        found = {}
        for message in stream_messages(system.nats.url):
            if message.subject == "ogi.intake.ApplicationSubmitted":
                event = events_pb2.ApplicationSubmitted.FromString(message.data)
                found[event.application_number] = event.applicant_key
        return {found[n] for n in numbers} if all(n in found for n in numbers) else None

    applicant_keys = wait_for(keys, what="the three submissions on the stream")
    assert len(applicant_keys) == 1


def test_names_and_contacts_beyond_bounds_are_refused(system: ThreeServices) -> None:
    refused_intake_submissions(
        system,
        {
            "applicant.contact.email": {
                "applicant__contact__email": "a" * 100_000 + "@x.cn",
                "delivery__route": pb.DELIVERY_ROUTE_ONLINE_DOWNLOAD,
            },
            "applicant.name": {"applicant__name": "\u200b\u200c\u200d"},
        },
    )
    refused_intake_submissions(system, {"applicant.name": {"applicant__name": "\x1b[31m张三"}})
    refused_intake_submissions(system, {"applicant.name": {"applicant__name": "张三\n李四"}})
    # A right-to-left override is taken out, not refused: the name reads as it is stored.
    assert submit(system, applicant__name="张\u202e三").application_number


def test_after_every_refusal_the_worklist_relays_and_archive_go_on(system: ThreeServices) -> None:
    """Last in the module: a new application reaches the worklist, its reply and service go
    through handling's relay to archive, and the dossier opens."""
    number = accepted(system)
    api = system.handling.handling
    reviewed_reply(api, number, h.Reply(outcome=pb.OUTCOME_R2), HANDLER)
    api.RecordService(
        h.RecordServiceRequest(case=number, method=pb.SERVICE_METHOD_ELECTRONIC),
        metadata=HANDLER,
    )

    def dossier() -> Any:
        try:
            return system.archive.archive.GetDossier(
                a.GetDossierRequest(dossier=number), metadata=HANDLER
            ).dossier
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:
                raise
            return None

    filed = wait_for(dossier, what=f"the dossier of {number} in archive")
    assert filed.application_number == number
