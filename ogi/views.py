"""Tables of a projection in the service's own database, written in one transaction with the
projection's position (a tracking row), on SQLite (embedded) or PostgreSQL (production).

SQL is written once, in the dialect both accept, with `?` placeholders and table names in braces
(`SELECT n FROM {counts} WHERE year = ?`); the view puts in the schema and the placeholder style
of its backend.

Replicas of a service may run the same projection at once. A batch commits only if the position
is still the one it was read after (`after`); otherwise another replica got there first and the
whole transaction is rolled back (ProjectionConflict), so additive tables never count twice.
A write may also carry a claim: a statement that must change exactly one row (taking an event off
a set-aside list, ogi.setaside), else the transaction is rolled back the same way."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any, Protocol, cast

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

Statement = tuple[str, Sequence[Any]]


class ProjectionConflict(Exception):
    """Another replica projected these events first; read again from the new position."""


class TrackedTables(Protocol):
    source: str

    def write(
        self,
        statements: Sequence[Statement],
        tracking: Tracking | None,
        after: int = 0,
        claim: Statement | None = None,
    ) -> None:
        """Run the claim and the statements and move the position from `after` to the
        tracking's, in one transaction; ProjectionConflict if the position is no longer `after`
        or the claim changed no row."""
        ...

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def position(self) -> int:
        """The last notification id the tables include."""
        ...

    def reset(self) -> None:
        """Empty the tables and forget the position: the next catch-up rebuilds from zero."""
        ...


class _Tables:
    """What both backends share; `tables` maps a name to its CREATE TABLE/INDEX statements."""

    source: str
    tables: dict[str, list[str]]

    def position(self) -> int:
        recorder: Any = self  # max_tracking_id comes from the backend's tracking recorder
        return int(recorder.max_tracking_id(self.source) or 0)

    def _ddl(self) -> list[str]:
        return [self._sql(s) for statements in self.tables.values() for s in statements]

    def _sql(self, sql: str) -> str:
        return sql.format(**{name: self._name(name) for name in self.tables})

    def _name(self, table: str) -> str:
        return table

    def _run(self, cursor: Any, statements: Sequence[Statement]) -> None:
        """Consecutive statements with the same SQL go to the database as one executemany."""
        for sql, runs in groupby(statements, key=lambda s: s[0]):
            cursor.executemany(self._sql(sql), [params for _, params in runs])

    def _claim(self, cursor: Any, claim: Statement | None) -> None:
        if claim is None:
            return
        cursor.execute(self._sql(claim[0]), claim[1])
        if self._rows_changed(cursor) != 1:
            raise ProjectionConflict(f"{self.source}: claimed by another replica first")

    def _rows_changed(self, cursor: Any) -> int:
        return int(cursor.rowcount)

    def _check_position(self, cursor: Any, after: int) -> None:
        recorder: Any = self
        current = recorder._max_tracking_id(self.source, cursor) or 0
        if current != after:
            raise ProjectionConflict(f"{self.source}: at {current}, not {after}")


class _SQLiteTables(_Tables, SQLiteTrackingRecorder):
    def _rows_changed(self, cursor: Any) -> int:
        return int(cursor.sqlite_cursor.rowcount)  # the library's wrapper does not pass it on

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self._ddl()]

    def write(
        self,
        statements: Sequence[Statement],
        tracking: Tracking | None,
        after: int = 0,
        claim: Statement | None = None,
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._claim(c, claim)
            self._run(c, statements)
            if tracking is not None:
                # Checked after writing: SQLite has one writer, so the position cannot move now.
                self._check_position(c, after)
                self._insert_tracking(c, tracking)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql(sql), params)
            return [tuple(r) for r in c.fetchall()]

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in self.tables:
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM tracking WHERE application_name = ?", [self.source])


class _PostgresTables(_Tables, PostgresTrackingRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements += [SQL(s).format() for s in self._ddl()]

    def _name(self, table: str) -> str:
        return f'"{self.datastore.schema}"."{table}"'

    def _sql(self, sql: str) -> str:
        return super()._sql(sql).replace("?", "%s")

    def write(
        self,
        statements: Sequence[Statement],
        tracking: Tracking | None,
        after: int = 0,
        claim: Statement | None = None,
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            if tracking is not None:
                # Replicas' batches of this projection commit one at a time.
                curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.source])
                self._check_position(curs, after)
            # A second replica's claim of the same row waits for the first to commit, then
            # finds it gone.
            self._claim(curs, claim)
            self._run(curs, statements)
            if tracking is not None:
                self._insert_tracking(curs, tracking)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._sql(sql), params)
            return [tuple(r.values()) for r in curs.fetchall()]

    def reset(self) -> None:
        tracking = f'"{self.datastore.schema}"."{self.tracking_table_name}"'
        with self.datastore.transaction(commit=True) as curs:
            for table in self.tables:
                curs.execute(f"DELETE FROM {self._name(table)}")
            curs.execute(f"DELETE FROM {tracking} WHERE application_name = %s", [self.source])


def tracked_tables(
    app: Application[Any], source: str, tables: dict[str, list[str]]
) -> TrackedTables:
    """Tables beside `app`'s events, tracked under `source`. `tables`: name → DDL statements in
    the common dialect (`{name}` for each table's name)."""
    postgres = isinstance(app.factory, PostgresFactory)
    base: type[Any] = _PostgresTables if postgres else _SQLiteTables
    view_class = type(f"{source.title()}Tables", (base,), {"source": source, "tables": tables})
    return cast(TrackedTables, app.factory.tracking_recorder(view_class))
