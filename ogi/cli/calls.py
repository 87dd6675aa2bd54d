"""How the command line calls the services: with the bearer token as call metadata, and what a
service said was wrong with a request (the field violations of its INVALID_ARGUMENT)."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """The call metadata that carries `token`; none without one."""
    return (("authorization", f"Bearer {token}"),) if token else ()


def field_violations(error: grpc.RpcError) -> list[tuple[str, str]]:
    """(field, description) for each field the service refused."""
    status = rpc_status.from_call(error)
    found: list[tuple[str, str]] = []
    for detail in status.details if status else []:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            found += ((v.field, v.description) for v in bad_request.field_violations)
    return found
