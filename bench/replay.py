"""Rebuilding the worklist and the annual statistics from a store of a million events, against a
raw read of the same events table; and the annual report of one agency with 100,000 cases and of
a roll-up of 1,000 agencies, read from the rebuilt statistics.

Stores are made once on SQLite (two processes, one per service) and kept under the bench folder;
PostgreSQL gets the same rows copied in (same cipher key, same notification ids)."""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.measure import timed
from bench.seed import BIG, PARENT, directory, seed_archive, seed_handling
from ogi.annual_report import RESULTS_TOTAL, TOTAL
from ogi.auth import Principal, Role
from ogi.config import load_settings
from ogi.persistence import event_store_env
from ogi.projection import ProjectionWorker
from ogi.workdays import WorkingDayCalendar
from services.archive.application import Archive
from services.handling.application import Handling

AGENCIES = 1000
BIG_CASES = 100_000
KEY = "bXEKlX0ckqFn0nAjtsJhaOzCdSHRNeN9Ytn3hSbz6y0="  # bench stores only: no personal data
HEAD = Principal("bench", PARENT, frozenset({Role.OFFICE_HEAD}))
BATCH = 1000


@dataclass(frozen=True)
class Rebuild:
    events: int
    raw_seconds: float
    rebuild_seconds: float

    @property
    def raw_rate(self) -> float:
        return self.events / self.raw_seconds

    @property
    def rebuild_rate(self) -> float:
        return self.events / self.rebuild_seconds


@dataclass(frozen=True)
class ReplayFigures:
    worklist: Rebuild
    statistics: Rebuild
    report_ms: float
    rollup_ms: float
    big_agency_cases: int
    rollup_agencies: int


def env(database_url: str, schema: str = "bench") -> dict[str, str]:
    """The event store a bench service opens, configured as the services configure theirs."""
    settings = load_settings(
        "bench",
        {
            "OGI_DATABASE_URL": database_url,
            "OGI_DATABASE_SCHEMA": schema,
            "OGI_CIPHER_KEY": KEY,
            "OGI_TOKEN_KEY": KEY,
        },
    )
    return event_store_env(settings)


def _seed(service: str, path: str, events: int) -> int:
    if service == "handling":
        return seed_handling(handling(env(f"sqlite:///{path}")), events, AGENCIES, BIG_CASES)
    return seed_archive(archive(env(f"sqlite:///{path}")), events, AGENCIES, BIG_CASES)


def handling(environment: dict[str, str]) -> Handling:
    return Handling(environment, WorkingDayCalendar())


def archive(environment: dict[str, str]) -> Archive:
    return Archive(environment, directory(AGENCIES))


def sqlite_stores(folder: Path, events: int) -> dict[str, Path]:
    """handling and archive stores of at least `events` events, made once and kept."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {s: folder / f"{s}-{events}.sqlite" for s in ("handling", "archive")}
    missing = [s for s, p in paths.items() if not p.exists()]
    with ProcessPoolExecutor(2) as pool:
        partial = {s: paths[s].with_suffix(".partial") for s in missing}
        for s, made in zip(
            missing,
            pool.map(_seed, missing, [str(partial[s]) for s in missing], [events] * len(missing)),
            strict=True,
        ):
            print(f"  seeded {s}: {made} events", flush=True)
            partial[s].rename(paths[s])
    return paths


def postgres_copy(source: Path, url: str, schema: str, service: str) -> None:
    """The SQLite store's rows into a fresh schema, notification ids kept."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    (handling if service == "handling" else archive)(env(url, schema)).close()
    table = sql.Identifier(schema, f"{service}_events")
    with sqlite3.connect(source) as lite, psycopg.connect(url) as conn:
        rows = lite.execute(
            "SELECT originator_id, originator_version, topic, state, rowid FROM stored_events "
            "ORDER BY rowid"
        )
        copy_sql = sql.SQL(
            "COPY {} (originator_id, originator_version, topic, state, notification_id) FROM STDIN"
        ).format(table)
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'notification_id'), max(n)) FROM "
                "(SELECT max(notification_id) AS n FROM {}) m"
            ).format(sql.Literal(f'"{schema}"."{service}_events"'), table)
        )
        conn.execute(sql.SQL("ANALYZE {}").format(table))


def raw_read(app: Any) -> tuple[float, int]:
    """Every stored event, page by page, as the projections read them but without decoding."""

    def read() -> int:
        count, position = 0, 0
        while page := app.recorder.select_notifications(
            start=position, limit=BATCH * 10, inclusive_of_start=False
        ):
            count += len(page)
            position = page[-1].id
        return count

    seconds, count = timed(read)
    return seconds, count


def rebuild(app: Any, projector: Any, reset: Callable[[], None]) -> Rebuild:
    raw_seconds, events = raw_read(app)
    reset()
    seconds, _ = timed(ProjectionWorker(app, projector, batch_size=BATCH).catch_up)
    return Rebuild(events, raw_seconds, seconds)


def report_latency(app: Archive, agency: str, roll_up: bool, times: int = 20) -> float:
    app.annual_report(HEAD, agency, 2025, roll_up)  # warm
    samples = [
        timed(lambda: app.annual_report(HEAD, agency, 2025, roll_up))[0] for _ in range(times)
    ]
    return statistics.median(samples) * 1000


def measure_replay(stores: dict[str, Path], backend: str, postgres_url: str) -> ReplayFigures:
    if backend == "sqlite":
        work, files = (
            handling(env(f"sqlite:///{stores['handling']}")),
            archive(env(f"sqlite:///{stores['archive']}")),
        )
    else:
        postgres_copy(stores["handling"], postgres_url, "bench_replay_handling", "handling")
        postgres_copy(stores["archive"], postgres_url, "bench_replay_archive", "archive")
        work = handling(env(postgres_url, "bench_replay_handling"))
        files = archive(env(postgres_url, "bench_replay_archive"))
    worklist = rebuild(work, work.worklist, work.worklist.view.reset)
    counts = rebuild(files, files.statistics, files.statistics.tables.reset)
    big = files.annual_report(HEAD, BIG, 2025, False)
    rollup = files.annual_report(HEAD, PARENT, 2025, True)
    figures = ReplayFigures(
        worklist,
        counts,
        report_latency(files, BIG, False),
        report_latency(files, PARENT, True),
        big.table.three(RESULTS_TOTAL, TOTAL),
        len(rollup.agencies),
    )
    work.close()
    files.close()
    return figures
