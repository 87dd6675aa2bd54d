"""Errors that cross the service boundary, each with the gRPC status it becomes (see ogi.rpc)."""

from __future__ import annotations

from dataclasses import dataclass

import eventsourcing.persistence as es
import nats.errors as nats_errors
import nats.js.errors as nats_js_errors
import psycopg


@dataclass(frozen=True)
class FieldViolation:
    """One wrong field: its path in the request (e.g. ``applicant.contact.phone``) and why."""

    field: str
    description: str


class OgiError(Exception):
    """Base of the errors a servicer may let through to the client."""


class InvalidArgument(OgiError):
    """The request is malformed; nothing was changed (INVALID_ARGUMENT + BadRequest)."""

    def __init__(self, violations: list[FieldViolation]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations))


class MalformedRequest(InvalidArgument):
    """The request's bytes are not a message of the method's type (INVALID_ARGUMENT): there is
    no field to name."""

    def __init__(self) -> None:
        self.violations = []
        OgiError.__init__(self, "请求无法解析（malformed request message）")


class PreconditionFailed(OgiError):
    """The step is not allowed in the current state (FAILED_PRECONDITION)."""


class NotFound(OgiError):
    """No such thing, or the caller may not know whether it exists (NOT_FOUND)."""


class AlreadyExists(OgiError):
    """A key was reused for something different (ALREADY_EXISTS)."""


class Conflict(OgiError):
    """A concurrent change won; retry (ABORTED)."""


class Unauthenticated(OgiError):
    """No valid bearer token (UNAUTHENTICATED)."""


class PermissionDenied(OgiError):
    """The caller's agency or roles do not allow this (PERMISSION_DENIED)."""


class TooManyAttempts(OgiError):
    """Slowed down after repeated failures (RESOURCE_EXHAUSTED)."""

    def __init__(self, message: str, retry_after_seconds: float) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)


class NotFreshYet(OgiError):
    """A read asked to wait for a position (ogi.freshness) did not reach it in time
    (DEADLINE_EXCEEDED): ask again."""


class DataLoss(OgiError):
    """What was stored is damaged or was changed (an issued document whose bytes no longer
    match its SHA-256): refused, never served (DATA_LOSS)."""


class Unavailable(OgiError):
    """The database or the message broker cannot be reached just now: nothing was changed and
    the same call may be tried again (UNAVAILABLE + RetryInfo)."""

    def __init__(
        self,
        message: str = "服务暂时不可用，请稍后重试（service temporarily unavailable; retry）",
        retry_after_seconds: float = 1.0,
    ) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)


# Failures of the surroundings rather than of the request or the message: the database (as the
# eventsourcing library wraps it, or psycopg itself where code talks to it directly: lost
# connections, an empty pool, lock and statement timeouts) and NATS (connection lost, no server,
# no responder, JetStream not answering).
_TRANSIENT: tuple[type[BaseException], ...] = (
    es.OperationalError,
    es.InterfaceError,
    es.InternalError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    nats_errors.ConnectionClosedError,
    nats_errors.NoServersError,
    nats_errors.StaleConnectionError,
    nats_errors.ConnectionReconnectingError,
    nats_errors.NoRespondersError,
    nats_errors.OutboundBufferLimitError,
    nats_js_errors.ServiceUnavailableError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """A failure of the surroundings (the database, the network), not of what was asked: it
    passes when they come back, so a call gets UNAVAILABLE and a message is delivered again."""
    return isinstance(error, _TRANSIENT)
