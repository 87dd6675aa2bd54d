"""What a service said was wrong with a request: the field violations of its INVALID_ARGUMENT."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def field_violations(error: grpc.RpcError) -> list[tuple[str, str]]:
    """(field, description) for each field the service refused."""
    status = rpc_status.from_call(error)
    found: list[tuple[str, str]] = []
    for detail in status.details if status else []:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            found += ((v.field, v.description) for v in bad_request.field_violations)
    return found
