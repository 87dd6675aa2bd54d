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


def china_time_text(moment: datetime) -> str:
    """`moment` as people in China read it: 2026-12-03 19:20:05 (北京时间). A naive `moment`
    is taken to be UTC, as protobuf timestamps convert."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(CHINA):%Y-%m-%d %H:%M:%S} (北京时间)"
