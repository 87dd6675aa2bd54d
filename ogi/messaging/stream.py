"""The JetStream stream "OGI" that carries every service's integration events."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

STREAM = "OGI"


@dataclass(frozen=True)
class StreamSettings:
    """Where the stream is and how it is kept: what every relay and consumer needs."""

    nats_url: str
    replicas: int = 1
    duplicate_window: float = 86400.0  # seconds
    # Messages a consumer applies in one transaction at most (OGI_CONSUMER_BATCH): a few hundred
    # keep a transaction short and catch up thousands a second.
    batch: int = 256


def subject(service: str, event_name: str) -> str:
    """ogi.<service>.<EventName>."""
    return f"ogi.{service}.{event_name}"


async def ensure_stream(js: JetStreamContext, replicas: int, duplicate_window: float) -> None:
    """Create the stream if it is missing; keep its duplicate window and replicas as configured
    (a cluster grown from one server to three gets the stream moved to all three).

    The window must outlast any relay outage: a relay that crashed after publishing re-sends its
    last batch on restart, and only the window makes the stream drop those copies."""
    config = StreamConfig(
        name=STREAM,
        subjects=["ogi.>"],
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=duplicate_window,
    )
    try:
        info = await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(config)
        return
    if (info.config.duplicate_window, info.config.num_replicas) != (duplicate_window, replicas):
        await js.update_stream(config)
