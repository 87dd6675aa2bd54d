"""Upstream events applied in batches (ogi.messaging.inbox.apply_all): one transaction with the
last position's tracking, each effect seeing what the ones before it changed, nothing saved
when one fails, a redelivered batch applied once — and the same result as one at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from eventsourcing.persistence import ProcessRecorder
from google.protobuf.message import DecodeError

from ogi.agencies import AgencyDirectory
from ogi.annual_report import RECEIVED, RESULTS_TOTAL, TOTAL
from ogi.auth import Principal, Role
from ogi.config import load_settings, new_cipher_key
from ogi.messaging.inbox import Delivery
from ogi.projection import ProjectionWorker
from ogi.taxonomy import Outcome
from services.archive.application import Archive
from tests.handling_feed import HandlingFeed

HEAD = Principal("head", "HZMZJ", frozenset({Role.OFFICE_HEAD}))


def archive_at(path: Path) -> Archive:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": new_cipher_key(),
    }
    return Archive(env, AgencyDirectory.from_file(load_settings("archive", {}).agencies_file))


class Batches:
    """Collects what a HandlingFeed sends, as the consumer hands it over: subject, bytes and
    the relay's message id."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.feed = HandlingFeed(self.collect)

    def collect(self, subject: str, data: bytes) -> None:
        self.deliveries.append(
            Delivery(subject, data, {"Nats-Msg-Id": f"handling:{self.feed.position}"})
        )

    def take(self) -> list[Delivery]:
        taken, self.deliveries = self.deliveries, []
        return taken


def two_cases(feed: HandlingFeed) -> None:
    """Two cases registered, answered and served in 2025: each case's later events follow its
    registration within the same batch."""
    for day in (3, 4):
        case = feed.register(date(2025, 3, day))
        feed.answer_and_serve(case, Outcome.R1, date(2025, 3, 20))


def counted(archive: Archive) -> tuple[int, int]:
    ProjectionWorker(archive, archive.statistics).catch_up()
    table = archive.annual_report(HEAD, "HZMZJ", 2025, False).table
    return table.three(RECEIVED, TOTAL), table.three(RESULTS_TOTAL, TOTAL)


def tracked(archive: Archive) -> int:
    """The upstream position archive has applied up to."""
    return cast(ProcessRecorder, archive.recorder).max_tracking_id("handling") or 0


def stored(archive: Archive) -> list[tuple[str, int]]:
    """The events archive saved: topic and version, in log order."""
    return [
        (n.topic.rsplit(".", 1)[-1], n.originator_version)
        for n in archive.recorder.select_notifications(start=1, limit=1000)
    ]


def test_a_batch_is_applied_in_one_transaction_as_one_at_a_time_would(tmp_path: Path) -> None:
    batches = Batches()
    two_cases(batches.feed)
    deliveries = batches.take()
    assert len(deliveries) > 4

    batched = archive_at(tmp_path / "batched.sqlite")
    batched.apply_handling_events(deliveries)
    single = archive_at(tmp_path / "single.sqlite")
    for delivery in deliveries:
        single.apply_handling_event(delivery.subject, delivery.data)

    # A dossier opened early in the batch got the batch's later events of its case: without
    # the pending state the later ones would find no dossier and be passed over.
    assert counted(batched) == counted(single) == (2, 2)
    assert stored(batched) == stored(single)
    assert tracked(batched) == len(deliveries)


def test_a_redelivered_batch_is_applied_once_and_an_overlapping_one_only_its_new_part(
    tmp_path: Path,
) -> None:
    archive = archive_at(tmp_path / "archive.sqlite")
    batches = Batches()
    two_cases(batches.feed)
    first = batches.take()
    archive.apply_handling_events(first)
    events = archive.recorder.max_notification_id()
    archive.apply_handling_events(first)  # as after a crash between commit and ack
    assert archive.recorder.max_notification_id() == events
    batches.feed.register(date(2025, 3, 5))
    archive.apply_handling_events(first[-2:] + batches.take())  # old ones, then a new one
    assert counted(archive) == (3, 2)


def test_a_batch_in_which_one_effect_fails_saves_nothing(tmp_path: Path) -> None:
    archive = archive_at(tmp_path / "archive.sqlite")
    batches = Batches()
    two_cases(batches.feed)
    deliveries = batches.take()
    broken = Delivery(deliveries[3].subject, b"\xff\xff not a message", deliveries[3].headers)
    with pytest.raises(DecodeError):
        archive.apply_handling_events([*deliveries[:3], broken, *deliveries[4:]])
    assert archive.recorder.max_notification_id() in (None, 0)
    assert tracked(archive) == 0
    archive.apply_handling_events(deliveries)  # the consumer's next try: all of them, once
    assert counted(archive) == (2, 2)


def test_messages_a_service_has_no_use_for_still_move_its_position(tmp_path: Path) -> None:
    archive = archive_at(tmp_path / "archive.sqlite")
    marks = [
        Delivery("ogi.handling.Position", b"", {"Nats-Msg-Id": f"handling:{n}"}) for n in (7, 9)
    ]
    archive.apply_handling_events(marks)
    assert tracked(archive) == 9
    assert archive.recorder.max_notification_id() in (None, 0)


def test_positions_out_of_order_are_refused_whole(tmp_path: Path) -> None:
    archive = archive_at(tmp_path / "archive.sqlite")
    marks: list[Any] = [
        Delivery("ogi.handling.Position", b"", {"Nats-Msg-Id": f"handling:{n}"}) for n in (9, 7)
    ]
    with pytest.raises(ValueError, match="out of order"):
        archive.apply_handling_events(marks)
    assert tracked(archive) == 0
