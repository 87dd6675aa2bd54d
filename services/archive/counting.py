"""The annual-statistics projection: counters per (agency, year, section, line, column), kept from
the archive's own events, beside them in its database. A report reads a few hundred counters,
never the cases; replaying from zero rebuilds the same counters. Section 二's figures, which the
agency records, are kept in the same table (set, not added), so a roll-up sums them alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from ogi.annual_report import RECEIVED, THREE, result_line
from ogi.setaside import SetAsideLog, set_aside_tables
from ogi.taxonomy import ApplicantCategory
from ogi.views import Statement, tracked_tables
from services.archive.domain import Dossier, Remedy
from services.archive.report_entries import ReportEntries
from services.archive.statistics import Key, RemedyCounting, Tally

SOURCE = "statistics"  # its tracking name, and its name for the operator
_TABLES = {
    "report_counts": [
        "CREATE TABLE IF NOT EXISTS {report_counts} (agency_code TEXT NOT NULL, "
        "year INTEGER NOT NULL, section TEXT NOT NULL, line TEXT NOT NULL, "
        "column_key TEXT NOT NULL, n BIGINT NOT NULL, "
        "PRIMARY KEY (agency_code, year, section, line, column_key))"
    ],
    # Who each dossier counts for, remembered from its opening: later events don't repeat it.
    "counted_dossiers": [
        "CREATE TABLE IF NOT EXISTS {counted_dossiers} (dossier_id TEXT PRIMARY KEY, "
        "agency_code TEXT NOT NULL, category TEXT NOT NULL)"
    ],
}
_ADD = (
    "INSERT INTO {report_counts} AS c VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (agency_code, year, section, line, column_key) DO UPDATE SET n = c.n + excluded.n"
)
_SET = (
    "INSERT INTO {report_counts} AS c VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (agency_code, year, section, line, column_key) DO UPDATE SET n = excluded.n"
)
_REMEMBER = "INSERT INTO {counted_dossiers} VALUES (?, ?, ?) ON CONFLICT (dossier_id) DO NOTHING"
_E: Any = Dossier  # the event classes the library made from Dossier's @event methods
_R: Any = ReportEntries


class StatisticsProjector:
    # The events that count (`changes`) or set section 二, and the opening that says for whom:
    # the worker decodes no other (ogi.projection.topics_used).
    topics = frozenset(
        get_topic(cls)
        for cls in (
            _E.Opened,
            _E.Archived,
            _E.FeePaid,
            _E.RemedyFiled,
            _E.RemedyDecided,
            _R.FiguresRecorded,
        )
    )

    def __init__(self, app: Application[Any]) -> None:
        self.tables = tracked_tables(app, SOURCE, _TABLES | set_aside_tables(SOURCE))
        self.set_aside = SetAsideLog(self.tables, SOURCE)

    def position(self) -> int:
        return self.tables.position()

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        statements = self._statements(domain_events)
        self.tables.write(statements, Tracking(SOURCE, last_notification_id), after)

    def reapply(self, domain_event: Any, claim: Statement) -> None:
        """Counts a set-aside event once: its counts and its claim commit together."""
        self.tables.write(self._statements([domain_event]), None, claim=claim)

    def attention(self, _domain_event: Any, /) -> list[Statement]:
        return []  # the dossier itself is on file: only its counts wait

    def _statements(self, domain_events: list[Any]) -> list[Statement]:
        figures = [e for e in domain_events if isinstance(e, _R.FiguresRecorded)]
        domain_events = [e for e in domain_events if isinstance(e, Dossier.Event)]
        owners: dict[UUID, tuple[str, ApplicantCategory]] = {}
        opened = [e for e in domain_events if isinstance(e, _E.Opened)]
        for e in opened:
            owners[e.originator_id] = (e.agency_code, ApplicantCategory(e.applicant_category))
        counted = [e for e in domain_events if not isinstance(e, _E.Opened)]
        owners |= self._owners({e.originator_id for e in counted} - owners.keys())
        deltas: Counter[tuple[str, Key]] = Counter()
        for e in domain_events:
            agency, category = owners[e.originator_id]
            for key, n in changes(e, category):
                deltas[agency, key] += n
        statements: list[Statement] = [
            (_REMEMBER, (str(e.originator_id), e.agency_code, e.applicant_category)) for e in opened
        ]
        statements += [(_ADD, (agency, *key, n)) for (agency, key), n in deltas.items() if n]
        statements += [
            (_SET, (e.agency_code, e.year, section, line, column, n))
            for e in figures
            for section, line, column, n in e.figures
        ]
        return statements

    def _owners(self, ids: set[UUID]) -> dict[UUID, tuple[str, ApplicantCategory]]:
        found: dict[UUID, tuple[str, ApplicantCategory]] = {}
        listed = sorted(str(i) for i in ids)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for dossier_id, agency, category in self.tables.read(
                "SELECT dossier_id, agency_code, category FROM {counted_dossiers} "
                f"WHERE dossier_id IN ({marks})",
                chunk,
            ):
                found[UUID(dossier_id)] = (agency, ApplicantCategory(category))
        return found

    def tally(self, agencies: Sequence[str], up_to_year: int) -> Tally:
        """The counters of these agencies, summed, for every year up to `up_to_year` (earlier
        years give the carry-over)."""
        marks = ", ".join("?" for _ in agencies)
        rows = self.tables.read(
            "SELECT year, section, line, column_key, SUM(n) FROM {report_counts} "
            f"WHERE agency_code IN ({marks}) AND year <= ? "
            "GROUP BY year, section, line, column_key",
            [*agencies, up_to_year],
        )
        return Tally({(int(y), s, line, c): int(n) for y, s, line, c, n in rows})

    def counter_rows(self) -> int:
        return int(self.tables.read("SELECT COUNT(*) FROM {report_counts}")[0][0])


def changes(e: Any, category: ApplicantCategory) -> Iterable[tuple[Key, int]]:
    """What one dossier event adds to the counters."""
    if isinstance(e, _E.Opened):
        yield (e.receipt_date.year, THREE, RECEIVED, category.value), 1
    elif isinstance(e, _E.Archived):
        conclusion = e.conclusion
        year = conclusion.concluded_on.year
        yield (year, THREE, result_line(conclusion.row), category.value), 1
    elif isinstance(e, _E.FeePaid):
        fee = Tally()
        fee.record_fee(Decimal(e.amount), e.paid_on)
        yield from fee.items()
    elif isinstance(e, _E.RemedyFiled):
        yield _remedy_cell(e.remedy), 1
    elif isinstance(e, _E.RemedyDecided):
        yield _remedy_cell(_pending(e.remedy)), -1
        yield _remedy_cell(e.remedy), 1


def _remedy_cell(remedy: Remedy) -> Key:
    return RemedyCounting.cell(remedy.kind, remedy.filed_on, remedy.result, remedy.decided_on)


def _pending(remedy: Remedy) -> Remedy:
    return Remedy(remedy.number, remedy.kind, remedy.filed_on, remedy.reference)
