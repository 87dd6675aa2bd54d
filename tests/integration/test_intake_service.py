"""Intake through its gRPC API, on a real server process, nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from ogi.auth import Role
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.sealing import Sealer
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2, intake_pb2
from tests.builders import APPLICANT_NAME, PHONE, POSTAL_ADDRESS, RESIDENT_ID, request
from tests.integration.conftest import (
    CIPHER_KEY,
    REGISTRAR,
    Database,
    StartIntake,
    bearer,
    stream_messages,
    violations,
    wait_for,
)


def submitted_numbers(nats_url: str) -> list[str]:
    """Application numbers of the ApplicationSubmitted events on the stream, in order."""
    return [
        events_pb2.ApplicationSubmitted.FromString(m.data).application_number
        for m in stream_messages(nats_url)
        if m.subject == "ogi.intake.ApplicationSubmitted"
    ]


def test_a_submission_gets_a_number_a_code_and_one_event_on_the_stream(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake()
    reply = intake.stub.SubmitApplication(request())
    assert reply.application_number.startswith("HZMZJ-")
    assert len(reply.query_code.replace("-", "")) == 16
    assert not reply.replayed
    messages = wait_for(lambda: stream_messages(nats_server.url), what="the event")
    assert [m.subject for m in messages] == ["ogi.intake.ApplicationSubmitted"]
    event = events_pb2.ApplicationSubmitted.FromString(messages[0].data)
    assert event.application_number == reply.application_number
    assert event.applicant_category == pb.APPLICANT_CATEGORY_NATURAL_PERSON
    assert messages[0].msg_id == f"intake:{event.metadata.notification_id}"
    applicant = pb.Applicant.FromString(Sealer(CIPHER_KEY).open(event.sealed_applicant))
    assert applicant.identity_document.number == RESIDENT_ID


def test_a_retry_returns_the_same_application_and_publishes_nothing_new(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    nats_server.start()
    intake = start_intake()
    original = request()
    first = intake.stub.SubmitApplication(original)
    rows = database.event_rows()
    retry = intake.stub.SubmitApplication(original)
    assert (retry.application_number, retry.query_code, retry.replayed) == (
        first.application_number,
        first.query_code,
        True,
    )
    assert database.event_rows() == rows
    marker = intake.stub.SubmitApplication(request()).application_number
    wait_for(lambda: marker in submitted_numbers(nats_server.url), what="the marker")
    assert submitted_numbers(nats_server.url) == [first.application_number, marker]


def test_a_request_id_reused_for_another_application_is_refused(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    nats_server.start()
    intake = start_intake()
    first = request()
    intake.stub.SubmitApplication(first)
    rows = database.event_rows()
    with pytest.raises(grpc.RpcError) as error:
        intake.stub.SubmitApplication(
            request(request_id=first.request_id, information__description="另一条信息")
        )
    assert error.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert database.event_rows() == rows


INVALID: dict[str, dict[str, Any]] = {
    "request_id": {"request_id": "not-a-uuid"},
    "agency_code": {"agency_code": "NOWHERE"},
    "channel": {"channel": pb.CHANNEL_UNSPECIFIED},
    "receipt_date": {
        "channel": pb.CHANNEL_POST_SIGNED,
        "receipt_date": pb.CalendarDate(year=2026, month=2, day=30),
    },
    "transcribed_by": {
        "channel": pb.CHANNEL_ORAL,
        "receipt_date": pb.CalendarDate(year=2026, month=1, day=5),
    },
    "applicant.category": {"applicant__category": pb.APPLICANT_CATEGORY_UNSPECIFIED},
    "applicant.name": {"applicant__name": ""},
    "applicant.identity_document.number": {
        "applicant__identity_document__number": "110105194912310021"
    },
    "applicant.identity_document.type": {
        "applicant__identity_document__type": pb.IDENTITY_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE
    },
    "applicant.contact": {"applicant__contact": pb.Contact()},
    "applicant.contact.phone": {"applicant__contact__phone": "12"},
    "applicant.contact.email": {"applicant__contact__email": "nobody"},
    "applicant.contact_person": {
        "applicant__category": pb.APPLICANT_CATEGORY_COMMERCIAL_ENTERPRISE,
        "applicant__identity_document": pb.IdentityDocument(
            type=pb.IDENTITY_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE, number="91350100M000100Y43"
        ),
    },
    "information.description": {"information__description": "   "},
    "delivery.form": {"delivery__form": pb.DELIVERY_FORM_UNSPECIFIED},
    "delivery.route": {
        "delivery__form": pb.DELIVERY_FORM_INSPECTION,
        "delivery__route": pb.DELIVERY_ROUTE_EMAIL,
    },
}


def test_each_invalid_field_is_refused_by_name_and_nothing_is_stored(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    nats_server.start()
    intake = start_intake()
    for field, changes in INVALID.items():
        with pytest.raises(grpc.RpcError) as error:
            intake.stub.SubmitApplication(request(**changes), metadata=REGISTRAR)
        assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT, field
        assert field in violations(error.value), (field, violations(error.value))
    assert database.event_rows() == 0
    marker = intake.stub.SubmitApplication(request())
    assert marker.application_number.endswith("-000001")  # no number was used up
    wait_for(lambda: submitted_numbers(nats_server.url), what="the marker")
    assert submitted_numbers(nats_server.url) == [marker.application_number]


def test_submissions_succeed_while_nats_is_down_and_reach_the_stream_once_after(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    intake = start_intake()  # nats-server not started
    numbers = [intake.stub.SubmitApplication(request()).application_number for _ in range(5)]
    nats_server.start()
    wait_for(lambda: len(submitted_numbers(nats_server.url)) >= 5, what="catch-up")
    nats_server.stop()  # and a second outage, mid-run
    numbers += [intake.stub.SubmitApplication(request()).application_number for _ in range(3)]
    nats_server.start()
    wait_for(lambda: len(submitted_numbers(nats_server.url)) >= 8, what="second catch-up")
    assert submitted_numbers(nats_server.url) == numbers


def test_sigkill_between_save_and_publish_loses_and_duplicates_nothing(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    intake = start_intake()  # nats down: saved, not published
    numbers = [intake.stub.SubmitApplication(request()).application_number for _ in range(3)]
    intake.kill()
    nats_server.start()
    intake = start_intake()
    numbers.append(intake.stub.SubmitApplication(request()).application_number)
    wait_for(lambda: len(submitted_numbers(nats_server.url)) >= 4, what="the relay to resume")
    assert submitted_numbers(nats_server.url) == numbers
    ids = [m.msg_id for m in stream_messages(nats_server.url)]
    assert len(ids) == len(set(ids))


def test_sigkill_after_publish_before_recording_duplicates_nothing(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    crashing = start_intake(OGI_FAULT_INJECTION="relay-crash-after-publish")
    first = request()
    # The crash may beat the reply; then the client retries with the same request, below.
    error = crashing.stub.SubmitApplication.future(first).exception()
    assert error is None or error.code() is grpc.StatusCode.UNAVAILABLE
    assert crashing.wait_exit(20) == -9
    assert len(stream_messages(nats_server.url)) == 1  # published, position not recorded
    intake = start_intake()
    retried = intake.stub.SubmitApplication(first)  # the client's retry after no reply
    later = intake.stub.SubmitApplication(request()).application_number
    wait_for(lambda: later in submitted_numbers(nats_server.url), what="the relay to resume")
    assert submitted_numbers(nats_server.url) == [retried.application_number, later]
    assert "duplicate dropped by stream" in intake.log()


def test_personal_data_is_not_readable_in_the_database_the_stream_or_the_logs(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    nats_server.start()
    intake = start_intake()
    reply = intake.stub.SubmitApplication(request())
    intake.stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(
            application_number=reply.application_number, query_code=reply.query_code
        )
    )
    wait_for(lambda: stream_messages(nats_server.url), what="the event")
    intake.terminate()
    secrets = [
        RESIDENT_ID,
        PHONE,
        APPLICANT_NAME,
        POSTAL_ADDRESS,
        reply.query_code,
        reply.query_code.replace("-", ""),
    ]
    stream_store = b"".join(p.read_bytes() for p in nats_server.store_dir.rglob("*") if p.is_file())
    places = {
        "database": database.raw_bytes(),
        "stream store": stream_store,
        "stream messages": b"".join(m.data for m in stream_messages(nats_server.url)),
        "logs": intake.log_path.read_bytes(),
    }
    assert len(places["database"]) > 1000
    for place, content in places.items():
        for secret in secrets:
            for encoded in (secret.encode(), secret.encode("unicode_escape")):
                assert encoded not in content, f"{secret} readable in {place}"


def test_status_needs_the_right_code_and_guessing_is_slowed_down(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake()
    reply = intake.stub.SubmitApplication(request())
    ask = intake_pb2.GetApplicationStatusRequest
    status = intake.stub.GetApplicationStatus(
        ask(application_number=reply.application_number, query_code=reply.query_code)
    )
    assert status.state == intake_pb2.APPLICATION_STATE_RECEIVED
    assert [h.kind for h in status.history] == ["ApplicationSubmitted"]
    assert status.agency.name == "菏泽市民政局"
    details = set()
    # Five wrong codes for one number from one address (GuessPolicy.per_number), among others.
    for number in [reply.application_number, "HZMZJ-2026-999999", "X"] + [
        reply.application_number
    ] * 4:
        with pytest.raises(grpc.RpcError) as error:
            intake.stub.GetApplicationStatus(ask(application_number=number, query_code="NOPE"))
        assert error.value.code() is grpc.StatusCode.NOT_FOUND
        details.add(error.value.details())
    assert len(details) == 1  # a wrong code and an unknown number look the same
    with pytest.raises(grpc.RpcError) as slowed:
        intake.stub.GetApplicationStatus(
            ask(application_number=reply.application_number, query_code=reply.query_code)
        )
    assert slowed.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "分钟后再试" in slowed.value.details()  # how long, in minutes: the window is 15


def test_guesses_spread_over_replicas_are_counted_together(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    """Behind a load balancer each guess may reach another replica: the failures are kept in the
    database, where every replica counts them, and the client's address only as a pseudonym."""
    nats_server.start()
    first = start_intake()
    second = start_intake(OGI_LISTEN=f"127.0.0.1:{free_port()}")
    reply = first.stub.SubmitApplication(request())
    ask = intake_pb2.GetApplicationStatusRequest
    for replica in [first, second] * 2 + [first]:  # GuessPolicy: 5 wrong codes in 15 minutes
        with pytest.raises(grpc.RpcError) as wrong:
            replica.stub.GetApplicationStatus(
                ask(application_number=reply.application_number, query_code="NOPE")
            )
        assert wrong.value.code() is grpc.StatusCode.NOT_FOUND
    for replica in (second, first):
        with pytest.raises(grpc.RpcError) as slowed:
            replica.stub.GetApplicationStatus(
                ask(application_number=reply.application_number, query_code=reply.query_code)
            )
        assert slowed.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert b"127.0.0.1" not in database.raw_bytes()


