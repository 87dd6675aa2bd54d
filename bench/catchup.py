"""make bench, catch-up (issue 21): a backlog of upstream events waiting on the stream, applied
by a consumer as the services run it — handling's of intake's events (each an application to
register), archive's of handling's (cases registered, answered and served: dossiers opened,
filed, release records) — events per second, in batches (OGI_CONSUMER_BATCH) and one at a time.

python -m bench.catchup [--events 100000] [--single 10000] [--backends postgres,sqlite]: the
events are published to a local nats-server first; then the consumer (ogi.messaging.consumer,
with the service's own application and its durable settings, on its own in this process: the
service's projections and gRPC server are not running beside it) is started and timed until
its tracking reaches the last position. PostgreSQL keeps synchronous_commit on, SQLite its WAL
with fsync; the cipher is on. Writes bench/results/catchup.md (and a dated copy with the JSON)."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast
from uuid import uuid4

import nats
import psycopg
from eventsourcing.persistence import ProcessRecorder
from psycopg import sql

from bench.measure import machine, save
from bench.replay import archive, env, handling
from ogi.leadership import FileLeadership
from ogi.messaging.consumer import Consumer
from ogi.messaging.inbox import Delivery
from ogi.messaging.nats_server import LocalNatsServer
from ogi.messaging.stream import StreamSettings, ensure_stream
from ogi.taxonomy import Outcome
from ogi.v1 import common_pb2, events_pb2
from ogi.wire import date_to_wire
from tests.handling_feed import HandlingFeed

RESULTS = Path(__file__).parent / "results"
TARGET = 5000.0  # events/s per consumer (issue 21)
Message = tuple[str, bytes, str]  # subject, data, Nats-Msg-Id


def intake_backlog(events: int) -> list[Message]:
    """Applications submitted to one agency over a year, as intake's relay publishes them."""
    made: list[Message] = []
    for n in range(1, events + 1):
        submitted = events_pb2.ApplicationSubmitted(
            application_number=f"BENCH-2025-{n:07d}",
            agency_code="HZMZJ",
            receipt_date=date_to_wire(date(2025, 1, 2) + timedelta(days=n % 300)),
            applicant_category=common_pb2.APPLICANT_CATEGORY_NATURAL_PERSON,
            applicant_key=f"applicant-{n % 5000}",
            sealed_applicant=b"sealed by intake",
        )
        submitted.information.description = f"申请公开2025年第{n}号文件"
        submitted.metadata.notification_id = n
        submitted.metadata.aggregate_id = str(uuid4())
        made.append(
            ("ogi.intake.ApplicationSubmitted", submitted.SerializeToString(), f"intake:{n}")
        )
    return made


def handling_backlog(events: int) -> list[Message]:
    """Cases registered, answered and served, as handling's relay publishes them."""
    made: list[Message] = []
    feed = HandlingFeed(lambda subject, data: made.append((subject, data, "")))
    n = 0
    while len(made) < events:
        received = date(2025, 1, 2) + timedelta(days=n % 300)
        case = feed.register(received)
        if len(made) < events:
            feed.answer_and_serve(case, Outcome.R3, received + timedelta(days=10))
        n += 1
    return [(s, d, f"handling:{i}") for i, (s, d, _) in enumerate(made[:events], start=1)]


async def publish(nats_url: str, messages: Sequence[Message]) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js, 1, 86400.0)
    for start in range(0, len(messages), 2000):
        for subject, data, msg_id in messages[start : start + 2000]:
            await js.publish_async(subject, data, headers={"Nats-Msg-Id": msg_id})
        await js.publish_async_completed()
    await nc.close()


