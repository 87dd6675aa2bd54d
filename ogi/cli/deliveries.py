"""`ogi deliveries <application number>`: for the agency's staff, what the notifier sent the
applicant about an application — each notice, by which channel, to which (partly hidden)
address, whether the server took it, and every attempt — so a failure is seen, not silent."""

from __future__ import annotations

import argparse
import os

import grpc

from ogi.cli.calls import bearer
from ogi.cli.shown import china_time
from ogi.config import DEFAULT_PORTS
from ogi.notice_words import NOTIFICATION_CHANNEL_WORDS
from ogi.v1 import notifier_pb2 as n
from ogi.v1 import notifier_pb2_grpc

DEFAULT_NOTIFIER = os.environ.get("OGI_NOTIFIER_ADDR", f"127.0.0.1:{DEFAULT_PORTS['notifier']}")
CHANNELS = NOTIFICATION_CHANNEL_WORDS
STATES = {
    n.DELIVERY_STATE_PENDING: "待发送 pending",
    n.DELIVERY_STATE_ACCEPTED: "已发送 accepted",
    n.DELIVERY_STATE_REJECTED: "被拒收 rejected",
    n.DELIVERY_STATE_GAVE_UP: "已放弃 gave up",
}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    deliveries = sub.add_parser("deliveries", help="通知送达记录 what the applicant was sent")
    deliveries.add_argument("application", help="application number")
    deliveries.add_argument("--notifier", default=DEFAULT_NOTIFIER, help="notifier host:port")
    deliveries.add_argument("--token", default=os.environ.get("OGI_TOKEN", ""), help="or OGI_TOKEN")
    deliveries.set_defaults(local=_show)


def _show(args: argparse.Namespace) -> None:
    with grpc.insecure_channel(args.notifier) as channel:
        stub = notifier_pb2_grpc.NotifierServiceStub(channel)
        found = stub.ListDeliveries(
            n.ListDeliveriesRequest(application_number=args.application.strip()),
            metadata=bearer(args.token),
            timeout=10,
        )
    chosen = "、".join(CHANNELS.get(c, "?") for c in found.channels) or "未选择（not chosen）"
    print(f"{found.application_number}  通知方式 channels: {chosen}")
    for d in found.deliveries:
        print(
            f"  {d.notice_zh:<10} {CHANNELS.get(d.channel, '?'):<4} {d.recipient:<20} "
            f"{STATES.get(d.state, '?')}  {d.message_id}"
        )
        for attempt in d.attempts:
            print(f"      {china_time(attempt.at)}  {attempt.result}  {attempt.detail}")
