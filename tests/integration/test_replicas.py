"""Two replicas of handling on PostgreSQL and NATS share the work; one is killed mid-load (the one
whose relay publishes) and every case still ends up correct, with no event applied twice."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from ogi.auth import Role
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.v1 import events_pb2
from ogi.v1 import handling_pb2 as h
from services.handling.application import Handling
from services.handling.domain import CaseState
from tests.builders import request
from tests.integration.conftest import (
    StartService,
    applied_upto,
    bearer,
    registrations,
    stream_messages,
    wait_for,
)

HANDLER = bearer("HZMZJ", Role.HANDLER, subject="李四")
SUBMISSIONS = 120
KILL_AFTER = 40


def published_per_case(nats_url: str, event: str) -> Counter[str]:
    """How many messages of handling's `event` the stream holds per case."""
    messages = [m for m in stream_messages(nats_url) if m.subject == f"ogi.handling.{event}"]
    assert len({m.msg_id for m in messages}) == len(messages)
    # Every handling message starts with its metadata, whatever the event.
    return Counter(
        events_pb2.CaseRegistered.FromString(m.data).metadata.aggregate_id for m in messages
    )


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_handling_replicas_one_killed_mid_load(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    nats_server.start()
    intake = start_intake()
    first = start_handling(OGI_RELAY_POLL_SECONDS="0.2")
    wait_for(lambda: "relay active" in first.log(), what="the first replica to lead the relay")
    second = start_handling(OGI_LISTEN=f"127.0.0.1:{free_port()}", OGI_RELAY_POLL_SECONDS="0.2")
    wait_for(lambda: "relay standing by" in second.log(), what="the second replica to stand by")

    with ThreadPoolExecutor(4) as pool:
        submitted = [
            pool.submit(intake.stub.SubmitApplication, request()) for _ in range(KILL_AFTER)
        ]
        numbers = {f.result().application_number for f in submitted}
        wait_for(lambda: applied_upto(handling_view) > 0, what="the replicas to start applying")
        first.kill()  # SIGKILL mid-load: the relay leader, perhaps with a message in flight
        submitted = [
            pool.submit(intake.stub.SubmitApplication, request())
            for _ in range(SUBMISSIONS - KILL_AFTER)
        ]
        numbers |= {f.result().application_number for f in submitted}

    wait_for(lambda: "relay active" in second.log(), what="the second replica to take the relay")
    wait_for(
        lambda: len(registrations(handling_view)) == SUBMISSIONS,
        timeout=60,
        what="every application to become a case",
    )
    worklist = wait_for(
        lambda: (
            items
            if len(
                items := second.handling.ListWorklist(
                    h.ListWorklistRequest(), metadata=HANDLER
                ).items
            )
            == SUBMISSIONS
            else None
        ),
        what="every case on the survivor's worklist",
    )
    for item in worklist:  # the survivor takes every case on
        second.handling.AcceptCase(h.AcceptCaseRequest(case=item.case_id), metadata=HANDLER)

    counts = registrations(handling_view)
    assert set(counts.values()) == {1}  # no application applied twice
    cases = [handling_view.case(case_id) for case_id in counts]
    assert {c.application_number for c in cases if c} == numbers
    assert all(c is not None and c.state is CaseState.IN_PROGRESS for c in cases)
    ids = {str(case_id) for case_id in counts}
    for event in ("CaseRegistered", "CaseAccepted"):

        def all_cases(e: str = event) -> Counter[str] | None:
            found = published_per_case(nats_server.url, e)
            return found if set(found) == ids else None

        published = wait_for(all_cases, what=f"every {event} on the stream")
        assert set(published.values()) == {1}, event
    assert uuid.UUID(worklist[0].case_id) in counts
