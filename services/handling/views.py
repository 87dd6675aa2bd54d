"""The worklist table in the service's own database, beside its events and tracking (ogi.views:
SQLite for the embedded mode, PostgreSQL for production). Rows and position commit in one
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.setaside import SetAsideLog, set_aside_tables
from ogi.views import Statement, TrackedTables, tracked_tables
from services.handling.domain import CaseState
from services.handling.worklist import READER, SOURCE, UNASSIGNED, WorklistQuery, WorklistRow

# What is still to do: open cases, and replied cases until their reply is served (待送达). A
# condition on `state`, which every stored row has right, so rows written before replied cases
# were listed need no rebuild (`is_open` stays: open, before the reply).
_TO_DO = f"state <> '{CaseState.CLOSED.value}'"

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
# In the dialect both databases accept (SQLite reads uuid and date as names of its own types).
_TABLES = {
    "worklist": [
        "CREATE TABLE IF NOT EXISTS {worklist} (case_id uuid PRIMARY KEY, "
        "application_number text NOT NULL UNIQUE, agency_code text NOT NULL, "
        "state text NOT NULL, assignee text NOT NULL, receipt_date date NOT NULL, "
        "reply_due date, reply_due_provisional boolean NOT NULL, waiting_until date, "
        "description text, version bigint NOT NULL, calendar_version text NOT NULL, "
        "is_open boolean NOT NULL)",
        "CREATE INDEX IF NOT EXISTS worklist_open ON {worklist} (agency_code, is_open, reply_due)",
    ]
}
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM {{worklist}}"
_INSERT = (
    f"INSERT INTO {{worklist}} AS w ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)}) ON CONFLICT (case_id) "
)
# Never back to an older version of the case: a set-aside event applied again writes the case as
# it stands, and a replica's batch read before that must not undo it.
_UPSERT = (
    _INSERT
    + "DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
    + " WHERE w.version <= excluded.version"
)
_PLACEHOLDER = _INSERT + "DO NOTHING"
_ORDER = " ORDER BY reply_due IS NULL, reply_due, receipt_date, application_number"


class WorklistTable:
    """WorklistView (services.handling.worklist) on the service's tracked tables."""

    def __init__(self, tables: TrackedTables) -> None:
        self.tables = tables
        self._set_aside = SetAsideLog(tables, READER)

    @property
    def set_aside(self) -> SetAsideLog:
        return self._set_aside

    def put(
        self,
        rows: Sequence[WorklistRow],
        tracking: Tracking | None,
        after: int = 0,
        claim: Statement | None = None,
    ) -> None:
        self.tables.write([(_UPSERT, _values(r)) for r in rows], tracking, after, claim)

    def placeholder(self, row: WorklistRow) -> Statement:
        return _PLACEHOLDER, _values(row)

    def open_rows(self, query: WorklistQuery) -> list[WorklistRow]:
        clauses, params = _filters(query)
        return [
            _row(r)
            for r in self.tables.read(_SELECT + " WHERE " + " AND ".join(clauses) + _ORDER, params)
        ]

    def rows(self) -> list[WorklistRow]:
        return [_row(r) for r in self.tables.read(_SELECT + " ORDER BY case_id")]

    def case_id(self, application_number: str) -> UUID | None:
        found = self.tables.read(
            "SELECT case_id FROM {worklist} WHERE application_number = ?", [application_number]
        )
        return UUID(str(found[0][0])) if found else None

    def stale_cases(self, calendar_version: str) -> list[UUID]:
        found = self.tables.read(
            f"SELECT case_id FROM {{worklist}} WHERE {_TO_DO} AND calendar_version <> ?",
            [calendar_version],
        )
        return [UUID(str(case_id)) for (case_id,) in found]

    def position(self) -> int:
        return self.tables.position()

    def reset(self) -> None:
        self.tables.reset()


def worklist_view(app: Application[Any]) -> WorklistTable:
    """The worklist table in `app`'s own database."""
    return WorklistTable(tracked_tables(app, SOURCE, _TABLES | set_aside_tables(READER)))


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
    clauses, params = ["agency_code = ?", _TO_DO], [query.agency_code]
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
