"""The guess throttle's arithmetic (services.intake.throttle); the failures in the database are
tested through two intake replicas (tests/integration/test_intake_service.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.throttle import (
    GuessPolicy,
    GuessThrottle,
    MemoryFailureLog,
    too_many_guesses,
)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_a_key_past_the_limit_waits_until_it_is_back_under_it() -> None:
    """Replicas recording at the same moment can let a guesser go past the limit."""
    throttle = GuessThrottle(GuessPolicy(max_failures=3, window=15 * MINUTE))
    for minute in range(5):
        throttle.record_failure("guesser", T0 + minute * MINUTE)
    now = T0 + 5 * MINUTE
    # Failures at minutes 0–4: under three only once minute 2's has left the window (at 17).
    assert throttle.retry_after("guesser", now) == (12 * MINUTE).total_seconds()
    assert throttle.retry_after("guesser", T0 + 17 * MINUTE) == 0
    assert throttle.retry_after("somebody else", now) == 0


def test_the_memory_log_forgets_old_failures_and_the_least_recent_keys() -> None:
    log = MemoryFailureLog(tracked_keys=2)
    before = T0 - MINUTE
    log.add("a", T0, window_start=before)
    log.add("a", T0 + 20 * MINUTE, window_start=T0 + 5 * MINUTE)
    assert log.failures("a", window_start=before) == [T0 + 20 * MINUTE]
    assert log.failures("a", window_start=T0 + 20 * MINUTE) == []  # a window ago has left it
    log.add("b", T0, window_start=before)
    log.add("c", T0, window_start=before)
    assert log.failures("a", window_start=before) == []
    assert log.failures("c", window_start=before) == [T0]


@pytest.mark.parametrize(
    ("retry_after", "zh", "en"),
    [
        (0.2, "1秒", "1 second"),
        (30, "30秒", "30 seconds"),
        (59.5, "1分钟", "1 minute"),
        (61, "2分钟", "2 minutes"),
        (892, "15分钟", "15 minutes"),
    ],
)
def test_the_wait_is_said_rounded_up_to_seconds_or_minutes(
    retry_after: float, zh: str, en: str
) -> None:
    """Rounded up: a client that waits as long as it is told is let in."""
    assert too_many_guesses(retry_after) == (
        f"查询码错误次数过多，请约{zh}后再试（too many wrong query codes; retry in about {en}）"
    )
