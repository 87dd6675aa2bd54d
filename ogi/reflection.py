"""Server reflection under both names clients ask for — `grpc.reflection.v1` (grpcurl, buf curl
and current gRPC tools try it first) and the older `grpc.reflection.v1alpha` — with the
error-detail types (google.rpc.BadRequest, RetryInfo …) among the files served: a client that
looks up the type of a status's detail by reflection (grpcurl does) prints it as fields.

grpcio-reflection implements only v1alpha. The two versions' messages are the same on the wire
(v1 is v1alpha renamed), so the one servicer answers under both names, and a copy of the
v1alpha file renamed to the v1 package is added to the descriptor pool for clients that describe
the reflection service itself."""

from __future__ import annotations

from collections.abc import Iterable

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from google.rpc import error_details_pb2
from grpc_reflection.v1alpha import reflection, reflection_pb2

V1_PACKAGE = "grpc.reflection.v1"
V1_FILE = "grpc/reflection/v1/reflection.proto"
V1_SERVICE = f"{V1_PACKAGE}.ServerReflection"
V1ALPHA_SERVICE: str = reflection.SERVICE_NAME
# No service's file imports the types a google.rpc.Status carries in its details (packed in Any,
# nothing names them); importing them here puts their file in the pool reflection serves from.
DETAIL_FILE: str = error_details_pb2.DESCRIPTOR.name


def _add_v1_file(pool: descriptor_pool.DescriptorPool) -> None:
    """The v1alpha reflection file under the v1 package and file name, once per pool."""
    try:
        pool.FindFileByName(V1_FILE)
        return
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    alpha = f".{proto.package}."
    proto.name = V1_FILE
    proto.package = V1_PACKAGE
    proto.ClearField("options")
    for message in proto.message_type:
        for field in message.field:
            if field.type_name.startswith(alpha):
                field.type_name = f".{V1_PACKAGE}." + field.type_name.removeprefix(alpha)
    for service in proto.service:
        for method in service.method:
            method.input_type = f".{V1_PACKAGE}." + method.input_type.removeprefix(alpha)
            method.output_type = f".{V1_PACKAGE}." + method.output_type.removeprefix(alpha)
    pool.Add(proto)


def enable_reflection(server: grpc.aio.Server, service_names: Iterable[str]) -> None:
    """Serve reflection for `service_names` (and itself, under both names) on `server`."""
    pool = descriptor_pool.Default()
    _add_v1_file(pool)
    servicer = reflection.aio.ReflectionServicer(
        [*service_names, V1_SERVICE, V1ALPHA_SERVICE], pool=pool
    )
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    for name in (V1_SERVICE, V1ALPHA_SERVICE):
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(name, {"ServerReflectionInfo": handler}),)
        )
