"""`ogi deadletters list | replay <sequence>`: for the operator, the messages consumers set aside
(ogi.messaging.deadletter) and, once the cause is fixed, putting one back on its original
subject, marked late for the consumer that set it aside (ogi.messaging.inbox): it applies it,
though it has gone past it, once; the others had applied it and skip it. Talks to NATS
(OGI_NATS_URL), not to a service. `ogi deadletters set-aside | retry` do the same for the stored
events the services' own projections and relays set aside (ogi.cli.setaside), through the
services."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from ogi.cli import setaside
from ogi.messaging.deadletter import (
    FAILURE,
    ORIGINAL_SEQUENCE,
    ORIGINAL_SUBJECT,
    dead_letter_subject,
)
from ogi.messaging.inbox import LATE_FOR
from ogi.messaging.stream import STREAM

T = TypeVar("T")


@dataclass(frozen=True)
class SetAside:
    sequence: int  # in stream OGI
    consumer: str
    original_subject: str
    original_sequence: int
    failure: str
    data: bytes


async def set_aside(js: JetStreamContext, consumer: str = "*") -> list[SetAside]:
    """The messages set aside by `consumer` (every consumer by default), oldest first."""
    found: list[SetAside] = []
    while message := await _next_set_aside(js, found[-1].sequence + 1 if found else 1, consumer):
        found.append(message)
    return found


async def replay(js: JetStreamContext, sequence: int) -> SetAside:
    """Put the message set aside at `sequence` back on its original subject, and take it off
    the dead-letter subject."""
    message = await _next_set_aside(js, sequence, "*")
    if message is None or message.sequence != sequence:
        raise SystemExit(f"no message set aside at sequence {sequence}")
    await js.publish(
        message.original_subject,
        message.data,
        # Late for the consumer that set it aside: it applies it though it has gone past it;
        # the others have applied it already and skip it.
        headers={"Nats-Msg-Id": f"replay-{message.sequence}", LATE_FOR: message.consumer},
    )
    await js.delete_msg(STREAM, message.sequence)
    return message


async def _next_set_aside(js: JetStreamContext, sequence: int, consumer: str) -> SetAside | None:
    """The first message `consumer` set aside at or after `sequence`, if any."""
    try:
        raw = await js.get_msg(
            STREAM, seq=sequence, subject=dead_letter_subject(consumer), next=True
        )
    except NotFoundError:
        return None
    headers = raw.headers or {}
    return SetAside(
        raw.seq or sequence,
        (raw.subject or "").rsplit(".", 1)[-1],
        headers.get(ORIGINAL_SUBJECT, ""),
        int(headers.get(ORIGINAL_SEQUENCE, "0")),
        headers.get(FAILURE, ""),
        raw.data or b"",
    )


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("deadletters", help="messages consumers set aside, for the operator")
    parser.add_argument("--nats", default=os.environ.get("OGI_NATS_URL", "nats://127.0.0.1:4222"))
    actions = parser.add_subparsers(required=True)
    listing = actions.add_parser("list", help="what was set aside, and why")
    listing.add_argument("--consumer", default="*", help="e.g. archive-handling")
    listing.set_defaults(local=_list)
    again = actions.add_parser("replay", help="put one back on its original subject")
    again.add_argument("sequence", type=int, help="its sequence, as `list` shows it")
    again.set_defaults(local=_replay)
    setaside.add_actions(actions)


def _list(args: argparse.Namespace) -> None:
    for m in with_stream(args.nats, lambda js: set_aside(js, args.consumer)):
        print(
            f"{m.sequence}\t{m.consumer}\t{m.original_subject}#{m.original_sequence}\t{m.failure}"
        )


def _replay(args: argparse.Namespace) -> None:
    m = with_stream(args.nats, lambda js: replay(js, args.sequence))
    print(f"{m.sequence} → {m.original_subject}")


def with_stream(url: str, work: Callable[[JetStreamContext], Awaitable[T]]) -> T:
    """`work` done against stream OGI at `url`."""

    async def run() -> T:
        nc = await nats.connect(url)
        try:
            return await work(nc.jetstream())
        finally:
            await nc.close()

    return asyncio.run(run())
