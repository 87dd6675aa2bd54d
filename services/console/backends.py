"""The services the console calls, over gRPC with the signed-in person's bearer token, and what
they answer when they refuse: the status, its message and the fields it names (BadRequest)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from ogi.v1 import (
    archive_pb2_grpc,
    handling_pb2_grpc,
    intake_pb2_grpc,
    notifier_pb2_grpc,
    operations_pb2_grpc,
)

T = TypeVar("T")
CALL_TIMEOUT = 15.0

# The services' generic words, as a Chinese reader sees them; anything else is shown as said.
_WORDS = {
    "required": "必填（required）",
    "not a valid calendar date": "日期无效（not a valid calendar date）",
}


@dataclass
class Refusal(Exception):
    """A service refused the call: its status, message and the fields it names."""

    code: grpc.StatusCode
    message: str
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    @property
    def conflict(self) -> bool:
        """Someone changed the case since it was read (ABORTED)."""
        return bool(self.code == grpc.StatusCode.ABORTED)


def refusal(error: grpc.RpcError) -> Refusal:
    status = rpc_status.from_call(error)
    fields: dict[str, str] = {}
    for detail in status.details if status else []:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            for v in bad_request.field_violations:
                said = _WORDS.get(v.description, v.description)
                fields[v.field] = f"{fields[v.field]}；{said}" if v.field in fields else said
    return Refusal(error.code(), error.details() or "", fields)


class Backends:
    """One channel per service, opened in the running event loop (grpc.aio)."""

    def __init__(self, intake: str, handling: str, archive: str, notifier: str = "") -> None:
        self.addresses = {"intake": intake, "handling": handling, "archive": archive}
        # Optional: without the notifier the console works, and says deliveries are unknown.
        self.notifier_address = notifier
        self._channels: dict[str, grpc.aio.Channel] = {}

    def open(self) -> None:
        self._channels = {
            name: grpc.aio.insecure_channel(address) for name, address in self.addresses.items()
        }
        if self.notifier_address:
            self._channels["notifier"] = grpc.aio.insecure_channel(self.notifier_address)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()

    async def unhealthy(self) -> list[str]:
        """The services that do not report SERVING now (grpc.health.v1)."""
        down = []
        for name, channel in self._channels.items():
            if name == "notifier":  # not needed to work cases
                continue
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=1
                )
                if reply.status != health_pb2.HealthCheckResponse.SERVING:
                    down.append(name)
            except grpc.RpcError:
                down.append(name)
        return down

    @property
    def intake(self) -> intake_pb2_grpc.IntakeServiceStub:
        return intake_pb2_grpc.IntakeServiceStub(self._channels["intake"])

    @property
    def handling(self) -> handling_pb2_grpc.HandlingServiceStub:
        return handling_pb2_grpc.HandlingServiceStub(self._channels["handling"])

    @property
    def archive(self) -> archive_pb2_grpc.ArchiveServiceStub:
        return archive_pb2_grpc.ArchiveServiceStub(self._channels["archive"])

    @property
    def notifier(self) -> notifier_pb2_grpc.NotifierServiceStub | None:
        channel = self._channels.get("notifier")
        return notifier_pb2_grpc.NotifierServiceStub(channel) if channel else None

    def operations(self, service: str) -> operations_pb2_grpc.OperationsServiceStub:
        return operations_pb2_grpc.OperationsServiceStub(self._channels[service])


async def call(method: Callable[..., Awaitable[T]], request: Any, token: str) -> T:
    """`method(request)` with the bearer token; a refusal raised as Refusal."""
    try:
        return await method(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=CALL_TIMEOUT
        )
    except grpc.RpcError as error:
        raise refusal(error) from None
