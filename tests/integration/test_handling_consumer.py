"""Intake's events become handling cases exactly once, whatever is redelivered or killed."""

from __future__ import annotations

import uuid
from typing import Any

from ogi.messaging.nats_server import LocalNatsServer
from ogi.taxonomy import Outcome
from ogi.v1 import events_pb2, intake_pb2
from services.handling.application import Handling
from services.handling.domain import CaseState
from tests.builders import request
from tests.integration.conftest import (
    StartService,
    StreamMessage,
    applied_upto,
    registrations,
    stream_messages,
    wait_for,
)

MESSAGE_TYPES: dict[str, Any] = {
    "ogi.intake.ApplicationSubmitted": events_pb2.ApplicationSubmitted,
    "ogi.intake.CorrectionSupplied": events_pb2.CorrectionSupplied,
    "ogi.intake.ApplicationWithdrawn": events_pb2.ApplicationWithdrawn,
}


def decoded(message: StreamMessage) -> Any:
    return MESSAGE_TYPES[message.subject].FromString(message.data)


def published(nats_url: str, count: int) -> list[StreamMessage]:
    def enough() -> list[StreamMessage] | None:
        messages = [m for m in stream_messages(nats_url) if m.subject.startswith("ogi.intake.")]
        return messages if len(messages) >= count else None

    result: list[StreamMessage] = wait_for(enough, what=f"{count} intake events on the stream")
    return result


def submitted(
    start_intake: StartService, nats_server: LocalNatsServer, count: int
) -> tuple[set[str], list[StreamMessage]]:
    """`count` applications submitted (handling not started yet) and their events on the
    stream."""
    nats_server.start()
    intake = start_intake()
    numbers = {intake.stub.SubmitApplication(request()).application_number for _ in range(count)}
    return numbers, published(nats_server.url, count)


def each_once(handling_view: Handling, numbers: set[str]) -> None:
    """Every application registered as a case, exactly once."""
    counts = registrations(handling_view)
    assert len(counts) == len(numbers)
    assert set(counts.values()) == {1}
    cases = [handling_view.case(case_id) for case_id in counts]
    assert {c.application_number for c in cases if c} == numbers


def test_submissions_become_cases_and_a_withdrawal_closes_its_case(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    nats_server.start()
    intake, handling = start_intake(), start_handling()
    replies = [intake.stub.SubmitApplication(request()) for _ in range(5)]
    intake.stub.WithdrawApplication(
        intake_pb2.WithdrawApplicationRequest(
            application_number=replies[0].application_number,
            query_code=replies[0].query_code,
            reason="不再需要",
        )
    )
    messages = published(nats_server.url, 6)
    last = decoded(messages[-1]).metadata.notification_id
    wait_for(lambda: applied_upto(handling_view) >= last, what="handling to catch up")
    submitted = [decoded(m) for m in messages if m.subject.endswith("ApplicationSubmitted")]
    cases = {
        e.application_number: handling_view.case(uuid.UUID(e.metadata.aggregate_id))
        for e in submitted
    }
    assert sorted(cases) == sorted(r.application_number for r in replies)
    withdrawn = cases.pop(replies[0].application_number)
    assert withdrawn is not None
    assert (withdrawn.state, withdrawn.outcome) == (CaseState.CLOSED, Outcome.WITHDRAWN)
    assert all(c is not None and c.state is CaseState.REGISTERED for c in cases.values())
    before = handling_view.recorder.max_notification_id()
    assert handling.terminate() == 0
    start_handling()  # the durable consumer resumes; nothing is applied again
    marker = intake.stub.SubmitApplication(request())
    last = decoded(published(nats_server.url, 7)[-1]).metadata.notification_id
    wait_for(lambda: applied_upto(handling_view) >= last, what="the marker")
    assert handling_view.recorder.max_notification_id() == (before or 0) + 1
    assert marker.application_number not in cases


def test_a_redelivered_event_is_applied_once(
    start_intake: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    nats_server.start()
    intake = start_intake()
    intake.stub.SubmitApplication(request())
    message = published(nats_server.url, 1)[0]
    handling_view.apply_intake_event(message.subject, message.data)
    events = handling_view.recorder.max_notification_id()
    handling_view.apply_intake_event(message.subject, message.data)  # as after a lost ack
    assert handling_view.recorder.max_notification_id() == events
    assert list(registrations(handling_view).values()) == [1]


def test_killing_handling_mid_stream_leaves_every_case_exactly_once(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    numbers, events = submitted(start_intake, nats_server, 200)
    last = decoded(events[-1]).metadata.notification_id
    # SIGKILL after the batch holding the 77th message: its effect is committed, the
    # messages not yet acked.
    crashing = start_handling(
        wait=False,
        OGI_FAULT_INJECTION="consumer-crash-before-ack:77",
        OGI_CONSUMER_BATCH="16",
    )
    assert crashing.wait_exit(30) == -9
    at_kill = applied_upto(handling_view)
    assert 0 < at_kill < last
    # Every submission up to the position tracked, none after (a relay's position mark, which
    # carries no event, may be among the 77).
    upto = [e for e in events if decoded(e).metadata.notification_id <= at_kill]
    assert len(registrations(handling_view)) == len(upto) >= 70
    start_handling()
    wait_for(lambda: applied_upto(handling_view) >= last, timeout=60, what="the rest")
    each_once(handling_view, numbers)


def test_killing_handling_in_the_middle_of_a_batch_applies_none_of_it_and_then_all_once(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    """Killed while a batch's effects are being made: nothing of that batch is saved, the
    batches before it are, and after the restart every case is registered exactly once."""
    numbers, events = submitted(start_intake, nats_server, 200)
    last = decoded(events[-1]).metadata.notification_id
    # SIGKILL while making the 77th effect, in a batch of up to 32 (the third, or a later one
    # if a fetch found fewer ready).
    crashing = start_handling(
        wait=False,
        OGI_FAULT_INJECTION="consumer-crash-mid-batch:77",
        OGI_CONSUMER_BATCH="32",
    )
    assert crashing.wait_exit(30) == -9
    at_kill = applied_upto(handling_view)
    seventy_seventh = decoded(events[76]).metadata.notification_id
    assert 0 < at_kill < seventy_seventh  # the 77th and the batch before it in it: not saved
    upto = [e for e in events if decoded(e).metadata.notification_id <= at_kill]
    assert len(registrations(handling_view)) == len(upto) < 77
    start_handling(OGI_CONSUMER_BATCH="32")
    wait_for(lambda: applied_upto(handling_view) >= last, timeout=60, what="the rest")
    each_once(handling_view, numbers)


def test_nats_going_away_while_handling_applies_batches_loses_and_repeats_nothing(
    start_intake: StartService,
    start_handling: StartService,
    nats_server: LocalNatsServer,
    handling_view: Handling,
) -> None:
    """NATS stopped while handling is applying batches (some in flight, unacknowledged) and
    while more applications come in; after it is back every case is registered exactly once."""
    nats_server.start()
    intake = start_intake()
    start_handling(OGI_CONSUMER_BATCH="16")
    numbers = {intake.stub.SubmitApplication(request()).application_number for _ in range(120)}
    wait_for(lambda: applied_upto(handling_view) > 0, what="handling to start applying")
    nats_server.stop()
    numbers |= {intake.stub.SubmitApplication(request()).application_number for _ in range(30)}
    nats_server.start()
    wait_for(
        lambda: len(registrations(handling_view)) == len(numbers),
        timeout=90,
        what="every application to become a case",
    )
    each_once(handling_view, numbers)
