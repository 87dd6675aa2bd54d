"""gRPC server bootstrap shared by every service: health, reflection, a request id per call bound
into the logs, domain errors as status codes with details, and graceful shutdown."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import grpc
import structlog
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from ogi.errors import (
    AlreadyExists,
    Conflict,
    InvalidArgument,
    NotFound,
    OgiError,
    PermissionDenied,
    PreconditionFailed,
    TooManyAttempts,
    Unauthenticated,
)

REQUEST_ID_KEY = "x-request-id"
log = structlog.get_logger("ogi.rpc")

_CODES: dict[type[OgiError], int] = {
    InvalidArgument: code_pb2.INVALID_ARGUMENT,
    PreconditionFailed: code_pb2.FAILED_PRECONDITION,
    NotFound: code_pb2.NOT_FOUND,
    AlreadyExists: code_pb2.ALREADY_EXISTS,
    Conflict: code_pb2.ABORTED,
    TooManyAttempts: code_pb2.RESOURCE_EXHAUSTED,
    Unauthenticated: code_pb2.UNAUTHENTICATED,
    PermissionDenied: code_pb2.PERMISSION_DENIED,
}


def status_of(error: OgiError) -> status_pb2.Status:
    """The google.rpc.Status for a domain error, with BadRequest / RetryInfo details."""
    status = status_pb2.Status(code=_CODES.get(type(error), code_pb2.INTERNAL), message=str(error))
    detail: Any = None
    if isinstance(error, InvalidArgument):
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in error.violations
            ]
        )
    elif isinstance(error, TooManyAttempts):
        detail = error_details_pb2.RetryInfo()
        detail.retry_delay.FromNanoseconds(int(error.retry_after_seconds * 1e9))
    if detail is not None:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


Behaviour = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


class _CallInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Binds a request id, logs each unary call, and turns OgiError into a status."""

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = details.method
        request_id = dict(details.invocation_metadata or ()).get(REQUEST_ID_KEY) or uuid.uuid4().hex
        return grpc.unary_unary_rpc_method_handler(
            _wrap(handler.unary_unary, method, str(request_id)),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _wrap(behaviour: Behaviour, method: str, request_id: str) -> Behaviour:
    async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
        structlog.contextvars.bind_contextvars(request_id=request_id, method=method)
        started = time.perf_counter()
        await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
        try:
            response = await behaviour(request, context)
        except OgiError as error:
            status = status_of(error)
            log.info(
                "rpc", code=code_pb2.Code.Name(status.code), reason=status.message, ms=_ms(started)
            )
            await context.abort_with_status(rpc_status.to_status(status))
        except Exception:
            log.exception("rpc failed", ms=_ms(started))
            await context.abort(grpc.StatusCode.INTERNAL, f"internal error ({request_id})")
        log.info("rpc", code="OK", ms=_ms(started))
        return response

    return wrapped


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class RpcServer:
    """A grpc.aio server with health and reflection for the given services."""

    def __init__(
        self,
        listen: str,
        service_names: Iterable[str],
        add_servicers: Callable[[grpc.aio.Server], None],
    ) -> None:
        self.listen = listen
        self.service_names = list(service_names)
        self.add_servicers = add_servicers
        self.health = health_aio.HealthServicer()
        self.server: grpc.aio.Server | None = None

    async def start(self) -> int:
        """Listen and report SERVING; returns the bound port (useful with port 0).

        The aio server is made here because it belongs to the running event loop."""
        # grpc shares a port between servers by default (SO_REUSEPORT): a second process on the
        # port would then answer half the calls with another service. One port, one server.
        self.server = grpc.aio.server(
            interceptors=[_CallInterceptor()], options=[("grpc.so_reuseport", 0)]
        )
        self.add_servicers(self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [
                *self.service_names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self.server,
        )
        port: int = self.server.add_insecure_port(self.listen)
        await self.server.start()
        for name in ["", *self.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        return port

    async def stop(self, grace: float = 5.0) -> None:
        """Report NOT_SERVING, let calls in flight finish within `grace`, then close."""
        await self.health.enter_graceful_shutdown()
        if self.server is not None:
            await self.server.stop(grace)
