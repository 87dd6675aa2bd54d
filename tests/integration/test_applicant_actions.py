"""What the applicant does after applying besides correcting and withdrawing (issue 19): give the
reasons asked for under Art 35, suggest proactive disclosure (Art 44(2)), and choose how to be
told of notices. Real intake and handling processes, a real nats-server, both backends."""

from __future__ import annotations

from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2, intake_pb2
from ogi.v1 import handling_pb2 as h
from tests.builders import request
from tests.integration.conftest import stream_messages, violations, wait_for
from tests.integration.test_handling_service import HANDLER, System, refused, system

__all__ = ["system"]  # the fixture, shared with the handling tests


def described(error: grpc.RpcError) -> dict[str, str]:
    """Each field violation's description, by field."""
    status = rpc_status.from_call(error)
    assert status is not None
    found: dict[str, str] = {}
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request)
        found |= {v.field: v.description for v in bad_request.field_violations}
    return found


def published(system: System, name: str) -> list[Any]:
    message_type = getattr(events_pb2, name)
    return [
        message_type.FromString(m.data)
        for m in stream_messages(system.nats.url)
        if m.subject == f"ogi.intake.{name}"
    ]


def test_reasons_are_given_only_when_asked_and_reach_the_stream(system: System) -> None:
    receipt = system.submit()
    number, code = receipt.application_number, receipt.query_code
    supply = system.intake.stub.SupplyReasons

    def reasons(text: str) -> Any:
        return supply(
            intake_pb2.SupplyReasonsRequest(
                application_number=number, query_code=code, reasons=text
            )
        )

    refused(lambda: reasons("课题研究需要"), grpc.StatusCode.FAILED_PRECONDITION)
    system.registered(number)
    system.handling.handling.RequestReasons(h.RequestReasonsRequest(case=number), metadata=HANDLER)
    status = system.status_shows(receipt, "ReasonsRequested")
    assert status.state == intake_pb2.APPLICATION_STATE_REASONS_REQUESTED
    empty = refused(lambda: reasons("  "), grpc.StatusCode.INVALID_ARGUMENT)
    assert violations(empty) == ["reasons"]
    assert reasons("课题研究需要，共涉及十二个街道").receipt_date.year
    status = system.status(receipt)
    assert status.state == intake_pb2.APPLICATION_STATE_RECEIVED
    assert status.history[-1].kind == "ReasonsSupplied"
    assert status.history[-1].summary_zh == "已说明理由"
    refused(lambda: reasons("再说一遍"), grpc.StatusCode.FAILED_PRECONDITION)
    sent = wait_for(lambda: published(system, "ReasonsSupplied"), what="ReasonsSupplied")
    assert [m.reasons for m in sent] == ["课题研究需要，共涉及十二个街道"]
    # The handler has them on the case, to assess (Art 35).
    received = wait_for(
        lambda: [e for e in system.case(number).history if e.kind == "ReasonsReceived"],
        what="the reasons on the case",
    )
    assert "课题研究需要，共涉及十二个街道" in received[0].summary


def test_a_suggestion_of_proactive_disclosure_is_relayed_to_the_agency(system: System) -> None:
    receipt = system.submit()
    number, code = receipt.application_number, receipt.query_code
    suggest = system.intake.stub.SuggestProactiveDisclosure
    ask = intake_pb2.SuggestProactiveDisclosureRequest
    subject = "建议主动公开各街道低保资金发放明细，公众普遍关注"
    refused(
        lambda: suggest(ask(application_number=number, query_code="WRONG", subject=subject)),
        grpc.StatusCode.NOT_FOUND,
    )
    assert suggest(ask(application_number=number, query_code=code, subject=subject)).suggested_on
    sent = wait_for(
        lambda: published(system, "ProactiveDisclosureSuggested"), what="the suggestion"
    )
    assert [(m.agency_code, m.subject) for m in sent] == [("HZMZJ", subject)]
    assert system.status(receipt).history[-1].kind == "DisclosureSuggested"


def test_the_chosen_notification_channels_need_their_contact_and_travel_with_the_event(
    system: System,
) -> None:
    both = [pb.NOTIFICATION_CHANNEL_SMS, pb.NOTIFICATION_CHANNEL_EMAIL]
    landline = request(applicant__contact__phone="0530-5310000")
    landline.notify_by.extend(both)
    error = refused(
        lambda: system.intake.stub.SubmitApplication(landline), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert sorted(violations(error)) == ["applicant.contact.email", "applicant.contact.phone"]
    assert described(error)["applicant.contact.phone"].startswith("选择短信通知须填写手机号码")
    chosen = request(applicant__contact__email="zhang@example.cn", purpose="课题研究")
    chosen.notify_by.extend(both)
    receipt = system.intake.stub.SubmitApplication(chosen)
    submitted = wait_for(lambda: published(system, "ApplicationSubmitted"), what="the event")
    assert [(m.application_number, list(m.notify_by), m.purpose) for m in submitted] == [
        (
            receipt.application_number,
            [pb.NOTIFICATION_CHANNEL_EMAIL, pb.NOTIFICATION_CHANNEL_SMS],
            "课题研究",
        )
    ]
    agencies = system.intake.stub.ListAgencies(intake_pb2.ListAgenciesRequest()).agencies
    assert {a.code for a in agencies if a.asks_purpose} == {"HZMZJ"}
