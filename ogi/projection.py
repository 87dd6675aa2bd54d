"""Projections: read models that follow a service's own notification log.

A projector writes its view and its position (a tracking row) in one transaction, so a crash at
any point neither skips an event nor applies one twice, and a view can be rebuilt from zero by
replay."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import structlog
from eventsourcing.application import Application

from ogi.process import Worker
from ogi.views import ProjectionConflict

log = structlog.get_logger("ogi.projection")


class Projector(Protocol):
    def position(self) -> int:
        """The last notification id the view includes."""
        ...

    def project(self, domain_events: list[Any], after: int, last_notification_id: int) -> None:
        """Update the view from the events after position `after` and move the position to
        `last_notification_id`, in one transaction (ogi.views.ProjectionConflict if another
        replica moved it first)."""
        ...


class ProjectionWorker(Worker):
    """Keeps a projector up to date with `app`'s notification log: polls, or is woken on save."""

    def __init__(
        self,
        app: Application[Any],
        projector: Projector,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self.app = app
        self.projector = projector
        self.batch_size = batch_size
        self.poll_interval = poll_interval

    async def run(self) -> None:
        self.started()
        while not self.stopping:
            try:
                projected = await asyncio.to_thread(self.catch_up_once)
            except Exception as e:  # the database is away: keep the service up, retry
                log.warning("projection interrupted", error=type(e).__name__, detail=str(e))
                await self.sleep(self.poll_interval)
                continue
            if projected == 0:
                await self.sleep(self.poll_interval)

    def catch_up_once(self) -> int:
        """Project the next batch; the number of notifications read."""
        position = self.projector.position()
        notifications = self.app.recorder.select_notifications(
            start=position, limit=self.batch_size, inclusive_of_start=False
        )
        if notifications:
            events = [self.app.mapper.to_domain_event(n) for n in notifications]
            try:
                self.projector.project(events, position, notifications[-1].id)
            except ProjectionConflict:
                log.debug("another replica projected this batch first", after=position)
        return len(notifications)

    def catch_up(self) -> None:
        """Project everything there is now (start-up, rebuild, tests)."""
        while self.catch_up_once():
            pass
