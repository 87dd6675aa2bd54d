"""Worklist rows and flags, from the Case aggregate alone."""

from __future__ import annotations

from datetime import date

from ogi.taxonomy import Outcome
from services.handling.domain import CaseState, Reply
from services.handling.worklist import item_for, row_for
from tests.builders import released, review
from tests.unit.test_case import CALENDAR, H, accepted, case


def test_a_case_awaiting_correction_has_no_reply_due_but_waits_until_the_correction_date() -> None:
    c = case(date(2026, 2, 10))
    c.request_correction(["文号"], date(2026, 2, 12), period=15, by=H)
    row = row_for(c, CALENDAR)
    assert (row.state, row.reply_due, row.waiting_until) == (
        CaseState.AWAITING_CORRECTION,
        None,
        date(2026, 3, 11),
    )
    assert row.is_open
    assert item_for(row, CALENDAR, date(2026, 3, 12), 3).overdue is False


def test_flags_count_working_days_to_the_reply_due_date() -> None:
    row = row_for(case(date(2026, 3, 2)), CALENDAR)  # due 2026-03-30
    assert row.reply_due == date(2026, 3, 30)
    early, close, today, late = (
        item_for(row, CALENDAR, day, at_risk_within=3)
        for day in (date(2026, 3, 2), date(2026, 3, 25), date(2026, 3, 30), date(2026, 3, 31))
    )
    assert (early.working_days_left, early.at_risk, early.overdue) == (20, False, False)
    assert (close.working_days_left, close.at_risk, close.overdue) == (3, True, False)
    assert (today.working_days_left, today.at_risk, today.overdue) == (0, True, False)
    assert (late.working_days_left, late.at_risk, late.overdue) == (-1, False, True)


def test_a_replied_case_is_served_by_its_reply_due_date() -> None:
    """Replied, not yet served (待送达): still on the worklist with its reply due date, and
    late once that passes unserved — timeliness is judged on the service date."""
    c = accepted(date(2026, 3, 2))  # reply due 2026-03-30
    c.review_confidentiality(review(date(2026, 3, 20)), by=H)
    c.answer(Reply(Outcome.R2, date(2026, 3, 20), released=released(Outcome.R2)), by=H)
    row = row_for(c, CALENDAR)
    assert (row.state, row.reply_due) == (CaseState.REPLIED, date(2026, 3, 30))
    assert item_for(row, CALENDAR, date(2026, 3, 27), 3).at_risk
    assert item_for(row, CALENDAR, date(2026, 3, 31), 3).overdue
