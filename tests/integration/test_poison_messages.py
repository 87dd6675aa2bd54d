"""A message a consumer cannot apply does not stop it (ogi.messaging.deadletter): after the
policy's number of failed deliveries it is set aside on ogi.deadletter.<consumer>, with why,
and the events after it are applied in order; a database that fails is retried instead. Real
nats-server; the archive service as production runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import nats
from eventsourcing.persistence import OperationalError

from ogi.cli.deadletters import SetAside, set_aside, with_stream
from ogi.cli.main import main as cli
from ogi.messaging.consumer import Consumer
from ogi.messaging.deadletter import PoisonPolicy
from ogi.messaging.nats_server import LocalNatsServer
from ogi.messaging.stream import StreamSettings, ensure_stream
from ogi.v1 import archive_pb2 as a
from tests.integration.conftest import StartService, wait_for
from tests.integration.test_archive_service import (
    HEAD,
    concluded_cases,
    disclosed_in_2025,
    publish,
)

GARBAGE = b"\xff\xff\xff not a protocol buffer"


def set_aside_by(nats_url: str, consumer: str) -> list[SetAside]:
    return with_stream(nats_url, lambda js: set_aside(js, consumer))


def consume(
    nats_url: str,
    messages: list[bytes],
    apply: Callable[[str, bytes], None],
    done: Callable[[], bool],
) -> None:
    """Publish `messages` on ogi.test.Thing and run a consumer until `done`."""

    async def run() -> None:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await ensure_stream(js, 1, 60.0)
        for n, data in enumerate(messages):
            await js.publish("ogi.test.Thing", data, headers={"Nats-Msg-Id": f"test:{n}"})
        await nc.close()
        consumer = Consumer(
            "test-consumer",
            "ogi.test.>",
            apply,
            StreamSettings(nats_url, duplicate_window=60.0),
            ack_wait=1.0,
            poison=PoisonPolicy(deliveries=2),
        )
        task = asyncio.create_task(consumer.run())
        for _ in range(300):
            if done():
                break
            await asyncio.sleep(0.1)
        await consumer.stop()
        await task

    asyncio.run(run())


def test_a_message_that_keeps_failing_is_set_aside_and_the_rest_applied_in_order(
    nats_server: LocalNatsServer,
) -> None:
    nats_server.start()
    applied: list[bytes] = []
    attempts: list[bytes] = []

    def apply(_subject: str, data: bytes) -> None:
        attempts.append(data)
        if data == b"poison":
            raise ValueError("cannot read this")
        applied.append(data)

    consume(nats_server.url, [b"one", b"poison", b"two"], apply, lambda: len(applied) == 2)
    assert applied == [b"one", b"two"]
    assert attempts.count(b"poison") == 2  # the policy's number of deliveries, no more
    [aside] = set_aside_by(nats_server.url, "test-consumer")
    assert (aside.consumer, aside.data) == ("test-consumer", b"poison")
    assert (aside.original_subject, aside.original_sequence) == ("ogi.test.Thing", 2)
    assert aside.failure == "ValueError: cannot read this"

    # The cause is fixed; the operator puts it back, and it is applied after the others.
    fixed = {b"poison": b"poison, read at last"}
    assert cli(["deadletters", "--nats", nats_server.url, "replay", str(aside.sequence)]) == 0
    consume(
        nats_server.url,
        [],
        lambda _, data: applied.append(fixed.get(data, data)),
        lambda: len(applied) == 3,
    )
    assert applied == [b"one", b"two", b"poison, read at last"]
    assert set_aside_by(nats_server.url, "test-consumer") == []


def test_a_failing_database_is_retried_not_set_aside(nats_server: LocalNatsServer) -> None:
    nats_server.start()
    applied: list[bytes] = []
    failures = [OperationalError("database is locked")] * 3  # more than the policy's 2

    def apply(_subject: str, data: bytes) -> None:
        if data == b"two" and failures:
            raise failures.pop()
        applied.append(data)

    consume(nats_server.url, [b"one", b"two", b"three"], apply, lambda: len(applied) == 3)
    assert applied == [b"one", b"two", b"three"]
    assert set_aside_by(nats_server.url, "test-consumer") == []


def test_archive_sets_a_garbled_event_aside_and_files_the_cases_after_it(
    start_archive: StartService, nats_server: LocalNatsServer
) -> None:
    nats_server.start()
    messages, numbers = concluded_cases(3)
    # After the first case's three messages: a message on a subject archive reads, garbled.
    messages.insert(3, ("ogi.handling.CaseRegistered", GARBAGE))
    publish(nats_server.url, messages)
    archive = start_archive(OGI_POLICY_POISON_DELIVERIES="2")
    wait_for(lambda: disclosed_in_2025(archive) == 3, timeout=60, what="every dossier")
    for number in numbers:
        dossier = archive.archive.GetDossier(
            a.GetDossierRequest(dossier=number), metadata=HEAD
        ).dossier
        assert dossier.archived, number
    [aside] = set_aside_by(nats_server.url, "archive-handling")
    assert (aside.data, aside.original_subject) == (GARBAGE, "ogi.handling.CaseRegistered")
    assert aside.failure.startswith("DecodeError")
