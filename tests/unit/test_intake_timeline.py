"""The applicant's timeline (issue 19, item 2): each entry carries the time of its own event.

The eventsourcing library sets an aggregate's `modified_on` only after an event method has run,
so an entry stamped with it inside the method took the time of the event before."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ogi.agencies import AgencyDirectory
from ogi.config import load_settings, new_cipher_key
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2
from services.intake.application import Intake
from services.intake.domain import InformationDescription
from tests.builders import command


def test_every_entry_of_the_timeline_has_its_own_events_time() -> None:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.popo",
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": new_cipher_key(),
    }
    agencies = AgencyDirectory.from_file(load_settings("intake", {}).agencies_file)
    intake = Intake(env, agencies, clock=lambda: datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    receipt = intake.submit(command())
    number, code = receipt.application_number, receipt.query_code
    application = intake.status(number, code, "a")

    def notice(kind: str, message: Any) -> None:
        time.sleep(0.002)  # events a moment apart, so a borrowed time cannot pass for one's own
        intake.apply_handling_event(f"ogi.handling.{kind}", message.SerializeToString())

    meta = events_pb2.EventMetadata
    day = pb.CalendarDate(year=2026, month=3, day=3)
    notice(
        "CorrectionRequested",
        events_pb2.CorrectionRequested(
            metadata=meta(notification_id=1, aggregate_id=str(application.id)),
            items=["写明文号"],
            notice_date=day,
            correction_due=pb.CalendarDate(year=2026, month=3, day=24),
        ),
    )
    time.sleep(0.002)
    intake.supply_correction(number, code, "a", InformationDescription("2025年低保发放明细"), "")
    notice(
        "CaseAccepted",
        events_pb2.CaseAccepted(
            metadata=meta(notification_id=2, aggregate_id=str(application.id)), reply_due=day
        ),
    )
    time.sleep(0.002)
    intake.withdraw(number, code, "a", "不再需要")

    events: list[Any] = list(intake.events.get(application.id))
    history = intake.status(number, code, "a").history
    assert len(history) == len(events) == 5
    assert [entry.at for entry in history] == [event.timestamp for event in events]
