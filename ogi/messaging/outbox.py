"""The outbox of an event-sourced service: its notification log, read in commit order, with the
relay's position kept in the same database (a tracking row), beside the events it could not
translate (set aside, ogi.setaside)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from ogi.messaging.deadletter import is_transient
from ogi.setaside import FaultSeam, HeldBehind, SetAsideLog, set_aside_tables
from ogi.views import tracked_tables

READER = "relay"  # the relay's name for the operator, and of its set-aside table


@dataclass(frozen=True)
class OutgoingMessage:
    """One integration event ready for the stream; `notification_id` is its outbox position."""

    notification_id: int
    subject: str
    payload: bytes


@dataclass(frozen=True)
class Untranslatable:
    """A notification that could not be made a message (or waits behind one that could not),
    and why: the relay sets it aside and goes on."""

    notification: Any  # eventsourcing's Notification
    error: Exception

    @property
    def notification_id(self) -> int:
        return int(self.notification.id)


# Maps a domain event and its notification id to (subject, payload); None keeps it private.
Translator = Callable[[Any, int], tuple[str, bytes] | None]


class EventSourcedOutbox:
    """Reads `app`'s notification log after the relay's recorded position."""

    def __init__(
        self,
        app: Application[Any],
        translate: Translator,
        tracking_name: str,
        *,
        fault: FaultSeam | None = None,
    ) -> None:
        self.app = app
        self.translate = translate
        self.tracking_name = tracking_name
        self.tables = tracked_tables(app, tracking_name, set_aside_tables(READER))
        self.set_aside = SetAsideLog(self.tables, READER)
        self.fault = fault or FaultSeam(READER)

    def position(self) -> int:
        """The last notification id the stream acknowledged, as recorded."""
        return self.tables.position()

    def record(self, notification_id: int, after: int) -> None:
        """Move the position from `after` (ogi.views.ProjectionConflict if it is elsewhere)."""
        self.tables.write([], Tracking(self.tracking_name, notification_id), after)

    def after(
        self, position: int, limit: int
    ) -> tuple[int, list[OutgoingMessage | Untranslatable]]:
        """Up to `limit` notifications after `position`: the last id read, and in order those
        that are integration events (private events are read past but not sent) and those that
        could not be translated, or wait behind an event of their aggregate that could not."""
        notifications = self.app.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=False
        )
        held = self.set_aside.originators()
        found: list[OutgoingMessage | Untranslatable] = []
        for n in notifications:
            originator = str(n.originator_id)
            if originator in held:
                found.append(Untranslatable(n, HeldBehind()))
                continue
            try:
                message = self._message(n)
            except Exception as error:
                if is_transient(error):
                    raise
                found.append(Untranslatable(n, error))
                held.add(originator)
                continue
            if message is not None:
                found.append(message)
        last = notifications[-1].id if notifications else position
        return last, found

    def again(self, notification_id: int) -> OutgoingMessage | None:
        """A set-aside notification, translated again (raises if it still cannot be)."""
        found = self.app.recorder.select_notifications(start=notification_id, limit=1)
        if not found or found[0].id != notification_id:
            raise LookupError(f"notification {notification_id} is not in the store")
        return self._message(found[0])

    def _message(self, n: Any) -> OutgoingMessage | None:
        self.fault.check(n.originator_id)
        translated = self.translate(self.app.mapper.to_domain_event(n), n.id)
        return None if translated is None else OutgoingMessage(n.id, *translated)
