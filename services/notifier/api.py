"""NotifierService over gRPC: what was sent about an application, for the agency's staff."""

from __future__ import annotations

import asyncio

import grpc

from ogi.auth import Authenticator
from ogi.notice_words import headline
from ogi.v1 import common_pb2, notifier_pb2, notifier_pb2_grpc
from ogi.wire import timestamp
from services.notifier.application import Notifier
from services.notifier.domain import Channel, DeliveryState, Message

CHANNEL_CODES = {
    Channel.EMAIL: common_pb2.NOTIFICATION_CHANNEL_EMAIL,
    Channel.SMS: common_pb2.NOTIFICATION_CHANNEL_SMS,
}
STATE_CODES = {
    DeliveryState.PENDING: notifier_pb2.DELIVERY_STATE_PENDING,
    DeliveryState.ACCEPTED: notifier_pb2.DELIVERY_STATE_ACCEPTED,
    DeliveryState.REJECTED: notifier_pb2.DELIVERY_STATE_REJECTED,
    DeliveryState.GAVE_UP: notifier_pb2.DELIVERY_STATE_GAVE_UP,
}


class NotifierServicer(notifier_pb2_grpc.NotifierServiceServicer):
    def __init__(self, notifier: Notifier, auth: Authenticator) -> None:
        self.notifier = notifier
        self.auth = auth

    async def ListDeliveries(
        self, request: notifier_pb2.ListDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notifier_pb2.ListDeliveriesResponse:
        principal = self.auth.principal(context.invocation_metadata())
        found = await asyncio.to_thread(
            self.notifier.deliveries, request.application_number.strip(), principal
        )
        return notifier_pb2.ListDeliveriesResponse(
            application_number=found.application_number,
            channels=[CHANNEL_CODES[c] for c in found.channels],
            deliveries=[_delivery(m) for m in found.messages],
        )


def _delivery(message: Message) -> notifier_pb2.NoticeDelivery:
    return notifier_pb2.NoticeDelivery(
        message_id=message.stable_id,
        notice_kind=message.notice_kind,
        notice_zh=headline(message.notice_kind),
        channel=CHANNEL_CODES[message.channel],
        recipient=masked(message.recipient, message.channel),
        state=STATE_CODES[message.state],
        planned_at=timestamp(message.planned_at),
        attempts=[
            notifier_pb2.DeliveryAttempt(at=timestamp(a.at), result=a.result, detail=a.detail)
            for a in message.attempts
        ],
    )


def masked(recipient: str, channel: Channel) -> str:
    """Enough to tell which address, not enough to use it: z***@example.cn, 138****8000."""
    if channel is Channel.EMAIL:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = recipient.replace(" ", "").replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
