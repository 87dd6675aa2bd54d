"""Which aggregates have events stored, for many ids in one query: a batch of upstream events
mostly names aggregates that do not exist yet (a case for each application submitted), and
asking the store for each of them one by one is most of a batch's time."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier

_CHUNK = 500  # SQLite's limit on parameters is 999 in older builds


def stored_ids(recorder: AggregateRecorder, ids: Collection[UUID]) -> set[UUID] | None:
    """Those of `ids` with at least one stored event; None for a recorder of another kind
    (then nothing is known and every aggregate is looked up as before)."""
    if not ids:
        return set()
    if isinstance(recorder, PostgresAggregateRecorder):
        statement = SQL("SELECT DISTINCT originator_id FROM {}.{} WHERE originator_id = ANY(%s)")
        query = statement.format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, [list(ids)])
            return {_uuid(row["originator_id"]) for row in curs.fetchall()}
    if isinstance(recorder, SQLiteAggregateRecorder):
        found: set[UUID] = set()
        listed = list(ids)
        with recorder.datastore.transaction(commit=False) as c:
            for start in range(0, len(listed), _CHUNK):
                chunk = listed[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "  # noqa: S608 - the library's own table name
                    f"WHERE originator_id IN ({marks})",
                    [i.hex for i in chunk],
                )
                found |= {_uuid(row["originator_id"]) for row in c.fetchall()}
        return found
    return None


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
