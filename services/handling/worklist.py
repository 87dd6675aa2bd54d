"""The worklist (待办): the cases of an agency with something still to do and their due dates,
kept as a projection of handling's own events: every open case, and every replied case whose
reply is still to be served (待送达). Stored rows hold the dates; what depends on today (working
days left, at risk, overdue) is worked out when the list is read.

A replied case keeps its reply due date and its flags: the reply counts as given on the day it
is served (送达, 2016 interpretation), so an unserved reply past its due date is late.

An event the projection cannot apply is set aside (ogi.setaside) and its case stays on the list
as needing attention: a row with what is known of it and no dates, if it had none yet. Applied
again, the case is projected afresh from the store."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, cast
from uuid import UUID

import structlog
from eventsourcing.persistence import Tracking

from ogi.deadlines import working_days_left
from ogi.messaging.deadletter import is_transient
from ogi.setaside import SetAsideLog
from ogi.views import Statement
from ogi.workdays import WorkingDayCalendar
from services.handling.domain import OPEN_STATES, Case, CaseState

log = structlog.get_logger("handling.worklist")

SOURCE = "handling"  # the tracking name: the view follows handling's notification log
READER = "worklist"  # its name for the operator, and of its set-aside table
UNASSIGNED = "-"  # filter value for cases nobody has yet
DESCRIPTION_CHARS = 120


@dataclass(frozen=True)
class WorklistRow:
    case_id: UUID
    application_number: str
    agency_code: str
    state: CaseState
    assignee: str
    receipt_date: date
    reply_due: date | None
    reply_due_provisional: bool
    waiting_until: date | None
    description: str
    version: int
    calendar_version: str

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class WorklistQuery:
    agency_code: str
    assignee: str = ""  # "" any, UNASSIGNED for nobody
    states: frozenset[CaseState] = frozenset()
    due_before: date | None = None


@dataclass(frozen=True)
class WorklistItem:
    row: WorklistRow
    working_days_left: int
    at_risk: bool
    overdue: bool


class WorklistView(Protocol):
    """Where the rows live (SQLite or PostgreSQL, see views.py)."""

    @property
    def set_aside(self) -> SetAsideLog:
        """The events the projection set aside (ogi.setaside), beside the rows."""
        ...

    def put(
        self,
        rows: Sequence[WorklistRow],
        tracking: Tracking | None,
        after: int = 0,
        claim: Statement | None = None,
    ) -> None:
        """Insert or replace rows (never with an older version of the case), run the claim,
        and move the position from `after` to the tracking's if given, in one transaction
        (ogi.views.ProjectionConflict if it is no longer `after` or the claim found nothing)."""
        ...

    def placeholder(self, row: WorklistRow) -> Statement:
        """The statement that inserts `row` unless the case has one already."""
        ...

    def open_rows(self, query: WorklistQuery) -> list[WorklistRow]:
        """Cases still to do (open, or replied and not yet served) matching the query, ordered
        by reply due (cases without one last)."""
        ...

    def rows(self) -> list[WorklistRow]:
        """Every row, to do or done (a rebuild is checked against them)."""
        ...

    def case_id(self, application_number: str) -> UUID | None: ...

    def stale_cases(self, calendar_version: str) -> list[UUID]:
        """Cases still to do whose dates were computed with another calendar."""
        ...

    def position(self) -> int: ...

    def reset(self) -> None:
        """Empty the view and forget its position, to rebuild it by replay."""
        ...


def row_for(case: Case, calendar: WorkingDayCalendar) -> WorklistRow:
    """The case as the worklist shows it; `waiting_until` is the deadline of whoever the case
    waits on (the applicant's correction or payment, the consulted party)."""
    reply = case.current_reply_deadline(calendar)
    waiting_deadline = (
        case.correction_due(calendar) or case.consultation_due(calendar) or case.fee_due(calendar)
    )
    return WorklistRow(
        case_id=case.id,
        application_number=case.application_number,
        agency_code=case.agency_code,
        state=case.state,
        assignee=case.assignee,
        receipt_date=case.receipt_date,
        reply_due=reply.due if reply else None,
        reply_due_provisional=reply.provisional if reply else False,
        waiting_until=waiting_deadline.due if waiting_deadline else None,
        description=case.description[:DESCRIPTION_CHARS],
        version=case.version,
        calendar_version=calendar.version,
    )


def attention_row(case: Case, calendar: WorkingDayCalendar) -> WorklistRow:
    """What the worklist shows of a case it could not project: who and where, no dates and
    no description (either may be what failed), so that handlers still see the case."""
    return WorklistRow(
        case_id=case.id,
        application_number=case.application_number,
        agency_code=case.agency_code,
        state=case.state,
        assignee=case.assignee,
        receipt_date=case.receipt_date,
        reply_due=None,
        reply_due_provisional=False,
        waiting_until=None,
        description="",
        version=case.version,
        calendar_version=calendar.version,
    )


def item_for(
    row: WorklistRow, calendar: WorkingDayCalendar, today: date, at_risk_within: int
) -> WorklistItem:
    if row.reply_due is None:
        return WorklistItem(row, 0, False, False)
    left = working_days_left(calendar, today, row.reply_due)
    return WorklistItem(row, left, 0 <= left <= at_risk_within, today > row.reply_due)


class WorklistProjector:
    """Brings the view up to date with a batch of handling's events: each case touched in the
    batch is brought to its latest version in the batch and its row replaced.

    Cases are rebuilt by applying the batch's events to the state the projector last saw
    (kept for the most recent CACHED_CASES cases), and read from the store only when that
    state is missing, so a replay reads each event once."""

    CACHED_CASES = 10_000

    def __init__(self, repository: Any, view: WorklistView, calendar: WorkingDayCalendar) -> None:
        self.repository = repository
        self.view = view
        self.calendar = calendar
        self._seen: OrderedDict[UUID, Case] = OrderedDict()

    @property
    def set_aside(self) -> SetAsideLog:
        return self.view.set_aside

    def position(self) -> int:
        return self.view.position()

    def reapply(self, domain_event: Any, claim: Statement) -> None:
        """A set-aside event of a case: project the case as it stands now."""
        rows = []
        if isinstance(domain_event, Case.Event):
            self._seen.pop(domain_event.originator_id, None)
            rows.append(row_for(self.repository.get(domain_event.originator_id), self.calendar))
        self.view.put(rows, None, claim=claim)

    def attention(self, domain_event: Any) -> list[Statement]:
        """A row for the case if it has none (its first event failed): it stays in sight."""
        if not isinstance(domain_event, Case.Event):
            return []
        self._seen.pop(domain_event.originator_id, None)
        case = self.repository.get(
            domain_event.originator_id, version=domain_event.originator_version
        )
        return [self.view.placeholder(attention_row(case, self.calendar))]

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        touched: dict[UUID, Case] = {}
        for event in domain_events:
            if isinstance(event, Case.Event):
                touched[event.originator_id] = self._advance(event)
        self.view.put(
            [row_for(case, self.calendar) for case in touched.values()],
            Tracking(SOURCE, last_notification_id),
            after,
        )

    def _advance(self, event: Any) -> Case:
        known = self._seen.pop(event.originator_id, None)
        if event.originator_version == 1:
            case = event.mutate(None)
        elif known is not None and known.version == event.originator_version - 1:
            case = event.mutate(known)
        else:  # not seen lately (or seen ahead of a batch that is being retried): read it
            # A get at a given version bypasses the repository's cache: this object is ours.
            case = self.repository.get(event.originator_id, version=event.originator_version)
        self._seen[event.originator_id] = case
        if len(self._seen) > self.CACHED_CASES:
            self._seen.popitem(last=False)
        return cast(Case, case)

    def refresh_stale(self) -> int:
        """Recompute cases still to do computed with another calendar: after the operator loads a
        year's official schedule, provisional dates become exact. Returns how many changed."""
        rows = []
        for case_id in self.view.stale_cases(self.calendar.version):
            try:
                rows.append(row_for(self.repository.get(case_id), self.calendar))
            except Exception as error:  # its dates cannot be computed: keep the row it has
                if is_transient(error):
                    raise
                log.warning(
                    "due dates not recomputed", case=str(case_id), error=type(error).__name__
                )
        self.view.put(rows, None)
        return len(rows)
