"""Intake use cases against the library's in-memory event store (a fake, not a mock)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ogi.agencies import AgencyDirectory
from ogi.config import load_settings, new_cipher_key
from ogi.errors import AlreadyExists, InvalidArgument, NotFound, PreconditionFailed, TooManyAttempts
from ogi.taxonomy import Channel
from ogi.v1 import common_pb2 as pb
from ogi.v1 import events_pb2
from services.intake.application import Intake
from services.intake.domain import ApplicationState, InformationDescription
from services.intake.throttle import GuessPolicy, GuessThrottle
from tests.builders import command


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))  # 09:30 in China


@pytest.fixture
def intake(clock: FakeClock) -> Intake:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.popo",
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": new_cipher_key(),
    }
    agencies = AgencyDirectory.from_file(load_settings("intake", {}).agencies_file)
    return Intake(
        env, agencies, clock=clock, throttle=GuessThrottle(GuessPolicy(per_number=3, per_address=6))
    )


def stored(intake: Intake) -> int:
    return intake.recorder.max_notification_id() or 0


def test_online_receipt_date_is_the_acknowledgement_day_in_china(
    intake: Intake, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 01:00 on 3 March in China
    assert intake.submit(command()).receipt_date == date(2026, 3, 3)


def test_numbers_count_per_agency_and_receipt_year(intake: Intake) -> None:
    numbers = [
        intake.submit(command()).application_number,
        intake.submit(command()).application_number,
        intake.submit(command(agency_code="HZBGS")).application_number,
        intake.submit(
            command(channel=Channel.POST_SIGNED, receipt_date=date(2025, 12, 30))
        ).application_number,
    ]
    assert numbers == [
        "HZMZJ-2026-000001",
        "HZMZJ-2026-000002",
        "HZBGS-2026-000001",
        "HZMZJ-2025-000001",
    ]


def test_a_retry_returns_the_same_application_and_stores_nothing(intake: Intake) -> None:
    first = intake.submit(cmd := command())
    before = stored(intake)
    again = intake.submit(cmd)
    assert (again.application_number, again.query_code, again.replayed) == (
        first.application_number,
        first.query_code,
        True,
    )
    assert stored(intake) == before


def test_a_retry_between_submissions_takes_no_number(intake: Intake) -> None:
    """A retry is not looked for before numbering: its save fails and stores nothing, and the
    sequence it was numbered with is not kept."""
    intake.submit(cmd := command())
    assert intake.submit(cmd).replayed
    assert intake.submit(command()).application_number == "HZMZJ-2026-000002"


def test_a_receipt_says_where_its_submission_ends_in_the_log(intake: Intake) -> None:
    """The position a write returns (ogi.freshness) is its own transaction's last notification;
    a replayed submission saved nothing and says so with 0."""
    first = intake.submit(cmd := command())
    assert first.position == stored(intake) > 0
    second = intake.submit(command())
    assert second.position == stored(intake) > first.position
    assert intake.submit(cmd).position == 0


def test_replicas_numbering_one_agency_in_turn_issue_each_number_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Each replica numbers with the sequence it last saved, without reading it first; when
    the other has numbered since, that save fails on the sequence's version and the submission
    is numbered again from a fresh read: no number twice, none skipped."""
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "intake.sqlite"),
        "SQLITE_LOCK_TIMEOUT": "30",
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": new_cipher_key(),
    }
    agencies = AgencyDirectory.from_file(load_settings("intake", {}).agencies_file)
    first, second = Intake(env, agencies, clock=clock), Intake(env, agencies, clock=clock)
    turns = [first, first, second, first, second, second, first]
    numbers = [replica.submit(command()).application_number for replica in turns]
    assert numbers == [f"HZMZJ-2026-{i:06d}" for i in range(1, 8)]


def test_a_request_id_reused_for_other_content_is_refused(intake: Intake) -> None:
    cmd = command()
    intake.submit(cmd)
    before = stored(intake)
    with pytest.raises(AlreadyExists):
        intake.submit(replace(cmd, information=InformationDescription("另一件事")))
    assert stored(intake) == before


def test_an_invalid_submission_stores_nothing_and_uses_no_number(intake: Intake) -> None:
    with pytest.raises(InvalidArgument) as error:
        intake.submit(command(agency_code="NOPE"))
    assert [v.field for v in error.value.violations] == ["agency_code"]
    assert stored(intake) == 0
    assert intake.submit(command()).application_number == "HZMZJ-2026-000001"


def test_the_query_code_opens_the_application_and_is_stored_only_as_a_hash(
    intake: Intake,
) -> None:
    receipt = intake.submit(command())
    application = intake.status(receipt.application_number, receipt.query_code.lower(), "a")
    assert application.state is ApplicationState.RECEIVED
    assert receipt.query_code.replace("-", "") not in repr(vars(application))


