"""The failures of status queries in the service's database (ogi.views tables: SQLite embedded,
PostgreSQL in production), so that all replicas of intake slow down the same guesser. A client's
address is kept only as a keyed pseudonym (ogi.sealing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.application import Application

from ogi.sealing import Pseudonymizer
from ogi.views import TrackedTables, tracked_tables

SOURCE = "guesses"
_TABLES = {
    "guess_failures": [
        "CREATE TABLE IF NOT EXISTS {guess_failures} "
        "(client text NOT NULL, failed_at bigint NOT NULL)",
        "CREATE INDEX IF NOT EXISTS guess_failures_client ON {guess_failures} (client, failed_at)",
        "CREATE INDEX IF NOT EXISTS guess_failures_at ON {guess_failures} (failed_at)",
    ]
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DatabaseFailureLog:
    """FailureLog (services.intake.throttle) on the service's own tables; times in microseconds
    since the epoch, which both databases compare exactly."""

    def __init__(self, tables: TrackedTables, pseudonymizer: Pseudonymizer) -> None:
        self.tables = tables
        self.pseudonym = pseudonymizer.pseudonym

    def failures(self, key: str, window_start: datetime) -> list[datetime]:
        rows = self.tables.read(
            "SELECT failed_at FROM {guess_failures} WHERE client = ? AND failed_at > ? "
            "ORDER BY failed_at",
            [self.pseudonym(key), _micros(window_start)],
        )
        return [_EPOCH + timedelta(microseconds=at) for (at,) in rows]

    def add(self, key: str, at: datetime, window_start: datetime) -> None:
        self.tables.write(
            [
                ("DELETE FROM {guess_failures} WHERE failed_at <= ?", [_micros(window_start)]),
                (
                    "INSERT INTO {guess_failures} (client, failed_at) VALUES (?, ?)",
                    [self.pseudonym(key), _micros(at)],
                ),
            ],
            None,
        )


def database_failure_log(app: Application[Any], cipher_key: str) -> DatabaseFailureLog:
    return DatabaseFailureLog(
        tracked_tables(app, SOURCE, _TABLES), Pseudonymizer(cipher_key, b"ogi guessing client")
    )


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // timedelta(microseconds=1)
