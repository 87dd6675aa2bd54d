"""类似申请曾答复: the agency's earlier requests most like the case at hand, with what their replies
released, so that the handler releases the same item again (the same 文号, link or file makes
the Art 44 candidates exact) and need not search for it.

Handling's own read model: a projection of its events (ogi.views tracked tables, like the
worklist) keeps every request with its words as last corrected and, once a reply released
something (R1, R2, R8), the items; each process keeps an agency's answered requests in memory
(ogi.textmatch.answered), brought up to date from the table at each question."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.setaside import SetAsideLog, set_aside_tables
from ogi.textmatch import stored
from ogi.textmatch.answered import AnsweredIndex
from ogi.textmatch.ranking import AnsweredRequest, ReleasedDocument, read
from ogi.views import Statement, TrackedTables, tracked_tables
from services.handling.disclosure import RELEASING
from services.handling.domain import Case

SOURCE = "answered"  # the projection's tracking name, and its name for the operator
MOST = 5  # shown to the handler
_TABLES = {
    "answered": [
        "CREATE TABLE IF NOT EXISTS {answered} (case_id TEXT PRIMARY KEY, "
        "agency_code TEXT NOT NULL, application_number TEXT NOT NULL, "
        "receipt_date TEXT NOT NULL, description TEXT NOT NULL, outcome TEXT NOT NULL, "
        "replied_on TEXT, released TEXT NOT NULL, reading TEXT NOT NULL, "
        "reading_version TEXT NOT NULL, seq BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS answered_seq ON {answered} (agency_code, seq)",
    ]
}
_C: Any = Case
# A row's seq is its batch's last notification id times this, plus its place in the batch: each
# row written later has a larger one, which the readers follow.
_PER_BATCH = 1000


@dataclass(frozen=True)
class Answered:
    """An earlier request, answered: what the handler is shown of it."""

    case_id: str
    application_number: str
    receipt_date: date
    description: str
    outcome: str
    replied_on: date
    released: list[dict[str, str]]  # title, document_number, form, sha256, link


@dataclass(frozen=True)
class Similar:
    answered: Answered
    similarity: float


class AnsweredProjector:
    """Keeps the table of requests and what their replies released."""

    def __init__(self, app: Application[Any]) -> None:
        self.tables = tracked_tables(app, SOURCE, _TABLES | set_aside_tables(SOURCE))
        self.set_aside = SetAsideLog(self.tables, SOURCE)

    def position(self) -> int:
        return self.tables.position()

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        batch = _Batch(self.tables, last_notification_id * _PER_BATCH)
        statements = [s for e in domain_events for s in batch.statements(e)]
        self.tables.write(statements, Tracking(SOURCE, last_notification_id), after)

    def reapply(self, domain_event: Any, claim: Statement) -> None:
        """Written after every row of the batches so far (a batch numbers fewer rows than
        _PER_BATCH), so that it is read again."""
        batch = _Batch(self.tables, (self.position() + 1) * _PER_BATCH - 1)
        self.tables.write(batch.statements(domain_event), None, claim=claim)

    def attention(self, _domain_event: Any, /) -> list[Statement]:
        return []  # a request not in the table is only not suggested


class _Batch:
    """The statements for a batch of events, which may hold a case's registration and its
    reply: what the request says is taken from the batch first, then from the table."""

    def __init__(self, tables: TrackedTables, first: int) -> None:
        self.tables = tables
        self._seqs = itertools.count(first)
        self.asked: dict[str, tuple[str, int]] = {}  # case → its words, the year received

    def statements(self, e: Any) -> list[Statement]:
        case_id = str(e.originator_id)
        if isinstance(e, _C.Registered):
            self.asked[case_id] = (e.description, e.receipt_date.year)
            return [
                (
                    "INSERT INTO {answered} VALUES (?, ?, ?, ?, ?, '', NULL, '[]', '', '', ?) "
                    "ON CONFLICT (case_id) DO NOTHING",
                    (
                        case_id,
                        e.agency_code,
                        e.application_number,
                        e.receipt_date.isoformat(),
                        e.description,
                        next(self._seqs),
                    ),
                )
            ]
        if isinstance(e, _C.CorrectionReceived):
            year = self._asked(case_id)[1]
            self.asked[case_id] = (e.description, year)
            return [
                (
                    "UPDATE {answered} SET description = ? WHERE case_id = ?",
                    (e.description, case_id),
                )
            ]
        if isinstance(e, _C.Replied) and e.reply.outcome in RELEASING:
            return [self._replied(case_id, e.reply)]
        return []

    def _replied(self, case_id: str, reply: Any) -> Statement:
        """The items and, read now once, the request with them (ogi.textmatch.stored)."""
        items = [
            {
                "title": i.title,
                "document_number": i.document_number,
                "form": str(i.form),
                "sha256": i.sha256,
                "link": i.link,
            }
            for i in reply.released
        ]
        description, year = self._asked(case_id)
        reading = read(_request(case_id, description, items, year))
        return (
            "UPDATE {answered} SET outcome = ?, replied_on = ?, released = ?, reading = ?, "
            "reading_version = ?, seq = ? WHERE case_id = ?",
            (
                str(reply.outcome),
                reply.replied_on.isoformat(),
                json.dumps(items, ensure_ascii=False),
                stored.dumps(reading),
                stored.version(),
                next(self._seqs),
                case_id,
            ),
        )

    def _asked(self, case_id: str) -> tuple[str, int]:
        if case_id not in self.asked:
            found = self.tables.read(
                "SELECT description, receipt_date FROM {answered} WHERE case_id = ?", [case_id]
            )
            description, received = found[0] if found else ("", "1970-01-01")
            self.asked[case_id] = (description, date.fromisoformat(str(received)).year)
        return self.asked[case_id]


def _request(
    case_id: str, description: str, items: list[dict[str, str]], year: int
) -> AnsweredRequest:
    released = tuple(ReleasedDocument(i["title"], i["document_number"]) for i in items)
    return AnsweredRequest(case_id, description, released, year)


class SimilarAnswered:
    """The agencies' answered requests in memory, each agency's read from the table when first
    asked about and brought up to date at every question since."""

    def __init__(self, tables: TrackedTables) -> None:
        self.tables = tables
        self._indexes: dict[str, AnsweredIndex] = {}
        self._answered: dict[str, Answered] = {}
        self._seen: dict[str, int] = {}  # agency → the last seq read
        self._seqs: dict[str, int] = {}  # case → the seq its row was read at
        self._lock = threading.Lock()

    def most_alike(self, case: Case, n: int = MOST) -> list[Similar]:
        """The `n` answered requests of the case's agency most like it, best first."""
        index = self._caught_up(case.agency_code)
        found = index.most_alike(
            case.description, case.receipt_date.year, n, leave_out=str(case.id)
        )
        return [Similar(self._answered[a.request.key], a.similarity) for a in found]

    def _caught_up(self, agency: str) -> AnsweredIndex:
        with self._lock:
            index = self._indexes.setdefault(agency, AnsweredIndex())
            # From the last seq read again: a row set aside and applied later is written at
            # the position of its day, which a batch committed since may share.
            rows = [
                row
                for row in self.tables.read(
                    "SELECT case_id, application_number, receipt_date, description, outcome, "
                    "replied_on, released, seq, reading, reading_version FROM {answered} "
                    "WHERE agency_code = ? AND seq >= ? AND outcome <> '' ORDER BY seq",
                    [agency, self._seen.get(agency, 0)],
                )
                if self._seqs.get(str(row[0])) != int(row[7])
            ]
            if not rows:
                return index
            self._seqs.update((str(row[0]), int(row[7])) for row in rows)
            answered = [_answered(row) for row in rows]
            self._answered.update((a.case_id, a) for a in answered)
            current = stored.version()
            index.add(
                (
                    _request(a.case_id, a.description, a.released, a.receipt_date.year)
                    for a in answered
                ),
                # Read by the projection; one read by another matcher is read again when needed.
                (stored.loads(str(row[0]), row[8]) for row in rows if row[9] == current),
            )
            self._seen[agency] = int(rows[-1][7])
            return index


def _answered(row: tuple[Any, ...]) -> Answered:
    case_id, number, received, description, outcome, replied, released, *_ = row
    return Answered(
        str(case_id),
        number,
        date.fromisoformat(str(received)),
        description,
        outcome,
        date.fromisoformat(str(replied)),
        json.loads(released),
    )
