"""The Case aggregate: the lifecycle of domain.md §3 and the deadlines it derives."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from eventsourcing.application import Application

from ogi.errors import InvalidArgument, PreconditionFailed
from ogi.persistence import DateAsISO, dataclass_transcoding
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from ogi.workdays import WorkingDayCalendar
from services.handling.disclosure import ReviewConclusion
from services.handling.domain import CASE_VALUE_TYPES, Case, CaseState, Reply, ServiceMethod
from tests.builders import released, review

CALENDAR = WorkingDayCalendar()
H = "张三"


def case(receipt: date = date(2026, 3, 2)) -> Case:
    return Case(
        application_id=uuid.uuid4(),
        application_number="HZMZJ-2026-000001",
        agency_code="HZMZJ",
        receipt_date=receipt,
        applicant_category=ApplicantCategory.NATURAL_PERSON,
        description="低保资金发放明细",
    )


def accepted(receipt: date = date(2026, 3, 2)) -> Case:
    c = case(receipt)
    c.accept(by=H)
    return c


def refused_without_change(c: Case, step: object, error: type[Exception]) -> None:
    before = (c.version, c.state, len(c.collect_events()))
    with pytest.raises(error):
        step()  # type: ignore[operator]
    assert (c.version, c.state, len(c.collect_events())) == (before[0], before[1], 0)


def test_the_reply_period_across_national_day() -> None:
    assert case(date(2025, 9, 26)).reply_deadline(CALENDAR).due == date(2025, 10, 30)


def test_a_correction_restarts_the_reply_period() -> None:
    c = case(date(2026, 2, 10))
    assert c.correction_notice_deadline(CALENDAR).due == date(2026, 2, 26)
    c.request_correction(["写明文件名称或文号"], date(2026, 2, 12), period=15, by=H)
    # 2-13, Sat 2-14 (make-up), 2-24..27, Sat 2-28 (make-up), 3-2..6, 3-9..11
    assert c.correction_due(CALENDAR).due == date(2026, 3, 11)  # type: ignore[union-attr]
    c.receive_correction(date(2026, 3, 2), "2025年第四季度低保资金发放明细")
    deadline = c.reply_deadline(CALENDAR)
    assert (deadline.start, deadline.due) == (date(2026, 3, 2), date(2026, 3, 30))
    assert "corrected application received (Art 30)" in deadline.explain()[0]
    refused_without_change(
        c, lambda: c.request_correction(["again"], date(2026, 3, 3), 15, by=H), PreconditionFailed
    )  # once only


def test_correction_lapse_only_after_its_period() -> None:
    c = case(date(2026, 2, 10))
    c.request_correction(["文号"], date(2026, 2, 12), period=15, by=H)
    refused_without_change(
        c, lambda: c.lapse_correction(CALENDAR, date(2026, 3, 11), by=H), PreconditionFailed
    )
    c.lapse_correction(CALENDAR, date(2026, 3, 12), by=H)
    assert (c.state, c.outcome) == (CaseState.CLOSED, Outcome.NO_CORRECTION)


def test_a_consultation_pauses_the_clock() -> None:
    c = accepted(date(2026, 3, 2))
    c.start_consultation("某公司 (third party)", date(2026, 3, 6), by=H)
    assert c.state is CaseState.CONSULTING
    assert c.consultation_due(CALENDAR).due == date(2026, 3, 27)  # type: ignore[union-attr]
    refused_without_change(
        c, lambda: c.answer(Reply(Outcome.R2, date(2026, 3, 9)), by=H), PreconditionFailed
    )
    c.end_consultation(date(2026, 3, 13), "不同意公开", by=H)
    assert c.reply_deadline(CALENDAR).due == date(2026, 4, 7)  # 20 + 5 paused WD (清明 4-4..4-6)


def test_an_extension_once_at_most_twenty_days_before_the_period_ends() -> None:
    c = accepted(date(2026, 3, 2))
    refused_without_change(
        c, lambda: c.extend(CALENDAR, 21, "王主任", date(2026, 3, 20), by=H), InvalidArgument
    )
    refused_without_change(
        c, lambda: c.extend(CALENDAR, 20, " ", date(2026, 3, 20), by=H), InvalidArgument
    )
    refused_without_change(
        c, lambda: c.extend(CALENDAR, 20, "王主任", date(2026, 3, 31), by=H), PreconditionFailed
    )  # the period ended on 3-30
    c.extend(CALENDAR, 20, "王主任", date(2026, 3, 20), by=H)
    assert c.reply_deadline(CALENDAR).due == date(2026, 4, 28)  # 4-4..4-6 off (清明)
    refused_without_change(
        c, lambda: c.extend(CALENDAR, 5, "王主任", date(2026, 3, 21), by=H), PreconditionFailed
    )


def test_a_fee_pauses_the_clock_and_lapses_after_twenty_working_days() -> None:
    c = accepted(date(2026, 3, 2))
    c.issue_fee_notice("83460", "per_page", date(2026, 3, 5), pauses=True, by=H)
    assert c.fee_due(CALENDAR).due == date(2026, 4, 2)  # type: ignore[union-attr]
    refused_without_change(
        c, lambda: c.lapse_fee(CALENDAR, date(2026, 4, 2), by=H), PreconditionFailed
    )
    c.lapse_fee(CALENDAR, date(2026, 4, 3), by=H)
    assert (c.state, c.outcome) == (CaseState.CLOSED, Outcome.FEE_NOT_PAID)


def test_a_paid_fee_resumes_the_clock() -> None:
    c = accepted(date(2026, 3, 2))
    c.issue_fee_notice("200", "per_application", date(2026, 3, 5), pauses=True, by=H)
    c.record_payment(date(2026, 3, 12), by=H)
    assert c.state is CaseState.IN_PROGRESS
    assert c.reply_deadline(CALENDAR).paused_working_days == 5


def test_a_waived_fee_is_recorded_with_its_reason_and_resumes_the_clock() -> None:
    c = accepted(date(2026, 3, 2))
    refused_without_change(
        c, lambda: c.waive_fee(date(2026, 3, 6), "低保对象", by=H), PreconditionFailed
    )  # no notice yet: nothing to waive
    c.issue_fee_notice("200", "per_application", date(2026, 3, 5), pauses=True, by=H)
    refused_without_change(c, lambda: c.waive_fee(date(2026, 3, 6), " ", by=H), InvalidArgument)
    refused_without_change(
        c, lambda: c.waive_fee(date(2026, 3, 4), "低保对象", by=H), InvalidArgument
    )  # before the notice
    c.waive_fee(date(2026, 3, 12), " 申请人为最低生活保障对象 ", by=H)
    assert (c.state, c.fee_waiver_reason) == (CaseState.IN_PROGRESS, "申请人为最低生活保障对象")
    assert c.reply_deadline(CALENDAR).paused_working_days == 5
    assert c.fee_due(CALENDAR) is None
    refused_without_change(c, lambda: c.record_payment(date(2026, 3, 13), by=H), PreconditionFailed)
    refused_without_change(
        c, lambda: c.waive_fee(date(2026, 3, 13), "again", by=H), PreconditionFailed
    )


def test_an_art35_date_replaces_the_period() -> None:
    c = accepted(date(2026, 3, 2))
    c.request_reasons(date(2026, 3, 3), by=H)
    c.assess_reasons(reasonable=True, later_due=date(2026, 6, 30), by=H)
    deadline = c.reply_deadline(CALENDAR)
    assert (deadline.due, deadline.replaced_by_art35) == (date(2026, 6, 30), True)


def test_unreasonable_reasons_end_in_r12() -> None:
    c = case()
    c.request_reasons(date(2026, 3, 3), by=H)
    c.assess_reasons(reasonable=False, later_due=None, by=H)
    c.answer(Reply(Outcome.R12, date(2026, 3, 10), reasons="一年内同类申请300余件"), by=H)
    assert c.outcome is Outcome.R12


@pytest.mark.parametrize(
    ("reply", "field"),
    [
        (Reply(Outcome.R3, date(2026, 3, 9), reasons="涉及商业秘密"), "ground"),
        (Reply(Outcome.R3, date(2026, 3, 9), ground=NonDisclosureGround.THIRD_PARTY), "reasons"),
        (Reply(Outcome.R5, date(2026, 3, 9), reasons="非本机关制作"), "responsible_agency"),
        (Reply(Outcome.R2, date(2026, 3, 9), ground=NonDisclosureGround.STATE_SECRET), "ground"),
        (Reply(Outcome.WITHDRAWN, date(2026, 3, 9)), "outcome"),
        (Reply(Outcome.R2, date(2026, 3, 1), released=released(Outcome.R2)), "replied_on"),
    ],
)
def test_a_reply_must_say_what_the_law_requires(reply: Reply, field: str) -> None:
    c = accepted()
    with pytest.raises(InvalidArgument) as error:
        c.answer(reply, by=H)
    assert field in {v.field for v in error.value.violations}
    assert c.state is CaseState.IN_PROGRESS


def test_r14_only_after_a_correction_was_received() -> None:
    c = accepted()
    refused_without_change(
        c,
        lambda: c.answer(Reply(Outcome.R14, date(2026, 3, 9), reasons="仍不明确"), by=H),
        PreconditionFailed,
    )


def test_reply_then_service_closes_the_case_and_withdrawal_is_then_refused() -> None:
    c = accepted()
    c.assign("李四", by=H)
    c.answer(
        Reply(
            Outcome.R3,
            date(2026, 3, 20),
            reasons="涉及第三方商业秘密",
            ground=NonDisclosureGround.THIRD_PARTY,
        ),
        by=H,
    )
    c.serve(ServiceMethod.POST, date(2026, 3, 20), by=H)
    assert (c.state, c.outcome, c.concluded_on) == (CaseState.CLOSED, Outcome.R3, date(2026, 3, 20))
    refused_without_change(c, lambda: c.withdraw(date(2026, 3, 21), ""), PreconditionFailed)


def test_history_replays_to_the_same_case() -> None:
    class Store(Application[uuid.UUID]):
        def register_transcodings(self, transcoder):  # type: ignore[no-untyped-def]
            super().register_transcodings(transcoder)
            transcoder.register(DateAsISO())
            for value_type in CASE_VALUE_TYPES:
                transcoder.register(dataclass_transcoding(value_type))

    store = Store(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    c = accepted(date(2026, 3, 2))
    c.start_consultation("某公司", date(2026, 3, 6), by=H)
    c.end_consultation(date(2026, 3, 13), "同意", by=H)
    c.extend(CALENDAR, 10, "王主任", date(2026, 3, 20), by=H)
    c.review_confidentiality(review(date(2026, 3, 31), ReviewConclusion.PARTLY_DISCLOSABLE), by=H)
    partly = Reply(Outcome.R8, date(2026, 4, 1), reasons="部分涉及个人隐私")
    c.answer(replace(partly, released=released(Outcome.R8)), by=H)
    store.save(c)
    replayed: Case = store.repository.get(c.id)
    assert replayed.reply_deadline(CALENDAR) == c.reply_deadline(CALENDAR)
    assert (replayed.state, replayed.reply) == (c.state, c.reply)
