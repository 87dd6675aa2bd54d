"""The statutory clock: due dates counted in working days, each with its explanation.

Counting (《民法典》第二百零一条 by analogy): the start day is not counted; a period of N
working days ends on the N-th working day after it. Paused time (consultation, Art 33 para 3;
waiting for a fee, a policy) is not counted: a working day d with
pause.start < d <= pause.end is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ogi.workdays import Source, WorkingDayCalendar

REPLY_PERIOD = 20  # Art 33 para 2
MAX_EXTENSION = 20  # Art 33 para 2
CORRECTION_NOTICE_PERIOD = 7  # Art 30
CONSULTATION_PERIOD = 15  # Art 32
FEE_PAYMENT_PERIOD = 20  # 信息处理费管理办法
_SEARCH_LIMIT = 3 * 366  # no statutory period spans more than this many calendar days


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
    return Deadline(
        due=day,
        start=start,
        start_reason=start_reason,
        working_days=target,
        extension_days=extension_days,
        paused_working_days=paused,
        pauses=pauses,
        calendar_version=calendar.version,
        provisional=provisional,
    )


def working_days_left(calendar: WorkingDayCalendar, today: date, due: date) -> int:
    """Working days after today up to and including `due`; negative, counting the working
    days since, once `due` has passed (a reply due today has 0 left)."""
    first, last, sign = (today, due, 1) if due >= today else (due, today, -1)
    days = (last - first).days
    if days > _SEARCH_LIMIT:
        days = _SEARCH_LIMIT  # beyond any statutory period; the exact count no longer matters
    count = sum(calendar.is_workday(first + timedelta(days=i)) for i in range(1, days + 1))
    return sign * count