def test_a_correction_nobody_asked_for_and_a_second_withdrawal_are_refused(
    start_intake: StartIntake, nats_server: LocalNatsServer, database: Database
) -> None:
    nats_server.start()
    intake = start_intake()
    reply = intake.stub.SubmitApplication(request())
    number, code = reply.application_number, reply.query_code

    def correct() -> Any:
        return intake.stub.SupplyCorrection(
            intake_pb2.SupplyCorrectionRequest(
                application_number=number,
                query_code=code,
                information=pb.InformationDescription(description="再补正"),
            )
        )

    rows = database.event_rows()
    with pytest.raises(grpc.RpcError) as unasked:
        correct()  # the agency has not asked for a correction (Art 30)
    assert unasked.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "no correction was requested" in (unasked.value.details() or "")
    assert database.event_rows() == rows
    intake.stub.WithdrawApplication(
        intake_pb2.WithdrawApplicationRequest(
            application_number=number, query_code=code, reason="已获取"
        )
    )
    rows = database.event_rows()
    for call in (
        lambda: intake.stub.WithdrawApplication(
            intake_pb2.WithdrawApplicationRequest(application_number=number, query_code=code)
        ),
        correct,
    ):
        with pytest.raises(grpc.RpcError) as error:
            call()  # type: ignore[no-untyped-call]
        assert error.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert database.event_rows() == rows
    subjects = wait_for(
        lambda: (
            [m.subject for m in stream_messages(nats_server.url)]
            if len(stream_messages(nats_server.url)) >= 2
            else None
        ),
        what="events",
    )
    assert subjects == ["ogi.intake.ApplicationSubmitted", "ogi.intake.ApplicationWithdrawn"]
    status = intake.stub.GetApplicationStatus(
        intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=code)
    )
    assert status.state == intake_pb2.APPLICATION_STATE_WITHDRAWN


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        ((), grpc.StatusCode.UNAUTHENTICATED),
        (bearer("HZMZJ", Role.HANDLER), grpc.StatusCode.PERMISSION_DENIED),
        (bearer("HZZRZYJ", Role.REGISTRAR), grpc.StatusCode.PERMISSION_DENIED),
    ],
)
def test_only_the_agency_registrar_enters_an_offline_application(
    start_intake: StartIntake,
    nats_server: LocalNatsServer,
    database: Database,
    metadata: Any,
    code: grpc.StatusCode,
) -> None:
    nats_server.start()
    intake = start_intake()
    paper = request(
        channel=pb.CHANNEL_IN_PERSON, receipt_date=pb.CalendarDate(year=2026, month=3, day=2)
    )
    with pytest.raises(grpc.RpcError) as error:
        intake.stub.SubmitApplication(paper, metadata=metadata)
    assert error.value.code() is code
    assert database.event_rows() == 0
    entered = intake.stub.SubmitApplication(paper, metadata=REGISTRAR)
    assert entered.receipt_date == pb.CalendarDate(year=2026, month=3, day=2)


