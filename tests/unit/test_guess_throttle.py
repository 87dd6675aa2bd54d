"""The guess throttle's arithmetic (services.intake.throttle); the failures in the database are
tested through two intake replicas (tests/integration/test_intake_service.py), and whole
guessers through intake and the portal (tests/integration/test_query_code_guessing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.clients import CLIENT_ADDRESS, TrustedProxies
from services.intake.throttle import (
    GuessPolicy,
    GuessThrottle,
    MemoryFailureLog,
    too_many_guesses,
)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
NUMBER = "HZMZJ-2026-000001"


def test_a_key_past_the_limit_waits_until_it_is_back_under_it() -> None:
    """Replicas recording at the same moment can let a guesser go past the limit."""
    throttle = GuessThrottle(GuessPolicy(per_number=3, per_address=10, window=15 * MINUTE))
    for minute in range(5):
        throttle.record_failure(NUMBER, "guesser", T0 + minute * MINUTE)
    now = T0 + 5 * MINUTE
    # Failures at minutes 0–4: under three only once minute 2's has left the window (at 17).
    assert throttle.retry_after(NUMBER, "guesser", now) == (12 * MINUTE).total_seconds()
    assert throttle.retry_after(NUMBER, "guesser", T0 + 17 * MINUTE) == 0
    assert throttle.retry_after(NUMBER, "somebody else", now) == 0


def test_a_guesser_of_one_number_is_slowed_for_that_number_only() -> None:
    """Behind one NAT address, the others' applications stay reachable; the applicant's own
    stays reachable from any other address."""
    throttle = GuessThrottle(GuessPolicy(per_number=3, per_address=10, window=15 * MINUTE))
    for _ in range(3):
        throttle.record_failure(f" {NUMBER.lower()} ", "nat", T0)  # one number, however typed
    assert throttle.retry_after(NUMBER, "nat", T0) == 15 * 60
    assert throttle.retry_after("HZMZJ-2026-000002", "nat", T0) == 0
    assert throttle.retry_after(NUMBER, "elsewhere", T0) == 0


def test_a_guesser_sweeping_numbers_is_slowed_for_every_number() -> None:
    throttle = GuessThrottle(GuessPolicy(per_number=3, per_address=4, window=15 * MINUTE))
    for n in range(4):
        throttle.record_failure(f"HZMZJ-2026-{n:06d}", "sweeper", T0 + n * MINUTE)
    assert throttle.retry_after("HZMZJ-2026-999999", "sweeper", T0 + 4 * MINUTE) == 11 * 60
    assert throttle.retry_after("HZMZJ-2026-999999", "elsewhere", T0 + 4 * MINUTE) == 0


def test_the_policy_comes_from_the_environment() -> None:
    policy = GuessPolicy.from_env(
        {
            "OGI_GUESS_PER_NUMBER": "2",
            "OGI_GUESS_PER_ADDRESS": "9",
            "OGI_GUESS_WINDOW_SECONDS": "60",
        }
    )
    assert policy == GuessPolicy(per_number=2, per_address=9, window=MINUTE)
    assert GuessPolicy.from_env({}) == GuessPolicy()


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
    ("peer", "forwarded", "trusted", "client"),
    [
        ("ipv4:127.0.0.1:5678", None, "", "127.0.0.1"),
        ("ipv6:[::1]:5678", None, "", "::1"),
        ("ipv4:127.0.0.1:5678", "203.0.113.7", "", "127.0.0.1"),  # not a trusted proxy
        ("ipv4:10.1.2.3:5678", "203.0.113.7", "10.0.0.0/8, 127.0.0.1", "203.0.113.7"),
        ("ipv4:127.0.0.1:5678", "2001:db8::1", "127.0.0.1", "2001:db8::1"),
        ("ipv4:127.0.0.1:5678", "not an address", "127.0.0.1", "127.0.0.1"),
        ("ipv4:127.0.0.1:5678", None, "127.0.0.1", "127.0.0.1"),
    ],
)
def test_a_forwarded_address_counts_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, trusted: str, client: str
) -> None:
    proxies = TrustedProxies.from_env({"OGI_TRUSTED_PROXIES": trusted})
    metadata = [(CLIENT_ADDRESS, forwarded)] if forwarded else []
    assert proxies.client(peer, metadata) == client


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