def test_a_wrong_code_looks_exactly_like_an_unknown_number(intake: Intake) -> None:
    receipt = intake.submit(command())
    with pytest.raises(NotFound) as wrong_code:
        intake.status(receipt.application_number, "AAAA-BBBB-CCCC-DDDD", "a")
    with pytest.raises(NotFound) as unknown:
        intake.status("HZMZJ-2026-999999", receipt.query_code, "a")
    assert str(wrong_code.value) == str(unknown.value)


def test_repeated_guessing_is_slowed_down_per_client(intake: Intake, clock: FakeClock) -> None:
    receipt = intake.submit(command())
    for _ in range(3):
        with pytest.raises(NotFound):
            intake.status(receipt.application_number, "WRONG", "guesser")
    with pytest.raises(TooManyAttempts) as slowed:
        intake.status(receipt.application_number, receipt.query_code, "guesser")
    assert 0 < slowed.value.retry_after_seconds <= 15 * 60
    assert intake.status(receipt.application_number, receipt.query_code, "applicant")
    clock.now += timedelta(minutes=15)
    assert intake.status(receipt.application_number, receipt.query_code, "guesser")


def test_a_slowed_guesser_is_told_how_long_to_wait(intake: Intake, clock: FakeClock) -> None:
    receipt = intake.submit(command())
    for _ in range(3):
        with pytest.raises(NotFound):
            intake.status(receipt.application_number, "WRONG", "guesser")
    clock.now += timedelta(seconds=8)  # 892 s left of the 15-minute window
    with pytest.raises(TooManyAttempts) as slowed:
        intake.status(receipt.application_number, receipt.query_code, "guesser")
    assert str(slowed.value) == (
        "查询码错误次数过多，请约15分钟后再试"
        "（too many wrong query codes; retry in about 15 minutes）"
    )
    clock.now += timedelta(seconds=892 - 30)
    with pytest.raises(TooManyAttempts) as soon:
        intake.status(receipt.application_number, receipt.query_code, "guesser")
    assert "请约30秒后再试" in str(soon.value)
    assert "retry in about 30 seconds" in str(soon.value)


def test_withdrawal_is_final(intake: Intake) -> None:
    receipt = intake.submit(command())
    number, code = receipt.application_number, receipt.query_code
    assert intake.withdraw(number, code, "a", "已通过其他途径获取") == date(2026, 3, 2)
    before = stored(intake)
    with pytest.raises(PreconditionFailed):
        intake.withdraw(number, code, "a", "")
    with pytest.raises(PreconditionFailed):
        intake.supply_correction(number, code, "a", InformationDescription("补正"), "")
    assert stored(intake) == before
    assert intake.status(number, code, "a").state is ApplicationState.WITHDRAWN


def correction_requested(intake: Intake, number: str, code: str, position: int) -> bytes:
    application = intake.status(number, code, "a")
    return events_pb2.CorrectionRequested(
        metadata=events_pb2.EventMetadata(
            notification_id=position, aggregate_id=str(application.id)
        ),
        items=["写明文号"],
        notice_date=pb.CalendarDate(year=2026, month=3, day=3),
        correction_due=pb.CalendarDate(year=2026, month=3, day=24),
    ).SerializeToString()


def test_a_correction_notice_is_shown_once_and_then_a_correction_replaces_the_description(
    intake: Intake,
) -> None:
    receipt = intake.submit(command())
    number, code = receipt.application_number, receipt.query_code
    notice = correction_requested(intake, number, code, position=7)
    intake.apply_handling_event("ogi.handling.CorrectionRequested", notice)
    intake.apply_handling_event("ogi.handling.CorrectionRequested", notice)  # redelivered
    application = intake.status(number, code, "a")
    assert application.state is ApplicationState.CORRECTION_REQUESTED
    shown = [h.notice for h in application.history if h.notice]
    assert len(shown) == 1
    assert (shown[0].due, list(shown[0].items)) == (date(2026, 3, 24), ["写明文号"])
    corrected = InformationDescription("2025年第四季度低保资金发放明细", "", "菏民发〔2025〕3号")
    intake.supply_correction(number, code, "a", corrected, "")
    application = intake.status(number, code, "a")
    assert application.information == corrected
    assert application.state is ApplicationState.RECEIVED
    assert [h.kind for h in application.history] == [
        "ApplicationSubmitted",
        "CorrectionRequested",
        "CorrectionSupplied",
    ]
    before = stored(intake)
    with pytest.raises(PreconditionFailed):  # one correction per request
        intake.supply_correction(number, code, "a", corrected, "")
    assert stored(intake) == before


def test_an_empty_correction_is_refused(intake: Intake) -> None:
    receipt = intake.submit(command())
    notice = correction_requested(intake, receipt.application_number, receipt.query_code, 1)
    intake.apply_handling_event("ogi.handling.CorrectionRequested", notice)
    with pytest.raises(InvalidArgument):
        intake.supply_correction(
            receipt.application_number, receipt.query_code, "a", InformationDescription(""), ""
        )


def test_concurrent_submissions_get_distinct_consecutive_numbers(intake: Intake) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        number = intake.submit(command()).application_number
        with lock:
            numbers.append(number)

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"HZMZJ-2026-{i:06d}" for i in range(1, 17)]
