"""Time as the agencies count it: China Standard Time, whatever the server's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def china_date(moment: datetime) -> date:
    """The calendar date in China at `moment`."""
    return moment.astimezone(CHINA).date()
