"""The worklist table in the service's own database, beside its events and tracking: SQLite for
the embedded mode, PostgreSQL for production. Rows and position commit in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from services.handling.domain import OPEN_STATES, CaseState
from services.handling.worklist import (
    SOURCE,
    UNASSIGNED,
    WorklistQuery,
    WorklistRow,
    WorklistView,
)

TABLE = "worklist"
_COLUMNS = (
    "case_id",
    "application_number",
    "agency_code",
    "state",
    "assignee",
    "receipt_date",
    "reply_due",
    "reply_due_provisional",
    "waiting_until",
    "description",
    "version",
    "calendar_version",
    "is_open",
)
_OPEN = tuple(sorted(s.value for s in OPEN_STATES))


def _values(row: WorklistRow) -> tuple[Any, ...]:
    return (
        str(row.case_id),
        row.application_number,
        row.agency_code,
        row.state.value,
        row.assignee,
        row.receipt_date.isoformat(),
        row.reply_due.isoformat() if row.reply_due else None,
        row.reply_due_provisional,
        row.waiting_until.isoformat() if row.waiting_until else None,
        row.description,
        row.version,
        row.calendar_version,
        row.is_open,
    )


def _row(values: Sequence[Any]) -> WorklistRow:
    def day(value: Any) -> date | None:
        return None if value is None else date.fromisoformat(str(value))

    return WorklistRow(
        case_id=UUID(str(values[0])),
        application_number=values[1],
        agency_code=values[2],
        state=CaseState(values[3]),
        assignee=values[4],
        receipt_date=date.fromisoformat(str(values[5])),
        reply_due=day(values[6]),
        reply_due_provisional=bool(values[7]),
        waiting_until=day(values[8]),
        description=values[9],
        version=values[10],
        calendar_version=values[11],
    )


def _filters(query: WorklistQuery) -> tuple[list[str], list[Any]]:
    """WHERE clauses with `?` placeholders and their parameters."""
    clauses, params = ["agency_code = ?", "is_open"], [query.agency_code]
    if query.assignee:
        clauses.append("assignee = ?")
        params.append("" if query.assignee == UNASSIGNED else query.assignee)
    if query.states:
        clauses.append(f"state IN ({', '.join('?' for _ in query.states)})")
        params += sorted(s.value for s in query.states)
    if query.due_before:
        clauses.append("reply_due <= ?")
        params.append(query.due_before.isoformat())
    return clauses, params


_ORDER = " ORDER BY reply_due IS NULL, reply_due, receipt_date, application_number"


class SQLiteWorklistView(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {TABLE} (case_id TEXT PRIMARY KEY, "
            "application_number TEXT NOT NULL, agency_code TEXT NOT NULL, state TEXT NOT NULL, "
            "assignee TEXT NOT NULL, receipt_date TEXT NOT NULL, reply_due TEXT, "
            "reply_due_provisional BOOLEAN NOT NULL, waiting_until TEXT, description TEXT, "
            "version INTEGER NOT NULL, calendar_version TEXT NOT NULL, is_open BOOLEAN NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_open ON {TABLE} (agency_code, is_open, reply_due)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_number ON {TABLE} (application_number)",
        ]

    def put(self, rows: Sequence[WorklistRow], tracking: Tracking | None) -> None:
        marks = ", ".join("?" for _ in _COLUMNS)
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"INSERT OR REPLACE INTO {TABLE} VALUES ({marks})", [_values(r) for r in rows]
            )
            if tracking is not None:
                self._insert_tracking(c, tracking)

    def open_rows(self, query: WorklistQuery) -> list[WorklistRow]:
        clauses, params = _filters(query)
        sql = f"SELECT * FROM {TABLE} WHERE {' AND '.join(clauses)}{_ORDER}"
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return [_row(tuple(r)) for r in c.fetchall()]

    def case_id(self, application_number: str) -> UUID | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT case_id FROM {TABLE} WHERE application_number = ?", [application_number]
            )
            found = c.fetchone()
        return UUID(found[0]) if found else None

    def stale_cases(self, calendar_version: str) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT case_id FROM {TABLE} WHERE is_open AND calendar_version != ?",
                [calendar_version],
            )
            return [UUID(r[0]) for r in c.fetchall()]

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE}")
            c.execute("DELETE FROM tracking WHERE application_name = ?", [SOURCE])


class PostgresWorklistView(PostgresTrackingRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = self._table()
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (case_id uuid PRIMARY KEY, "
                "application_number text NOT NULL UNIQUE, agency_code text NOT NULL, "
                "state text NOT NULL, assignee text NOT NULL, receipt_date date NOT NULL, "
                "reply_due date, reply_due_provisional boolean NOT NULL, waiting_until date, "
                "description text, version bigint NOT NULL, calendar_version text NOT NULL, "
                "is_open boolean NOT NULL)"
            ).format(table),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (agency_code, is_open, reply_due)").format(
                Identifier(f"{TABLE}_open"), table
            ),
        ]

    def _table(self) -> Any:
        return Identifier(self.datastore.schema, TABLE)

    def put(self, rows: Sequence[WorklistRow], tracking: Tracking | None) -> None:
        columns = SQL(", ").join(Identifier(c) for c in _COLUMNS)
        updates = SQL(", ").join(
            SQL("{0} = EXCLUDED.{0}").format(Identifier(c)) for c in _COLUMNS[1:]
        )
        statement = SQL(
            "INSERT INTO {0} ({1}) VALUES ({2}) ON CONFLICT (case_id) DO UPDATE SET {3}"
        ).format(self._table(), columns, SQL(", ").join(SQL("%s") for _ in _COLUMNS), updates)
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(statement, [_values(r) for r in rows])
            if tracking is not None:
                self._insert_tracking(curs, tracking)

    def open_rows(self, query: WorklistQuery) -> list[WorklistRow]:
        clauses, params = _filters(query)
        where = " AND ".join(clauses).replace("?", "%s")
        columns = SQL(", ").join(Identifier(c) for c in _COLUMNS)
        statement = SQL("SELECT {0} FROM {1} WHERE ").format(columns, self._table())
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement + SQL(where + _ORDER), params)
            return [_row(list(r.values())) for r in curs.fetchall()]

    def case_id(self, application_number: str) -> UUID | None:
        statement = SQL("SELECT case_id FROM {0} WHERE application_number = %s").format(
            self._table()
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, [application_number])
            found = curs.fetchone()
        return UUID(str(found["case_id"])) if found else None

    def stale_cases(self, calendar_version: str) -> list[UUID]:
        statement = SQL("SELECT case_id FROM {0} WHERE is_open AND calendar_version <> %s").format(
            self._table()
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, [calendar_version])
            return [UUID(str(r["case_id"])) for r in curs.fetchall()]

    def reset(self) -> None:
        tracking = Identifier(self.datastore.schema, self.tracking_table_name)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("DELETE FROM {0}").format(self._table()))
            curs.execute(
                SQL("DELETE FROM {0} WHERE application_name = %s").format(tracking), [SOURCE]
            )


def worklist_view(app: Application[Any]) -> WorklistView:
    """The worklist table in `app`'s own database."""
    view_class: Any = (
        PostgresWorklistView
        if app.factory.__class__.__module__.startswith("eventsourcing.postgres")
        else SQLiteWorklistView
    )
    return cast(WorklistView, app.factory.tracking_recorder(view_class))
