"""The outbox of an event-sourced service: its notification log, read in commit order, with the
relay's position kept in the same database (a tracking row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking


@dataclass(frozen=True)
class OutgoingMessage:
    """One integration event ready for the stream; `notification_id` is its outbox position."""

    notification_id: int
    subject: str
    payload: bytes


# Maps a domain event and its notification id to (subject, payload); None keeps it private.
Translator = Callable[[Any, int], tuple[str, bytes] | None]


class EventSourcedOutbox:
    """Reads `app`'s notification log after the relay's recorded position."""

    def __init__(self, app: Application[Any], translate: Translator, tracking_name: str) -> None:
        self.app = app
        self.translate = translate
        self.tracking_name = tracking_name
        self.tracking = app.factory.tracking_recorder()

    def position(self) -> int:
        """The last notification id the stream acknowledged, as recorded."""
        return self.tracking.max_tracking_id(self.tracking_name) or 0

    def record(self, notification_id: int) -> None:
        self.tracking.insert_tracking(Tracking(self.tracking_name, notification_id))

    def after(self, position: int, limit: int) -> tuple[int, list[OutgoingMessage]]:
        """Up to `limit` notifications after `position`: the last id read, and those that are
        integration events (private events are read past but not sent)."""
        notifications = self.app.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=False
        )
        messages = []
        for n in notifications:
            translated = self.translate(self.app.mapper.to_domain_event(n), n.id)
            if translated is not None:
                messages.append(OutgoingMessage(n.id, *translated))
        last = notifications[-1].id if notifications else position
        return last, messages
