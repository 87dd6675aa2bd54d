"""What every service's event-sourced application shares: a process recorder (an upstream event's
effect and its position commit together), dates and value objects stored as plain JSON, a clock
in China time, and a hook run after every save (to wake the relay and projections)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application, Repository
from eventsourcing.persistence import ProcessRecorder, Transcoder

from ogi.clock import Clock, china_date, system_clock
from ogi.messaging.inbox import (
    Delivery,
    Effect,
    PendingAwareRepository,
    Prepared,
    apply_all,
    apply_once,
    delivered_position,
)
from ogi.persistence import DateAsISO, dataclass_transcoding

# What a service makes of one upstream message (ogi.messaging.inbox.Prepared), or None for a
# message it has no use for (only its position is tracked).
Prepare = Callable[[str, bytes], Prepared | None]


class ServiceApplication(Application[UUID]):
    value_types: ClassVar[tuple[type[Any], ...]] = ()

    def __init__(self, env: dict[str, str], *, clock: Clock = system_clock) -> None:
        # Aggregates read often (an agency's number sequence, a case being worked) are kept in
        # memory and brought up to date with only their newer events (fast-forward), which
        # stays right when other replicas write to them.
        super().__init__({"AGGREGATE_CACHE_MAXSIZE": "1000"} | env)
        self.clock = clock
        self.on_saved: Callable[[], None] = lambda: None

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def construct_repository(self) -> Repository[UUID]:
        # The library's own settings, with a repository that sees a batch's unsaved changes
        # (ogi.messaging.inbox.apply_all).
        made = super().construct_repository()
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return PendingAwareRepository(
            made.event_store,
            snapshot_store=made.snapshot_store,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=made.fastforward,
            fastforward_skipping=made.fastforward_skipping,
            deepcopy_from_cache=made.deepcopy_from_cache,
        )

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)  # type: ignore[arg-type]
        transcoder.register(DateAsISO())  # type: ignore[attr-defined]
        for value_type in self.value_types:
            transcoder.register(dataclass_transcoding(value_type))  # type: ignore[attr-defined]

    def today(self) -> date:
        return china_date(self.clock())

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        recordings = super().save(*objs, **kwargs)
        self.on_saved()
        return recordings

    def apply_upstream(self, upstream: str, position: int, effect: Effect) -> None:
        """Apply an upstream service's event exactly once (ogi.messaging.inbox)."""
        if apply_once(self, upstream, position, effect):
            self.on_saved()

    def pass_over(self, upstream: str) -> None:
        """A message of `upstream` this service has no use for (or the relay's position mark,
        ogi.messaging.relay): only its position is tracked, so that a read asked to reflect it
        (ogi.freshness) does not wait in vain."""
        position = delivered_position(upstream)
        if position is not None:
            apply_once(self, upstream, position, lambda: None)

    def apply_message(
        self,
        upstream: str,
        messages: Mapping[str, Any],
        subject: str,
        data: bytes,
        effect: Callable[[Any], Any],
    ) -> None:
        """Parse an integration event on ogi.<upstream>.<Name> into its message type (subjects
        not in `messages` are events this service has no use for) and apply it once."""
        prepared = _message_effect(messages, effect)(subject, data)
        if prepared is None:
            self.pass_over(upstream)
            return
        self.apply_upstream(upstream, prepared.position, prepared.effect)

    def apply_messages(
        self,
        upstream: str,
        messages: Mapping[str, Any],
        deliveries: Sequence[Delivery],
        effect: Callable[[Any], Any],
    ) -> None:
        """A batch of apply_message, applied in one transaction (ogi.messaging.inbox)."""
        self.apply_batch(upstream, deliveries, _message_effect(messages, effect))

    def apply_batch(self, upstream: str, deliveries: Sequence[Delivery], prepare: Prepare) -> None:
        """Apply consecutive upstream messages once, in one transaction: what `prepare` makes
        of each, and the positions of those it has no use for."""
        items: list[Prepared] = []
        for delivery in deliveries:
            prepared = prepare(delivery.subject, delivery.data)
            if prepared is not None:
                items.append(prepared)
            elif (position := delivery.position(upstream)) is not None:
                items.append(Prepared(position, _nothing))
        if items and apply_all(self, upstream, items):
            self.on_saved()


def _message_effect(messages: Mapping[str, Any], effect: Callable[[Any], Any]) -> Prepare:
    """What apply_message and apply_messages make of an integration event on
    ogi.<upstream>.<Name>: its message type parsed, or None for a name not in `messages`."""

    def prepare(subject: str, data: bytes) -> Prepared | None:
        message_type = messages.get(subject.rsplit(".", 1)[-1])
        if message_type is None:
            return None
        message = message_type.FromString(data)
        # Each service keeps its own aggregate under the upstream aggregate's id (a case under
        # its application's, a dossier under its case's): the effect reads that one. An id that
        # is not one is left to the effect to judge.
        try:
            reads: tuple[UUID, ...] = (UUID(message.metadata.aggregate_id),)
        except ValueError:
            reads = ()
        return Prepared(message.metadata.notification_id, partial(effect, message), reads)

    return prepare


def _nothing() -> None:
    """The effect of a message a service has no use for."""
