"""Reflection as stock clients use it (issue 16): `grpc.reflection.v1` as well as v1alpha, and the
error-detail types among the files served, so a client that knows only what reflection told it
can read a BadRequest out of a refused call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection_pb2
from grpc_status import rpc_status

from ogi.reflection import V1_SERVICE
from tests.builders import request
from tests.integration.conftest import StartService

V1 = "grpc.reflection.v1"


class Reflection:
    """A reflection client. It starts with the v1alpha messages, the same on the wire as v1's
    (grpcio ships no v1 stubs), and can switch to the v1 types the server describes."""

    def __init__(self) -> None:
        self.request_type: Any = reflection_pb2.ServerReflectionRequest
        self.response_type: Any = reflection_pb2.ServerReflectionResponse

    def learn_v1(self, file: descriptor_pb2.FileDescriptorProto) -> None:
        pool = descriptor_pool.DescriptorPool()
        pool.Add(file)
        self.request_type, self.response_type = (
            message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{V1}.{name}"))
            for name in ("ServerReflectionRequest", "ServerReflectionResponse")
        )


def ask(channel: grpc.Channel, service: str, client: Reflection, **question: str) -> Any:
    """One question to the reflection service named `service`; its one answer."""
    request_type, response_type = client.request_type, client.response_type
    call = channel.stream_stream(
        f"/{service}/ServerReflectionInfo",
        request_serializer=request_type.SerializeToString,
        response_deserializer=response_type.FromString,
    )
    answers: Iterator[Any] = call(iter([request_type(**question)]), timeout=10)
    return next(answers)


def files(answer: Any) -> dict[str, descriptor_pb2.FileDescriptorProto]:
    protos = [
        descriptor_pb2.FileDescriptorProto.FromString(data)
        for data in answer.file_descriptor_response.file_descriptor_proto
    ]
    return {proto.name: proto for proto in protos}


@pytest.mark.parametrize("backend", ["sqlite"])  # reflection reads no database
def test_reflection_v1_lists_the_services_and_serves_the_error_detail_types(
    start_intake: StartService,
) -> None:
    intake = start_intake()
    channel = intake.channel
    assert channel is not None
    client = Reflection()
    for service in (V1_SERVICE, "grpc.reflection.v1alpha.ServerReflection"):
        listed = ask(channel, service, client, list_services="")
        names = {s.name for s in listed.list_services_response.service}
        assert {"ogi.v1.IntakeService", "grpc.health.v1.Health", V1_SERVICE} <= names
    described = files(ask(channel, V1_SERVICE, client, file_containing_symbol=V1_SERVICE))
    v1_file = described["grpc/reflection/v1/reflection.proto"]
    assert [s.name for s in v1_file.service] == ["ServerReflection"]
    client.learn_v1(v1_file)
    assert "ogi/v1/intake.proto" in files(
        ask(channel, V1_SERVICE, client, file_containing_symbol="ogi.v1.IntakeService")
    )

    # A client that knows no google.rpc types learns them from reflection and reads the details.
    served = files(ask(channel, V1_SERVICE, client, file_containing_symbol="google.rpc.BadRequest"))
    assert "google/rpc/error_details.proto" in served
    pool = descriptor_pool.DescriptorPool()
    for name in ("google/protobuf/duration.proto", "google/rpc/error_details.proto"):
        pool.Add(served[name])
    bad_request_type = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("google.rpc.BadRequest")
    )
    with pytest.raises(grpc.RpcError) as refused:
        intake.stub.SubmitApplication(request(applicant__name=""))
    status = rpc_status.from_call(refused.value)
    assert status is not None
    detail = status.details[0]
    assert detail.type_url == "type.googleapis.com/google.rpc.BadRequest"
    bad_request: Any = bad_request_type.FromString(detail.value)
    assert "applicant.name" in [v.field for v in bad_request.field_violations]