def catch_up(
    nats_url: str,
    durable: str,
    subject: str,
    app: Any,
    apply: Callable[[str, bytes], None],
    apply_batch: Callable[[Sequence[Delivery]], None] | None,
    upstream: str,
    last: int,
    folder: Path,
) -> float:
    """Seconds the consumer takes to apply everything up to `last`."""
    recorder = cast(ProcessRecorder, app.recorder)

    async def run() -> float:
        consumer = Consumer(
            durable,
            subject,
            apply,
            StreamSettings(nats_url),
            apply_batch=apply_batch,
            leadership=FileLeadership(folder / f"{durable}.lock") if apply_batch else None,
        )
        started = time.perf_counter()
        task = asyncio.create_task(consumer.run())
        while (await asyncio.to_thread(recorder.max_tracking_id, upstream) or 0) < last:
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
        await consumer.stop()
        await task
        return seconds

    return asyncio.run(run())


def measure(backend: str, url: str, events: int, single: int, folder: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    backlogs = {"handling": intake_backlog(events), "archive": handling_backlog(events)}
    for service, messages in backlogs.items():
        for mode, count in (("batched", events), ("one at a time", single)):
            run = f"{service}-{'b' if mode == 'batched' else 's'}-{uuid4().hex[:6]}"
            nats_server = LocalNatsServer(folder / run / "nats")
            nats_server.start()
            schema = f"bench_catchup_{run.replace('-', '_')}"
            database = url if backend == "postgres" else f"sqlite:///{folder / run}.sqlite"
            try:
                if backend == "postgres":
                    with psycopg.connect(url, autocommit=True) as conn:
                        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
                asyncio.run(publish(nats_server.url, messages[:count]))
                if service == "handling":
                    app: Any = handling(env(database, schema))
                    apply, batch = app.apply_intake_event, app.apply_intake_events
                    durable, subject, upstream = "handling-intake", "ogi.intake.>", "intake"
                else:
                    app = archive(env(database, schema))
                    apply, batch = app.apply_handling_event, app.apply_handling_events
                    durable, subject, upstream = "archive-handling", "ogi.handling.>", "handling"
                seconds = catch_up(
                    nats_server.url,
                    durable,
                    subject,
                    app,
                    apply,
                    batch if mode == "batched" else None,
                    upstream,
                    count,
                    folder,
                )
                app.close()
            finally:
                nats_server.stop()
                if backend == "postgres":
                    with psycopg.connect(url, autocommit=True) as conn:
                        conn.execute(
                            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                                sql.Identifier(schema)
                            )
                        )
            rate = count / seconds
            figures[f"{service}, {mode}"] = {
                "events": count,
                "seconds": round(seconds, 2),
                "events_per_second": round(rate),
            }
            print(
                f"  {backend} {service} {mode}: {count} events in {seconds:.1f} s = {rate:,.0f}/s"
            )
    return figures


def main() -> None:
    from bench.__main__ import postgres_url

    parser = argparse.ArgumentParser(prog="bench.catchup")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=10_000, help="backlog one at a time")
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": vars(args),
        "target": f"catch-up >= {TARGET:,.0f} events/s per consumer on PostgreSQL",
        "backends": {},
    }
    with TemporaryDirectory(prefix="ogi-catchup-") as tmp:
        folder = Path(tmp)
        for backend in args.backends.split(","):
            url = postgres_url(folder) if backend == "postgres" else ""
            report["backends"][backend] = measure(backend, url, args.events, args.single, folder)
    save(report, text(report), RESULTS, "catchup-")


def text(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Catch-up {report['when']}",
        "",
        f"Machine: {m.get('cpu', '')}, {m.get('cores', '')} cores. {report['target']}; "
        "synchronous_commit on (PostgreSQL), WAL with fsync (SQLite), events encrypted.",
        "",
        "| backend | consumer | events | seconds | events/s | × one at a time |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for backend, figures in report["backends"].items():
        for name, f in figures.items():
            service = name.split(",")[0]
            single = figures.get(f"{service}, one at a time", {}).get("events_per_second", 0)
            ratio = f"{f['events_per_second'] / single:.1f}" if single else ""
            lines.append(
                f"| {backend} | {name} | {f['events']:,} | {f['seconds']} | "
                f"{f['events_per_second']:,} | {ratio} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