def test_concurrent_submissions_get_distinct_consecutive_numbers(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake()
    futures = [intake.stub.SubmitApplication.future(request()) for _ in range(30)]
    numbers = sorted(f.result().application_number for f in futures)
    assert numbers == [f"HZMZJ-2026-{i:06d}" for i in range(1, 31)]


def test_health_reflection_request_id_and_graceful_shutdown(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    intake = start_intake()
    assert intake.channel is not None
    health = health_pb2_grpc.HealthStub(intake.channel)
    served = health.Check(health_pb2.HealthCheckRequest(service="ogi.v1.IntakeService"))
    assert served.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(intake.channel)
    answer = next(
        reflection.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
    )
    assert "ogi.v1.IntakeService" in {s.name for s in answer.list_services_response.service}
    request_id = uuid.uuid4().hex
    _, call = intake.stub.ListAgencies.with_call(
        intake_pb2.ListAgenciesRequest(), metadata=(("x-request-id", request_id),)
    )
    assert ("x-request-id", request_id) in call.initial_metadata()
    assert intake.terminate() == 0
    assert f'"request_id": "{request_id}"' in intake.log()
    assert '"event": "stopped"' in intake.log()


README_SUBMISSION = """{"request_id":"7d0c8f0e-4b7e-4a8e-9a77-3f1d2c9b5e10","agency_code":"HZMZJ",
  "channel":"CHANNEL_ONLINE","applicant":{"category":"APPLICANT_CATEGORY_NATURAL_PERSON",
  "name":"张三","identity_document":{"type":"IDENTITY_DOCUMENT_TYPE_RESIDENT_IDENTITY_CARD",
  "number":"11010519491231002X"},"contact":{"phone":"13800138000"}},
  "information":{"description":"2025年城乡低保资金发放明细"},
  "delivery":{"form":"DELIVERY_FORM_ELECTRONIC","route":"DELIVERY_ROUTE_ONLINE_DOWNLOAD"}}"""


def test_a_generic_client_can_submit_through_reflection_alone(
    start_intake: StartIntake, nats_server: LocalNatsServer
) -> None:
    """What grpcurl does with the README's example: descriptors from reflection, JSON in."""
    nats_server.start()
    intake = start_intake()
    assert intake.channel is not None
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(intake.channel))
    method = pool.FindServiceByName("ogi.v1.IntakeService").FindMethodByName("SubmitApplication")
    request_class = message_factory.GetMessageClass(method.input_type)
    reply_class = message_factory.GetMessageClass(method.output_type)
    call = intake.channel.unary_unary(
        "/ogi.v1.IntakeService/SubmitApplication",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=reply_class.FromString,
    )
    reply = json_format.MessageToDict(call(json_format.Parse(README_SUBMISSION, request_class())))
    assert reply["applicationNumber"] == "HZMZJ-2026-000001"
    assert len(reply["queryCode"]) == 19
