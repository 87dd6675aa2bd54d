"""Handling use cases. Intake's events become cases here, each exactly once."""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.application import Application as EventSourcedApplication
from eventsourcing.persistence import (
    IntegrityError,
    ProcessRecorder,
    Tracking,
    Transcoder,
)

from ogi.persistence import DateAsISO, dataclass_transcoding
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import CATEGORIES
from ogi.workdays import WorkingDayCalendar
from services.handling.domain import CASE_VALUE_TYPES, OPEN_STATES, Case, CaseState, HandlingPolicy

log = structlog.get_logger("handling")

UPSTREAM = "intake"
_INTAKE_EVENTS: dict[str, Any] = {
    "ApplicationSubmitted": events_pb2.ApplicationSubmitted,
    "CorrectionSupplied": events_pb2.CorrectionSupplied,
    "ApplicationWithdrawn": events_pb2.ApplicationWithdrawn,
}


class Handling(EventSourcedApplication[UUID]):
    """The handlers' workplace (办理)."""

    name = "handling"

    def __init__(
        self,
        env: dict[str, str],
        calendar: WorkingDayCalendar,
        policy: HandlingPolicy | None = None,
    ) -> None:
        super().__init__(env)
        self.calendar = calendar
        self.policy = policy or HandlingPolicy()

    def construct_recorder(self) -> ProcessRecorder:
        """A process recorder: events and the upstream position commit together."""
        return self.factory.process_recorder()

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)  # type: ignore[arg-type]
        transcoder.register(DateAsISO())  # type: ignore[attr-defined]
        for value_type in CASE_VALUE_TYPES:
            transcoder.register(dataclass_transcoding(value_type))  # type: ignore[attr-defined]

    @property
    def process_recorder(self) -> ProcessRecorder:
        return cast(ProcessRecorder, self.recorder)

    def apply_intake_event(self, subject: str, data: bytes) -> None:
        """Apply one of intake's integration events, once: an event already tracked is skipped,
        and the effect is saved in the same transaction as its position."""
        message_type = _INTAKE_EVENTS.get(subject.rsplit(".", 1)[-1])
        if message_type is None:
            return  # an event handling has no use for
        message = message_type.FromString(data)
        position = message.metadata.notification_id
        if self.process_recorder.has_tracking_id(UPSTREAM, position):
            log.info("already applied", upstream=UPSTREAM, position=position)
            return
        changed = self._effect(message)
        events = changed.collect_events() if changed else []
        try:
            self.events.put(events, tracking=Tracking(UPSTREAM, position))
        except IntegrityError:
            if self.process_recorder.has_tracking_id(UPSTREAM, position):
                return  # applied by a concurrent delivery
            raise

    def case(self, case_id: UUID) -> Case | None:
        try:
            return cast(Case, self.repository.get(case_id))
        except AggregateNotFoundError:
            return None

    def _effect(self, message: Any) -> Case | None:
        application_id = UUID(message.metadata.aggregate_id)
        existing = self.case(application_id)
        if isinstance(message, events_pb2.ApplicationSubmitted):
            if existing is not None:
                return None
            return Case(
                application_id=application_id,
                application_number=message.application_number,
                agency_code=message.agency_code,
                receipt_date=_date(message.receipt_date),
                applicant_category=CATEGORIES[message.applicant_category],
                description=message.information.description,
            )
        if existing is None:
            log.warning("event for an unknown case", application_id=str(application_id))
            return None
        if isinstance(message, events_pb2.CorrectionSupplied):
            if existing.state is not CaseState.AWAITING_CORRECTION:
                log.info("correction kept on file; none was awaited", case=str(application_id))
                return None
            existing.receive_correction(
                _date(message.receipt_date), message.information.description
            )
            return existing
        if existing.state not in OPEN_STATES:
            log.info("withdrawal after the reply; kept on file", case=str(application_id))
            return None
        existing.withdraw(_date(message.withdrawal_date), message.reason)
        return existing


def _date(value: common_pb2.CalendarDate) -> date:
    return date(value.year, value.month, value.day)
