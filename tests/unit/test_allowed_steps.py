"""The steps a case offers now (Case.allowed_steps, sent to clients as Case.allowed_steps): the
same table every step checks, so a client shows only what the service would accept."""

from __future__ import annotations

from datetime import date

from ogi.taxonomy import Outcome
from services.handling.domain import Reply, ServiceMethod, Step
from tests.builders import released, review
from tests.unit.test_case import CALENDAR, H, accepted, case


def test_a_case_under_review_offers_the_steps_of_review() -> None:
    assert set(case().allowed_steps()) == {
        Step.ACCEPT,
        Step.ASSIGN,
        Step.REQUEST_CORRECTION,
        Step.REQUEST_REASONS,
        Step.REVIEW_CONFIDENTIALITY,
        Step.ANSWER,
    }


def test_an_extension_and_a_fee_notice_are_offered_once() -> None:
    c = accepted(date(2026, 3, 2))
    assert {Step.EXTEND, Step.ISSUE_FEE_NOTICE, Step.START_CONSULTATION} <= set(c.allowed_steps())
    assert Step.ACCEPT not in c.allowed_steps()
    c.extend(CALENDAR, 10, "王主任", date(2026, 3, 10), by=H)
    assert Step.EXTEND not in c.allowed_steps()


def test_a_replied_case_offers_service_only_and_a_closed_one_nothing() -> None:
    c = accepted(date(2026, 3, 2))
    c.review_confidentiality(review(date(2026, 3, 5)), by=H)
    c.answer(Reply(Outcome.R2, date(2026, 3, 5), released=released(Outcome.R2)), by=H)
    assert c.allowed_steps() == [Step.SERVE]
    c.serve(ServiceMethod.POST, date(2026, 3, 6), by=H)
    assert c.allowed_steps() == []
