"""gRPC server bootstrap shared by every service: health, reflection, a request id per call bound
into the logs, domain errors as status codes with details, and graceful shutdown.

Whatever a call raises, the client gets a status it can act on and the log gets one line, never
a traceback: a domain error its own code; a database or NATS that cannot be reached UNAVAILABLE
with RetryInfo (try again); bytes that are not the method's message INVALID_ARGUMENT; anything
else INTERNAL naming only the request id. No message names a Python class."""

from __future__ import annotations

import inspect
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import grpc
import structlog
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_status import rpc_status

from ogi.bounds import request_violations
from ogi.errors import (
    AlreadyExists,
    Conflict,
    DataLoss,
    InvalidArgument,
    MalformedRequest,
    NotFound,
    NotFreshYet,
    OgiError,
    PermissionDenied,
    PreconditionFailed,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
    is_transient,
)
from ogi.reflection import enable_reflection
from ogi.wire import raise_if

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
    Unavailable: code_pb2.UNAVAILABLE,
    DataLoss: code_pb2.DATA_LOSS,
    NotFreshYet: code_pb2.DEADLINE_EXCEEDED,
}


def status_of(error: OgiError) -> status_pb2.Status:
    """The google.rpc.Status for a domain error, with BadRequest / RetryInfo details."""
    code = next((c for kind, c in _CODES.items() if isinstance(error, kind)), code_pb2.INTERNAL)
    status = status_pb2.Status(code=code, message=str(error))
    detail: Any = None
    if isinstance(error, InvalidArgument) and error.violations:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in error.violations
            ]
        )
    elif isinstance(error, TooManyAttempts | Unavailable):
        detail = error_details_pb2.RetryInfo()
        detail.retry_delay.FromNanoseconds(int(error.retry_after_seconds * 1e9))
    if detail is not None:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def status_for(error: Exception, request_id: str) -> status_pb2.Status:
    """What a call that raised `error` ends with: a domain error's own status; a database or
    NATS that cannot be reached UNAVAILABLE with RetryInfo; anything else INTERNAL, naming only
    the request id (the log line has the rest)."""
    if isinstance(error, OgiError):
        return status_of(error)
    if is_transient(error):
        return status_of(Unavailable())
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"内部错误，请求编号 {request_id}（internal error; request id {request_id}）",
    )


def _log_failure(error: Exception, status: status_pb2.Status, started: float) -> None:
    """One line. An unexpected error's message may hold what the request carried (personal
    data), so only its type and where it was raised are logged; a database's or NATS's own
    message says nothing of the request and is kept, cut short."""
    code = code_pb2.Code.Name(status.code)
    if isinstance(error, OgiError):
        log.info("rpc", code=code, reason=status.message, ms=_ms(started))
    elif is_transient(error):
        log.warning(
            "rpc", code=code, error=type(error).__name__, reason=str(error)[:200], ms=_ms(started)
        )
    else:
        log.error(
            "rpc failed", code=code, error=type(error).__name__, ms=_ms(started), **_where(error)
        )


