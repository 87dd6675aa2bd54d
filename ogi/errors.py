"""Errors that cross the service boundary, each with the gRPC status it becomes (see ogi.rpc)."""

from __future__ import annotations

from dataclasses import dataclass


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
