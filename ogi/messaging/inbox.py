"""Applying an upstream service's event exactly once: the effect and the upstream position
(a tracking row) are saved in one transaction, and a position already tracked is skipped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import structlog
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking

log = structlog.get_logger("ogi.inbox")

# Returns the aggregate it changed, or those, or None.
Effect = Callable[[], Aggregate | Sequence[Aggregate] | None]


def apply_once(app: Application[Any], upstream: str, position: int, effect: Effect) -> bool:
    """Run `effect` and save what it changed with Tracking(upstream, position); False if the
    position was applied before (a redelivery), by this process or a concurrent one. `app`
    must use a process recorder."""
    recorder = cast(ProcessRecorder, app.recorder)
    if recorder.has_tracking_id(upstream, position):
        log.info("already applied", upstream=upstream, position=position)
        return False
    changed = effect()
    aggregates = [changed] if isinstance(changed, Aggregate) else list(changed or [])
    events = [e for aggregate in aggregates for e in aggregate.collect_events()]
    try:
        app.events.put(events, tracking=Tracking(upstream, position))
    except IntegrityError:
        if recorder.has_tracking_id(upstream, position):
            return False
        raise
    return True
