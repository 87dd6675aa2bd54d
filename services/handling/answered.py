"""类似申请曾答复: the agency's earlier requests most like the case at hand, with what their replies
released, so that the handler releases the same item again (the same 文号, link or file makes
the Art 44 candidates exact) and need not search for it.

Handling's own read model: a projection of its events (ogi.views tracked tables, like the
worklist) keeps every request with its words as last corrected and, once a reply released
something (R1, R2, R8), the items; each process keeps an agency's answered requests in memory
(ogi.textmatch.answered), brought up to date from the table at each question."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.setaside import SetAsideLog, set_aside_tables
from ogi.textmatch.answered import AnsweredIndex
from ogi.textmatch.ranking import AnsweredRequest, ReleasedDocument
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
        "replied_on TEXT, released TEXT NOT NULL, seq BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS answered_seq ON {answered} (agency_code, seq)",
    ]
}
_C: Any = Case


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
        statements = [s for e in domain_events for s in _statements(e, last_notification_id)]
        self.tables.write(statements, Tracking(SOURCE, last_notification_id), after)

    def reapply(self, domain_event: Any, claim: Statement) -> None:
        self.tables.write(_statements(domain_event, self.position()), None, claim=claim)

    def attention(self, _domain_event: Any, /) -> list[Statement]:
        return []  # a request not in the table is only not suggested


def _statements(e: Any, seq: int) -> list[Statement]:
    if isinstance(e, _C.Registered):
        return [
            (
                "INSERT INTO {answered} VALUES (?, ?, ?, ?, ?, '', NULL, '[]', ?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (
                    str(e.originator_id),
                    e.agency_code,
                    e.application_number,
                    e.receipt_date.isoformat(),
                    e.description,
                    seq,
                ),
            )
        ]
    if isinstance(e, _C.CorrectionReceived):
        return [
            (
                "UPDATE {answered} SET description = ? WHERE case_id = ?",
                (e.description, str(e.originator_id)),
            )
        ]
    if isinstance(e, _C.Replied) and e.reply.outcome in RELEASING:
        items = [
            {
                "title": i.title,
                "document_number": i.document_number,
                "form": str(i.form),
                "sha256": i.sha256,
                "link": i.link,
            }
            for i in e.reply.released
        ]
        return [
            (
                "UPDATE {answered} SET outcome = ?, replied_on = ?, released = ?, seq = ? "
                "WHERE case_id = ?",
                (
                    str(e.reply.outcome),
                    e.reply.replied_on.isoformat(),
                    json.dumps(items, ensure_ascii=False),
                    seq,
                    str(e.originator_id),
                ),
            )
        ]
    return []


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
                    "replied_on, released, seq FROM {answered} "
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
            index.add(
                AnsweredRequest(
                    a.case_id,
                    a.description,
                    tuple(ReleasedDocument(i["title"], i["document_number"]) for i in a.released),
                    a.receipt_date.year,
                )
                for a in answered
            )
            self._seen[agency] = int(rows[-1][7])
            return index


def _answered(row: tuple[Any, ...]) -> Answered:
    case_id, number, received, description, outcome, replied, released, _ = row
    return Answered(
        str(case_id),
        number,
        date.fromisoformat(str(received)),
        description,
        outcome,
        date.fromisoformat(str(replied)),
        json.loads(released),
    )
