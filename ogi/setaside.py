"""Stored events a reader could not apply (搁置的事件): what a projection or a relay sets aside so
that one event never stops it, like a consumer's dead letters (ogi.messaging.deadletter).

A reader that cannot apply an event for a reason of the event's own (it does not decode, its
values break a computation or the database refuses them, or a bug throws) records it in its
set-aside table, in the same transaction as moving its position past it, and goes on: a crash
anywhere neither loses the event nor applies it twice. Later events of the same aggregate are
set aside behind it (HeldBehind), so that each aggregate's events still take effect in order.
Once the cause is fixed the reader applies them again (at start-up, or when the operator asks,
`ogi deadletters retry`), each with the removal of its row in one transaction; those that apply
leave the list. A database or network that fails is not the event's fault: such failures are
retried as before and nothing is set aside (ogi.messaging.deadletter.is_transient).

The table holds ids, the event's topic and the error's class and message with any quoted value
or long number cut out: never the event's contents."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import Tracking

from ogi.views import Statement, TrackedTables

# Test seam: OGI_FAULT_PROJECTION=<reader>:<aggregate id>[,…] makes that reader (worklist,
# statistics, art44, relay) fail on every event of the aggregate. Never set in production.
FAULT_ENV = "OGI_FAULT_PROJECTION"


class InjectedFault(Exception):
    """The failure OGI_FAULT_PROJECTION asked for."""


class HeldBehind(Exception):
    """Set aside because an earlier event of the same aggregate is: applying it first would
    change the order the aggregate's events take effect in."""

    def __init__(self) -> None:
        super().__init__("an earlier event of this aggregate is set aside")


@dataclass(frozen=True)
class SetAsideEvent:
    reader: str
    notification_id: int
    originator_id: str
    topic: str
    error: str
    first_tried: datetime
    last_tried: datetime
    attempts: int

    @property
    def held(self) -> bool:
        """Set aside only because an earlier event of its aggregate is."""
        return self.error.startswith(HeldBehind.__name__)


@dataclass(frozen=True)
class Retried:
    """What a retry of a reader's set-aside events came to."""

    reader: str
    applied: int
    still_set_aside: int


class StoredEvent(Protocol):
    """What the set-aside table keeps of a notification (eventsourcing's Notification)."""

    @property
    def id(self) -> int: ...
    @property
    def originator_id(self) -> Any: ...
    @property
    def topic(self) -> str: ...


# On `{set_aside}`, the reader's table (SetAsideLog._sql).
_RECORD = (
    "INSERT INTO {set_aside} AS s (notification_id, originator_id, topic, error, first_tried, "
    "last_tried, attempts) VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (notification_id) DO UPDATE "
    "SET error = excluded.error, last_tried = excluded.last_tried, attempts = s.attempts + 1"
)
_TRIED_AGAIN = (
    "UPDATE {set_aside} SET error = ?, last_tried = ?, attempts = attempts + 1 "
    "WHERE notification_id = ?"
)
_CLAIM = "DELETE FROM {set_aside} WHERE notification_id = ?"
_EVENTS = (
    "SELECT notification_id, originator_id, topic, error, first_tried, last_tried, attempts "
    "FROM {set_aside} ORDER BY notification_id"
)
_ORIGINATORS = "SELECT DISTINCT originator_id FROM {set_aside}"


def set_aside_tables(reader: str) -> dict[str, list[str]]:
    """The DDL of `reader`'s set-aside table, to add to the tables it writes (ogi.views), so
    that its rows commit with the reader's position and a rebuild empties them."""
    table = _table(reader)
    return {
        table: [
            f"CREATE TABLE IF NOT EXISTS {{{table}}} (notification_id BIGINT PRIMARY KEY, "
            "originator_id TEXT NOT NULL, topic TEXT NOT NULL, error TEXT NOT NULL, "
            "first_tried TEXT NOT NULL, last_tried TEXT NOT NULL, attempts INTEGER NOT NULL)"
        ]
    }


