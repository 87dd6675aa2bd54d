"""The notifier process: python -m services.notifier (configuration from OGI_* variables).

Besides the settings every service reads (ogi.config): OGI_SMTP_* for e-mail and OGI_SMS_* for
the SMS gateway (services.notifier.transports; where either is unset in embedded mode, its
messages are written to <data dir>/outbox/ instead, and in production that channel's messages
wait until it is configured), OGI_PORTAL_URL (the address put in every message),
OGI_NOTIFIER_MAIL_DOMAIN (of the Message-IDs; default the From address's domain),
OGI_NOTIFIER_MAX_BACKOFF_SECONDS (60) and OGI_NOTIFIER_GIVE_UP_HOURS (72)."""

from __future__ import annotations

import os
from datetime import timedelta

import grpc
import structlog

from ogi.agencies import AgencyDirectory
from ogi.auth import Authenticator
from ogi.config import Settings
from ogi.leadership import leadership
from ogi.messaging.consumer import Consumer
from ogi.persistence import event_store_env
from ogi.process import prepared, serve
from ogi.rpc import RpcServer
from ogi.sealing import Sealer
from ogi.v1 import notifier_pb2, notifier_pb2_grpc
from services.notifier.api import NotifierServicer
from services.notifier.application import MessagePolicy, Notifier
from services.notifier.domain import Channel
from services.notifier.sender import RetryPolicy, Sender
from services.notifier.transports import (
    Outbox,
    SmsGateway,
    SmsSettings,
    SmtpSettings,
    SmtpTransport,
    Transport,
    Unconfigured,
)

SERVICE = "notifier"
log = structlog.get_logger("notifier")


def transports(settings: Settings) -> dict[Channel, Transport]:
    outbox = settings.data_dir / "outbox"
    smtp = SmtpSettings.from_env(os.environ)
    sms = SmsSettings.from_env(os.environ)
    embedded = not settings.uses_postgres
    email: Transport = (
        SmtpTransport(smtp)
        if smtp
        else Outbox(outbox, "email")
        if embedded
        else Unconfigured(Channel.EMAIL.value)
    )
    text: Transport = (
        SmsGateway(sms)
        if sms
        else Outbox(outbox, "sms")
        if embedded
        else Unconfigured(Channel.SMS.value)
    )
    log.info(
        "transports",
        email=type(email).__name__,
        sms=type(text).__name__,
        outbox=str(outbox) if embedded and not (smtp and sms) else "",
    )
    return {Channel.EMAIL: email, Channel.SMS: text}


def main() -> None:
    settings = prepared(SERVICE)
    sender_address = os.environ.get("OGI_SMTP_FROM", "noreply@localhost")
    policy = MessagePolicy(
        portal_url=os.environ.get("OGI_PORTAL_URL", ""),
        mail_domain=os.environ.get(
            "OGI_NOTIFIER_MAIL_DOMAIN", sender_address.rpartition("@")[2] or "localhost"
        ),
    )
    notifier = Notifier(
        event_store_env(settings),
        AgencyDirectory.from_file(settings.agencies_file),
        Sealer(settings.cipher_key).open,
        policy,
    )
    retry = RetryPolicy(
        max_backoff=float(os.environ.get("OGI_NOTIFIER_MAX_BACKOFF_SECONDS", "60")),
        give_up_after=timedelta(hours=float(os.environ.get("OGI_NOTIFIER_GIVE_UP_HOURS", "72"))),
    )
    senders = [
        Sender(notifier, channel, transport, leadership(settings, f"sender-{channel.value}"), retry)
        for channel, transport in transports(settings).items()
    ]
    consumer = Consumer("notifier", "ogi.>", notifier.apply_event, settings.stream)

    def wake() -> None:
        for sender in senders:
            sender.wake()

    notifier.on_saved = wake

    def servicers(s: grpc.aio.Server) -> None:
        notifier_pb2_grpc.add_NotifierServiceServicer_to_server(
            NotifierServicer(notifier, Authenticator.from_settings(settings)), s
        )

    server = RpcServer(
        settings.listen,
        [notifier_pb2.DESCRIPTOR.services_by_name["NotifierService"].full_name],
        servicers,
    )
    serve(notifier, server, [consumer, *senders])


if __name__ == "__main__":
    main()
