"""工作日: which days count for the statutory periods.

Monday to Friday, minus statutory holidays and the days off the State Council's yearly schedule
moves, plus the weekend days it declares make-up working days (调休上班). Sources, in order:
1. an override file an operator loads from the published notice (年度节假日安排的通知);
2. the `chinesecalendar` package's official schedules;
3. for a year neither knows, a provisional calendar: weekdays minus the holidays of
   《全国年节及纪念日放假办法》 (2024) computed from the Gregorian and lunar calendars, without the
   moved days that only the yearly notice can give. Dates computed from it are marked provisional.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib.metadata import version
from pathlib import Path

import chinese_calendar
from lunardate import LunarDate

# The days the calendar answers for: the lunar tables cover 1900-2099. Dates from outside are
# bounded to these (ogi.bounds); a year beyond them, if one was ever stored, gets the Gregorian
# holidays only, so nothing stored stops a reader.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
_LUNAR_YEARS = range(FIRST_DAY.year, LAST_DAY.year + 1)


class Source(StrEnum):
    OVERRIDE = "override"
    PACKAGE = "chinesecalendar"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class YearSchedule:
    """One year's published schedule: the weekdays off and the weekend days worked."""

    year: int
    days_off: frozenset[date]
    make_up_workdays: frozenset[date]


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Answers whether a date is a working day, and from which source the answer comes."""

    overrides: dict[int, YearSchedule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Running totals by year, made when a year is first asked about (a calendar's answers
        # never change: loading a schedule makes another calendar).
        object.__setattr__(self, "_totals", {})

    def running_totals(self, year: int) -> list[int]:
        """Working days of `year` up to and including its n-th day, at index n (index 0 is 0,
        the last index the year's total): a period is then counted by subtraction and its end
        found by bisection, not day by day."""
        totals: dict[int, list[int]] = self._totals  # type: ignore[attr-defined]
        found = totals.get(year)
        if found is None:
            first = date(year, 1, 1)
            found = [0]
            for n in range((date(year + 1, 1, 1) - first).days):
                found.append(found[-1] + self.is_workday(first + timedelta(days=n)))
            totals[year] = found
        return found

    @classmethod
    def from_file(cls, path: Path | None) -> WorkingDayCalendar:
        """Schedules from a TOML file of ``[years.2027]`` tables with ``days_off`` and
        ``make_up_workdays`` lists of ISO dates; no file, no overrides."""
        if path is None or not path.exists():
            return cls()
        with path.open("rb") as f:
            years = tomllib.load(f).get("years", {})
        return cls(
            {
                int(year): YearSchedule(
                    int(year),
                    frozenset(date.fromisoformat(d) for d in table.get("days_off", [])),
                    frozenset(date.fromisoformat(d) for d in table.get("make_up_workdays", [])),
                )
                for year, table in years.items()
            }
        )

    def source(self, year: int) -> Source:
        if year in self.overrides:
            return Source.OVERRIDE
        if _package_knows(year):
            return Source.PACKAGE
        return Source.PROVISIONAL

    def is_workday(self, day: date) -> bool:
        source = self.source(day.year)
        if source is Source.OVERRIDE:
            schedule = self.overrides[day.year]
            if day in schedule.make_up_workdays:
                return True
            return day.weekday() < 5 and day not in schedule.days_off
        if source is Source.PACKAGE:
            return day in _package_workdays(day.year)
        return day.weekday() < 5 and day not in provisional_holidays(day.year)

    @property
    def version(self) -> str:
        """Names the data a date was computed from, so an explanation can cite it."""
        package = _package_version()
        if not self.overrides:
            return package
        digest = hashlib.sha256(repr(sorted(self.overrides.items())).encode()).hexdigest()[:8]
        return f"{package} + overrides {sorted(self.overrides)} ({digest})"


@cache
def _package_version() -> str:
    return f"chinesecalendar {version('chinesecalendar')}"


@cache
def _package_workdays(year: int) -> frozenset[date]:
    """The package's working days of a year, asked once (deadlines ask about every day)."""
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    every_day = (first + timedelta(days=n) for n in range(days))
    return frozenset(d for d in every_day if chinese_calendar.is_workday(d))


@cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def provisional_holidays(year: int) -> frozenset[date]:
    """The statutory holidays of a year with no published schedule (放假办法, 2024 revision):
    元旦, 春节 (除夕 to 初三), 清明, 劳动节 (1-2 May), 端午, 中秋, 国庆 (1-3 Oct)."""
    gregorian = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2)}
    gregorian |= {date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}
    if year not in _LUNAR_YEARS:
        return frozenset(gregorian)
    new_year = LunarDate(year, 1, 1).to_solar_date()
    spring_festival = {new_year + timedelta(days=n) for n in range(-1, 3)}
    return frozenset(
        {
            *gregorian,
            *spring_festival,
            _qingming(year),
            LunarDate(year, 5, 5).to_solar_date(),
            LunarDate(year, 8, 15).to_solar_date(),
        }
    )


def _qingming(year: int) -> date:
    """清明, the solar term, by the usual formula for 2000-2099 (April 4 or 5)."""
    y = year % 100
    return date(year, 4, int(y * 0.2422 + 4.81) - y // 4)