class SetAsideLog:
    """A reader's set-aside events, in its tracked tables (which must include
    set_aside_tables(reader))."""

    def __init__(self, tables: TrackedTables, reader: str) -> None:
        self.tables = tables
        self.reader = reader
        self._table = _table(reader)

    def record(
        self,
        event: StoredEvent,
        error: BaseException,
        after: int,
        also: Sequence[Statement] = (),
    ) -> None:
        """Set `event` aside with why, run `also` (what marks its subject as needing attention)
        and move the position from `after` past it, in one transaction
        (ogi.views.ProjectionConflict if the position is no longer `after`)."""
        now = _now()
        row = (event.id, str(event.originator_id), event.topic, short_failure(error), now, now)
        self.tables.write(
            [(self._sql(_RECORD), row), *also], Tracking(self.tables.source, event.id), after
        )

    def failed_again(self, notification_id: int, error: BaseException) -> None:
        self.tables.write(
            [(self._sql(_TRIED_AGAIN), (short_failure(error), _now(), notification_id))], None
        )

    def resolve(self, notification_id: int) -> None:
        """Take an event off the list once it took effect elsewhere (a relay published it);
        ogi.views.ProjectionConflict if another replica took it off first."""
        self.tables.write([], None, claim=self.claim(notification_id))

    def claim(self, notification_id: int) -> Statement:
        """The statement that takes an event off the list; written as a claim
        (TrackedTables.write), so of two replicas applying it again only one commits."""
        return self._sql(_CLAIM), (notification_id,)

    def events(self) -> list[SetAsideEvent]:
        """Oldest first."""
        rows = self.tables.read(self._sql(_EVENTS))
        return [
            SetAsideEvent(
                self.reader,
                int(n),
                str(originator),
                str(topic),
                str(error),
                datetime.fromisoformat(str(first)),
                datetime.fromisoformat(str(last)),
                int(attempts),
            )
            for n, originator, topic, error, first, last, attempts in rows
        ]

    def originators(self) -> set[str]:
        """The aggregates with an event set aside: their later events wait behind it."""
        return {str(o) for (o,) in self.tables.read(self._sql(_ORIGINATORS))}

    def _sql(self, template: str) -> str:
        """A statement on this reader's table, in ogi.views' form (`{table}`)."""
        return template.replace("{set_aside}", "{" + self._table + "}")


def logged_set_aside(logger: Any, reader: str, event: StoredEvent, error: BaseException) -> None:
    """One log line per event set aside (error level; warning for one held behind another):
    ids, topic and the error, never the event's contents."""
    line = logger.warning if isinstance(error, HeldBehind) else logger.error
    line(
        "event set aside",
        reader=reader,
        notification_id=event.id,
        originator_id=str(event.originator_id),
        topic=event.topic,
        error=short_failure(error),
    )


def short_failure(error: BaseException) -> str:
    """The error's class and first line, with quoted values (other than names of code), key
    values (`=(…)`) and numbers of five or more digits cut out, so that no value of the event
    (a name, an identity number) lands in the table or the log."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    message = _QUOTED.sub(lambda m: m[0] if _CODE_NAME.fullmatch(m[0]) else "…", first_line)
    message = _LONG_NUMBER.sub("…", message)
    message = "".join(c for c in message if c.isprintable())[:200]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# Quoted text and `=(…)` (PostgreSQL's key values) are cut, except a quoted name of code (a
# class, an attribute, a constraint: ASCII letters, digits, `_` and `.`).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’|「[^」]*」|=\([^)]*\)")
_CODE_NAME = re.compile(r"(['\"])[A-Za-z_][\w.]*\1", re.ASCII)
_LONG_NUMBER = re.compile(r"[0-9Xx]*[0-9]{5,}[0-9Xx]*")


class FaultSeam:
    """Raises InjectedFault for the aggregates OGI_FAULT_PROJECTION names for this reader."""

    def __init__(self, reader: str, environ: Mapping[str, str] = os.environ) -> None:
        self.reader = reader
        self.failing = frozenset(
            aggregate.strip()
            for entry in environ.get(FAULT_ENV, "").split(",")
            for name, _, aggregate in [entry.partition(":")]
            if name.strip() == reader and aggregate.strip()
        )

    def check(self, originator_id: object) -> None:
        if str(originator_id) in self.failing:
            raise InjectedFault(f"{FAULT_ENV} for {self.reader}")


class RetryRequests:
    """The operator's requests to retry, answered by the reader's own loop between two steps
    (so a retry never runs beside the reader's batches in the same process)."""

    def __init__(self) -> None:
        self._waiting: list[asyncio.Future[Retried]] = []

    def ask(self) -> asyncio.Future[Retried]:
        future: asyncio.Future[Retried] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        return future

    @property
    def asked(self) -> bool:
        return bool(self._waiting)

    def answer(self, retried: Retried) -> None:
        for future in self._waiting:
            if not future.done():  # a caller that stopped waiting has cancelled it
                future.set_result(retried)
        self._waiting.clear()


class SetAsideReader(Protocol):
    """A projection or relay as the operator sees it (ogi.operations)."""

    reader: str

    def set_aside_events(self) -> list[SetAsideEvent]: ...

    def retry_requested(self) -> asyncio.Future[Retried]:
        """Ask the reader to apply its set-aside events again; the future is answered when it
        has (a reader whose database is away answers once it is back)."""
        ...


def _table(reader: str) -> str:
    if not reader.isidentifier():
        raise ValueError(f"reader name {reader!r} must be a word (it names a table)")
    return f"{reader}_set_aside"


def _now() -> str:
    return datetime.now(UTC).isoformat()
