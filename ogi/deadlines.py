"""The statutory clock: due dates counted in working days, each with its explanation.

Counting (《民法典》第二百零一条 by analogy): the start day is not counted; a period of N
working days ends on the N-th working day after it. Paused time (consultation, Art 33 para 3;
waiting for a fee, a policy) is not counted: a working day d with
pause.start < d <= pause.end is skipped."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from ogi.workdays import Source, WorkingDayCalendar

REPLY_PERIOD = 20  # Art 33 para 2
MAX_EXTENSION = 20  # Art 33 para 2
CORRECTION_NOTICE_PERIOD = 7  # Art 30
CONSULTATION_PERIOD = 15  # Art 32
FEE_PAYMENT_PERIOD = 20  # 信息处理费管理办法
_SEARCH_LIMIT = 3 * 366  # no statutory period spans more than this many calendar days
# Running totals are made for whole years up to a period's end; for a start this close to the
# last date Python knows, days are counted one by one (and overflow as they always did).
_LAST_COUNTED_YEAR = date.max.year - 5


@dataclass(frozen=True)
class Pause:
    """Time not counted. `end` is when it ended; while open, `latest_end` bounds it (the
    consultation or payment period's last day), and the due date assumes it runs that long."""

    start: date
    end: date | None
    latest_end: date
    reason: str

    @property
    def effective_end(self) -> date:
        return self.end if self.end is not None else self.latest_end

    def covers(self, day: date) -> bool:
        return self.start < day <= self.effective_end


@dataclass(frozen=True)
class Deadline:
    """A due date and why: start and its reason, days counted, days excluded, extension,
    calendar version, and whether any day came from the provisional calendar."""

    due: date
    start: date
    start_reason: str
    working_days: int
    extension_days: int = 0
    paused_working_days: int = 0
    pauses: tuple[Pause, ...] = ()
    replaced_by_art35: bool = False
    calendar_version: str = ""
    provisional: bool = False

    def explain(self) -> list[str]:
        if self.replaced_by_art35:
            lines = [f"due {self.due}: the later reply date set under Art 35 replaces the period"]
        else:
            lines = [
                f"start {self.start} ({self.start_reason}); the start day is not counted",
                f"{self.working_days} working days counted"
                + (
                    f", of which {self.extension_days} by extension (Art 33)"
                    if self.extension_days
                    else ""
                ),
            ]
            lines += [
                f"paused {p.start} to {p.end or f'at most {p.latest_end} (still paused)'}: "
                f"{p.reason}"
                for p in self.pauses
            ]
            if self.paused_working_days:
                lines.append(f"{self.paused_working_days} working days not counted (paused)")
            lines.append(f"due {self.due}")
        lines.append(
            f"calendar: {self.calendar_version}"
            + (" — PROVISIONAL: a year without a published schedule" if self.provisional else "")
        )
        return lines


def count_working_days(
    calendar: WorkingDayCalendar,
    start: date,
    start_reason: str,
    working_days: int,
    *,
    pauses: tuple[Pause, ...] = (),
    extension_days: int = 0,
) -> Deadline:
    """The day on which `working_days` (+ extension) working days after `start` have run,
    not counting paused days."""
    target = working_days + extension_days
    if pauses or target <= 0 or start.year > _LAST_COUNTED_YEAR:
        due, paused, provisional = _day_by_day(calendar, start, target, pauses)
    else:
        due, paused = _nth_working_day_after(calendar, start, target), 0
        provisional = any(
            calendar.source(year) is Source.PROVISIONAL
            for year in range((start + timedelta(days=1)).year, due.year + 1)
        )
    return Deadline(
        due=due,
        start=start,
        start_reason=start_reason,
        working_days=target,
        extension_days=extension_days,
        paused_working_days=paused,
        pauses=pauses,
        calendar_version=calendar.version,
        provisional=provisional,
    )


def _nth_working_day_after(calendar: WorkingDayCalendar, start: date, n: int) -> date:
    """The n-th working day after `start` (n >= 1), found in the calendar's running totals."""
    year = start.year
    totals = calendar.running_totals(year)
    wanted = totals[_day_of_year(start)] + n
    while wanted > totals[-1]:  # not within this year: count on from 1 January of the next
        wanted -= totals[-1]
        year += 1
        if year - start.year > _SEARCH_LIMIT // 365:
            raise ValueError(f"no due date within {_SEARCH_LIMIT} days of {start}")
        totals = calendar.running_totals(year)
    due = date(year, 1, 1) + timedelta(days=bisect_left(totals, wanted) - 1)
    if (due - start).days > _SEARCH_LIMIT:
        raise ValueError(f"no due date within {_SEARCH_LIMIT} days of {start}")
    return due


def _day_by_day(
    calendar: WorkingDayCalendar, start: date, target: int, pauses: tuple[Pause, ...]
) -> tuple[date, int, bool]:
    """(due, paused working days, provisional) counted one day at a time: with pauses, whose
    working days are not counted, and for dates beyond the running totals."""
    day, counted, paused, provisional = start, 0, 0, False
    while counted < target:
        day += timedelta(days=1)
        if (day - start).days > _SEARCH_LIMIT:
            raise ValueError(f"no due date within {_SEARCH_LIMIT} days of {start}")
        provisional |= calendar.source(day.year) is Source.PROVISIONAL
        if not calendar.is_workday(day):
            continue
        if any(p.covers(day) for p in pauses):
            paused += 1
        else:
            counted += 1
    return day, paused, provisional


def working_days_left(calendar: WorkingDayCalendar, today: date, due: date) -> int:
    """Working days after today up to and including `due`; negative, counting the working
    days since, once `due` has passed (a reply due today has 0 left)."""
    first, last, sign = (today, due, 1) if due >= today else (due, today, -1)
    days = (last - first).days
    if days > _SEARCH_LIMIT:
        days = _SEARCH_LIMIT  # beyond any statutory period; the exact count no longer matters
    if first.year > _LAST_COUNTED_YEAR:
        one_by_one = (calendar.is_workday(first + timedelta(days=i)) for i in range(1, days + 1))
        return sign * sum(one_by_one)
    return sign * _working_days_between(calendar, first, first + timedelta(days=days))


def _working_days_between(calendar: WorkingDayCalendar, first: date, last: date) -> int:
    """Working days after `first` up to and including `last` (first <= last)."""
    if first.year == last.year:
        totals = calendar.running_totals(first.year)
        return totals[_day_of_year(last)] - totals[_day_of_year(first)]
    totals = calendar.running_totals(first.year)
    count = totals[-1] - totals[_day_of_year(first)]
    for year in range(first.year + 1, last.year):
        count += calendar.running_totals(year)[-1]
    return count + calendar.running_totals(last.year)[_day_of_year(last)]


def _day_of_year(day: date) -> int:
    return day.toordinal() - date(day.year, 1, 1).toordinal() + 1