def _where(error: Exception) -> dict[str, str]:
    """The innermost frame of the traceback, and the innermost of this project's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return {}
    ours = [f for f in frames if f.filename.startswith(_PROJECT) and "/.venv/" not in f.filename]
    where = {"raised_at": _frame(frames[-1])}
    if ours and ours[-1] is not frames[-1]:
        where["in_our_code_at"] = _frame(ours[-1])
    return where


_PROJECT = str(Path(__file__).resolve().parent.parent)


def _frame(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    shown = path.relative_to(_PROJECT) if path.is_relative_to(_PROJECT) else path.name
    return f"{shown}:{frame.lineno} {frame.name}"


class _Malformed:
    """Stands in for a request whose bytes did not parse (grpc would answer UNKNOWN, naming
    protobuf's DecodeError, and log a traceback)."""


_MALFORMED = _Malformed()


def _lenient(parse: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if parse is None:
        return None

    def parse_or_mark(data: bytes) -> Any:
        try:
            return parse(data)
        except Exception:  # DecodeError, or whatever else the message's parser raises
            return _MALFORMED

    return parse_or_mark


Behaviour = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


class _CallInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Binds a request id, logs each unary call, and turns whatever it raises into a status."""

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        handler = await continuation(details)
        if handler is None:
            return handler
        if handler.unary_unary is None:
            return _lenient_stream(handler)
        method = details.method
        request_id = dict(details.invocation_metadata or ()).get(REQUEST_ID_KEY) or uuid.uuid4().hex
        return grpc.unary_unary_rpc_method_handler(
            _wrap(handler.unary_unary, method, str(request_id)),
            request_deserializer=_lenient(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )


def _lenient_stream(handler: Any) -> Any:
    """Health's Watch and reflection, which stream: bytes that do not parse end the call as
    INVALID_ARGUMENT too, in one log line."""
    parse = _lenient(handler.request_deserializer)
    serialize = handler.response_serializer
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            _adapted(handler.unary_stream, _parsed),
            request_deserializer=parse,
            response_serializer=serialize,
        )
    if handler.stream_stream is not None:
        return grpc.stream_stream_rpc_method_handler(
            _adapted(handler.stream_stream, _each_parsed),
            request_deserializer=parse,
            response_serializer=serialize,
        )
    return handler


def _adapted(behaviour: Any, adapt: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """`behaviour` with its request (or request stream) put through `adapt` first, and of the
    same kind: grpc tells an async generator from a coroutine by the function it is given."""
    if inspect.isasyncgenfunction(behaviour):

        async def streaming(request: Any, context: grpc.aio.ServicerContext) -> Any:
            async for response in behaviour(await adapt(request, context), context):
                yield response

        return streaming

    async def writing(request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await behaviour(await adapt(request, context), context)

    return writing


async def _parsed(request: Any, context: grpc.aio.ServicerContext) -> Any:
    if request is _MALFORMED:
        await _refuse_malformed(context)
    return request


async def _each_parsed(requests: AsyncIterator[Any], context: grpc.aio.ServicerContext) -> Any:
    return _refusing_malformed(requests, context)


async def _refusing_malformed(
    requests: AsyncIterator[Any], context: grpc.aio.ServicerContext
) -> AsyncIterator[Any]:
    async for request in requests:
        if request is _MALFORMED:
            await _refuse_malformed(context)
        yield request


async def _refuse_malformed(context: grpc.aio.ServicerContext) -> None:
    status = status_of(MalformedRequest())
    log.info("rpc", code=code_pb2.Code.Name(status.code), reason=status.message)
    await context.abort_with_status(rpc_status.to_status(status))


def _wrap(behaviour: Behaviour, method: str, request_id: str) -> Behaviour:
    async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
        structlog.contextvars.bind_contextvars(request_id=request_id, method=method)
        started = time.perf_counter()
        await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
        try:
            if request is _MALFORMED:
                raise MalformedRequest
            if isinstance(request, Message):  # every string, list and date of any request
                raise_if(request_violations(request))
            response = await behaviour(request, context)
        except grpc.aio.AbortError:  # the servicer chose its status itself
            raise
        except Exception as error:
            status = status_for(error, request_id)
            _log_failure(error, status, started)
            await context.abort_with_status(rpc_status.to_status(status))
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
        enable_reflection(
            self.server,
            [*self.service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name],
        )
        port: int = self.server.add_insecure_port(self.listen)
        await self.server.start()
        await self.report_serving(True)
        return port

    async def report_serving(self, serving: bool) -> None:
        """SERVING or NOT_SERVING for the server ("") and each service (ignored once stopping)."""
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ["", *self.service_names]:
            await self.health.set(name, status)

    async def stop(self, grace: float = 5.0) -> None:
        """Report NOT_SERVING, let calls in flight finish within `grace`, then close."""
        await self.health.enter_graceful_shutdown()
        if self.server is not None:
            await self.server.stop(grace)
