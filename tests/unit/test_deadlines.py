"""The statutory clock: the worked examples of domain.md §4, pauses, extension, unknown years."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ogi.deadlines import Pause, count_working_days, working_days_left
from ogi.workdays import Source, WorkingDayCalendar, YearSchedule, provisional_holidays

CALENDAR = WorkingDayCalendar()
known_days = st.dates(date(2019, 1, 1), date(2026, 10, 31))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2025, 9, 26), 20, date(2025, 10, 30)),  # National Day, make-up Sun 9-28, Sat 10-11
        (date(2026, 2, 10), 7, date(2026, 2, 26)),  # Spring Festival, make-up Sat 2-14
        (date(2026, 2, 12), 20, date(2026, 3, 18)),
    ],
)
def test_worked_examples(start: date, days: int, due: date) -> None:
    deadline = count_working_days(CALENDAR, start, "received", days)
    assert deadline.due == due
    assert not deadline.provisional


def test_make_up_weekend_days_count() -> None:
    assert CALENDAR.is_workday(date(2025, 9, 28))  # a Sunday
    assert CALENDAR.is_workday(date(2025, 10, 11))  # a Saturday
    assert not CALENDAR.is_workday(date(2025, 10, 6))  # a Monday in the holiday


@given(known_days, st.integers(1, 40))
def test_the_due_date_is_always_a_working_day(start: date, days: int) -> None:
    assert CALENDAR.is_workday(count_working_days(CALENDAR, start, "r", days).due)


@given(known_days, st.integers(1, 40))
def test_exactly_n_working_days_lie_after_the_start(start: date, days: int) -> None:
    due = count_working_days(CALENDAR, start, "r", days).due
    between = [start + timedelta(n) for n in range(1, (due - start).days + 1)]
    assert sum(CALENDAR.is_workday(d) for d in between) == days


@given(known_days, st.integers(1, 30), st.integers(0, 30), st.integers(0, 40))
def test_pausing_never_moves_the_due_date_earlier(
    start: date, days: int, pause_offset: int, pause_length: int
) -> None:
    plain = count_working_days(CALENDAR, start, "r", days)
    pause_start = start + timedelta(pause_offset)
    pause = Pause(pause_start, pause_start + timedelta(pause_length), pause_start, "consultation")
    paused = count_working_days(CALENDAR, start, "r", days, pauses=(pause,))
    assert paused.due >= plain.due
    assert CALENDAR.is_workday(paused.due)


@given(known_days, st.integers(1, 40))
def test_working_days_left_counts_back_what_the_period_counted(start: date, days: int) -> None:
    due = count_working_days(CALENDAR, start, "received", days).due
    assert working_days_left(CALENDAR, start, due) == days
    assert working_days_left(CALENDAR, due, due) == 0
    assert working_days_left(CALENDAR, due, start) == -days


def test_a_consultation_pause_adds_exactly_the_paused_working_days() -> None:
    start = date(2026, 3, 2)  # Monday
    pause = Pause(date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 27), "third party")
    deadline = count_working_days(CALENDAR, start, "received", 20, pauses=(pause,))
    assert deadline.paused_working_days == 5  # 9-13 March
    assert deadline.due == count_working_days(CALENDAR, start, "received", 25).due
    assert "paused 2026-03-06 to 2026-03-13: third party" in deadline.explain()


def test_an_open_pause_assumes_it_runs_to_its_latest_end() -> None:
    start = date(2026, 3, 2)
    open_pause = Pause(date(2026, 3, 6), None, date(2026, 3, 13), "third party")
    deadline = count_working_days(CALENDAR, start, "received", 20, pauses=(open_pause,))
    assert deadline.due == date(2026, 4, 7)  # 25 working days; 4-4..4-6 are 清明 days off
    assert any("still paused" in line for line in deadline.explain())


def test_extension_is_counted_and_explained() -> None:
    deadline = count_working_days(CALENDAR, date(2026, 3, 2), "received", 20, extension_days=20)
    assert deadline.due == count_working_days(CALENDAR, date(2026, 3, 2), "received", 40).due
    assert "40 working days counted, of which 20 by extension (Art 33)" in deadline.explain()


def test_provisional_holidays_agree_with_the_published_schedules() -> None:
    # From 2025, the year the 2024 revision (除夕 a holiday, 劳动节 two days) took effect.
    for year in range(2025, 2027):
        assert not [d for d in provisional_holidays(year) if chinese_calendar.is_workday(d)]


def test_a_period_into_an_unknown_year_is_provisional_until_the_schedule_is_loaded(
    tmp_path: Path,
) -> None:
    start = date(2026, 12, 15)
    provisional = count_working_days(CALENDAR, start, "received", 20)
    assert CALENDAR.source(2027) is Source.PROVISIONAL
    assert provisional.provisional
    assert provisional.due == date(2027, 1, 13)  # 1 Jan off, no moved days known
    assert "PROVISIONAL" in provisional.explain()[-1]
    schedule = tmp_path / "workdays.toml"
    schedule.write_text(
        '[years.2027]\ndays_off = ["2027-01-01", "2027-01-04"]\nmake_up_workdays = ["2027-01-09"]\n'
    )
    official = WorkingDayCalendar.from_file(schedule)
    exact = count_working_days(official, start, "received", 20)
    assert not exact.provisional
    assert official.is_workday(date(2027, 1, 9))  # a Saturday worked
    assert exact.due == date(2027, 1, 13)  # one more day off, one more day worked
    assert "overrides [2027]" in exact.calendar_version
    shifted = tmp_path / "shifted.toml"
    shifted.write_text('[years.2027]\ndays_off = ["2027-01-01", "2027-01-04", "2027-01-05"]\n')
    assert count_working_days(
        WorkingDayCalendar.from_file(shifted), start, "received", 20
    ).due == date(2027, 1, 15)


# A calendar with a loaded schedule for one year and provisional years after the package's.
OVERRIDDEN = WorkingDayCalendar(
    {
        2027: YearSchedule(
            2027, frozenset({date(2027, 1, 1), date(2027, 1, 4)}), frozenset({date(2027, 1, 9)})
        )
    }
)
any_days = st.dates(date(2019, 1, 1), date(2031, 12, 31))


@given(any_days, st.integers(1, 700), st.sampled_from([CALENDAR, OVERRIDDEN]))
def test_the_due_date_is_the_nth_working_day_after_the_start_across_years(
    start: date, days: int, calendar: WorkingDayCalendar
) -> None:
    """Counted from the calendar's running totals: the same day as counting one by one, across
    year ends, loaded schedules and provisional years."""
    deadline = count_working_days(calendar, start, "r", days)
    between = [start + timedelta(n) for n in range(1, (deadline.due - start).days + 1)]
    assert calendar.is_workday(deadline.due)
    assert sum(calendar.is_workday(d) for d in between) == days
    assert deadline.provisional == any(
        calendar.source(d.year) is Source.PROVISIONAL for d in between
    )


@given(any_days, st.integers(-1200, 1200), st.sampled_from([CALENDAR, OVERRIDDEN]))
def test_working_days_left_is_the_working_days_between_counted_one_by_one(
    today: date, offset: int, calendar: WorkingDayCalendar
) -> None:
    due = today + timedelta(offset)
    first, last = min(today, due), max(today, due)
    days = min((last - first).days, 3 * 366)
    counted = sum(calendar.is_workday(first + timedelta(n)) for n in range(1, days + 1))
    assert working_days_left(calendar, today, due) == (counted if due >= today else -counted)


def test_a_period_too_long_for_any_statute_is_refused_as_before() -> None:
    with pytest.raises(ValueError, match="no due date within"):
        count_working_days(CALENDAR, date(2025, 1, 1), "r", 800)
