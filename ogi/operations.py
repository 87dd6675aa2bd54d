"""OperationsService (proto/ogi/v1/operations.proto), served by every service beside its own API:
the operator lists what each of its readers (projections, relay) set aside (ogi.setaside) and
has them apply it again once the cause is fixed. Only the operator role; every agency."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc

from ogi.auth import Authenticator, Role
from ogi.errors import FieldViolation, InvalidArgument
from ogi.setaside import SetAsideEvent, SetAsideReader
from ogi.v1 import operations_pb2 as o
from ogi.v1 import operations_pb2_grpc
from ogi.wire import timestamp

OPERATIONS_SERVICE = o.DESCRIPTOR.services_by_name["OperationsService"].full_name


class OperationsServicer(operations_pb2_grpc.OperationsServiceServicer):
    def __init__(
        self, readers: Sequence[SetAsideReader], auth: Authenticator, retry_wait: float = 30.0
    ) -> None:
        self.readers = list(readers)
        self.auth = auth
        self.retry_wait = retry_wait

    async def ListSetAsideEvents(  # noqa: N802 - the generated method's name
        self, request: o.ListSetAsideEventsRequest, context: grpc.aio.ServicerContext
    ) -> o.ListSetAsideEventsResponse:
        self._operator(context)
        response = o.ListSetAsideEventsResponse()
        for reader in self._chosen(request.reader):
            found = await asyncio.to_thread(reader.set_aside_events)
            response.events.extend(event_to_wire(e) for e in found)
            response.counts[reader.reader] = len(found)
        return response

    async def RetrySetAsideEvents(  # noqa: N802
        self, request: o.RetrySetAsideEventsRequest, context: grpc.aio.ServicerContext
    ) -> o.RetrySetAsideEventsResponse:
        """Each reader retries in its own loop; those that have not finished within
        `retry_wait` (their database or NATS is away) are reported not done, and finish later."""
        self._operator(context)
        asked = [
            (reader.reader, reader.retry_requested()) for reader in self._chosen(request.reader)
        ]
        await asyncio.wait([future for _, future in asked], timeout=self.retry_wait)
        response = o.RetrySetAsideEventsResponse()
        for name, future in asked:
            if future.done() and not future.cancelled():
                retried = future.result()
                response.readers.add(
                    reader=name,
                    applied=retried.applied,
                    still_set_aside=retried.still_set_aside,
                    done=True,
                )
            else:
                response.readers.add(reader=name, done=False)
        return response

    def _operator(self, context: grpc.aio.ServicerContext) -> None:
        principal = self.auth.principal(context.invocation_metadata())
        principal.require_role(Role.OPERATOR)

    def _chosen(self, name: str) -> list[SetAsideReader]:
        if not name:
            return self.readers
        chosen = [r for r in self.readers if r.reader == name]
        if not chosen:
            known = ", ".join(r.reader for r in self.readers)
            raise InvalidArgument(
                [FieldViolation("reader", f"本服务没有该读取者（no such reader here: {known}）")]
            )
        return chosen


def event_to_wire(event: SetAsideEvent) -> o.SetAsideEvent:
    return o.SetAsideEvent(
        reader=event.reader,
        notification_id=event.notification_id,
        originator_id=event.originator_id,
        topic=event.topic,
        error=event.error,
        first_tried=timestamp(event.first_tried),
        last_tried=timestamp(event.last_tried),
        attempts=event.attempts,
        held=event.held,
    )


def add_operations(
    server: grpc.aio.Server, readers: Sequence[SetAsideReader], auth: Authenticator
) -> None:
    operations_pb2_grpc.add_OperationsServiceServicer_to_server(
        OperationsServicer(readers, auth), server
    )
