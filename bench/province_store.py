"""The province's two stores, year by year: handling's cases and archive's dossiers saved in
large batches on SQLite (one process per store), then the same rows copied into PostgreSQL a
year at a time; the bytes each store takes after each year, on disk and in PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.province_seed import applications_per_year, cases, dossiers, plan_year
from bench.province_tree import province_directory
from bench.replay import env
from ogi.workdays import WorkingDayCalendar
from services.archive.application import Archive
from services.handling.application import Handling

SAVE_BATCH = 1000  # aggregates per transaction


@dataclass(frozen=True)
class YearSeeded:
    """One year put into one store: what it added and what the store then takes."""

    year: int
    applications: int
    aggregates: int
    events: int
    last_rowid: int
    sqlite_bytes: int
    seconds: float


def app_of(service: str, environment: dict[str, str], agencies: int) -> Any:
    if service == "handling":
        return Handling(environment, WorkingDayCalendar())
    return Archive(environment, province_directory(agencies))


def seed(
    service: str, path: str, first_year: int, years: int, scale: float, agencies: int
) -> list[YearSeeded]:
    """Fill `service`'s SQLite store at `path` with `years` years of the province."""
    calendar = WorkingDayCalendar()
    directory = province_directory(agencies)
    app = app_of(service, env(f"sqlite:///{path}"), agencies)
    as_of = date(first_year + years - 1, 12, 31)
    seeded = []
    for year in range(first_year, first_year + years):
        started = time.perf_counter()
        plans = plan_year(year, applications_per_year(scale), directory, calendar)
        made: Iterable[list[Any]] = (
            ([c] for c in cases(plans, calendar, as_of))
            if service == "handling"
            else dossiers(plans, calendar, as_of)
        )
        aggregates, events = 0, 0
        for batch in batches(made):
            app.save(*batch)
            aggregates += len(batch)
            events += sum(a.version for a in batch)
        seeded.append(
            YearSeeded(
                year,
                len(plans),
                aggregates,
                events,
                last_rowid(path),
                sqlite_bytes(path),
                round(time.perf_counter() - started, 1),
            )
        )
        print(f"  {service} {year}: {len(plans)} applications, {events} events", flush=True)
    app.close()
    return seeded


def batches(made: Iterable[list[Any]]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for aggregates in made:
        batch += aggregates
        if len(batch) >= SAVE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def last_rowid(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM stored_events").fetchone()[0])


def sqlite_bytes(path: str) -> int:
    """The database file with its write-ahead log folded in (a checkpoint, as SQLite makes one
    itself every 1,000 pages): what the store takes on disk."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*"))


def postgres_copy_by_year(
    source: Path, url: str, schema: str, service: str, seeded: list[YearSeeded], agencies: int
) -> list[int]:
    """The SQLite store's rows into a fresh schema a year at a time, notification ids kept;
    the events table's total size (pg_total_relation_size) after each year."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    app_of(service, env(url, schema), agencies).close()
    table = sql.Identifier(schema, f"{service}_events")
    qualified = f'"{schema}"."{service}_events"'
    sizes, after = [], 0
    copy_sql = sql.SQL(
        "COPY {} (originator_id, originator_version, topic, state, notification_id) FROM STDIN"
    ).format(table)
    with sqlite3.connect(source) as lite, psycopg.connect(url, autocommit=True) as conn:
        for year in seeded:
            rows = lite.execute(
                "SELECT originator_id, originator_version, topic, state, rowid FROM stored_events "
                "WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                (after, year.last_rowid),
            )
            with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            after = year.last_rowid
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(table))
            found = conn.execute("SELECT pg_total_relation_size(%s)", (qualified,)).fetchone()
            sizes.append(int(found[0]) if found else 0)
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'notification_id'), max(n)) FROM "
                "(SELECT max(notification_id) AS n FROM {}) m"
            ).format(sql.Literal(qualified), table)
        )
    return sizes


def postgres_schema_bytes(url: str, schema: str) -> int:
    """Every table of the schema with its indexes and TOAST: events and projections."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind = 'r'",
            (schema,),
        ).fetchone()
    return int(found[0]) if found else 0


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
