"""make bench-province: python -m bench.province [--scale F] [--years N] [--agencies N]

A province simulated: 1,000 agencies in three levels, 150,000 applications a year (times
--scale) for --years years, with their bursts and outcomes (bench.province_seed). Reports the
stores' size after each year (SQLite on disk, PostgreSQL's pg_total_relation_size), a full
replay of each projection (handling's worklist and answered, archive's annual statistics),
every agency's annual report and the province's roll-up, and each service's start-up time on
the store. Writes bench/results/province-<time>.json|.md and bench/results/province.md."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.__main__ import postgres_url
from bench.measure import machine, save
from bench.province_report import markdown
from bench.province_seed import applications_per_year
from bench.province_services import mark_published, startup
from bench.province_store import (
    YearSeeded,
    app_of,
    postgres_copy_by_year,
    postgres_schema_bytes,
    seed,
    sqlite_bytes,
)
from bench.province_tree import PROVINCE, province_directory, write_toml
from bench.replay import env, rebuild
from ogi.annual_report import RECEIVED, TOTAL
from ogi.auth import Principal, Role
from services.archive.application import Archive
from services.handling.application import Handling

RESULTS = Path(__file__).parent / "results"
SERVICES = ("handling", "archive")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.province")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 150,000 a year")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2021)
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--folder", type=Path, default=Path("data/bench/province"))
    parser.add_argument("--keep", action="store_true", help="reuse stores seeded before")
    args = parser.parse_args()
    started = time.perf_counter()
    folder = (args.folder / f"s{args.scale:g}-y{args.years}-a{args.agencies}").resolve()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "applications_per_year": applications_per_year(args.scale),
        "backends": {},
    }
    seeded, seed_seconds = seeded_stores(folder, args)
    report["seeding"] = {
        "seconds": seed_seconds,
        **{s: [asdict(y) for y in seeded[s]] for s in SERVICES},
    }
    agencies_file = write_toml(province_directory(args.agencies), folder / "agencies.toml")
    url = postgres_url(folder) if "postgres" in args.backends else ""
    for backend in args.backends.split(","):
        print(f"{backend}: copy, replay, reports, start-up...", flush=True)
        report["backends"][backend] = measure(backend, folder, url, seeded, args, agencies_file)
    report["seconds"] = round(time.perf_counter() - started, 1)
    save(report, markdown(report), RESULTS, "province-")


def seeded_stores(
    folder: Path, args: argparse.Namespace
) -> tuple[dict[str, list[YearSeeded]], float]:
    """Both SQLite stores, seeded in parallel (or as kept from an earlier run with --keep)."""
    record = folder / "seeded.json"
    if args.keep and record.exists():
        kept = json.loads(record.read_text())
        return {s: [YearSeeded(**y) for y in kept[s]] for s in SERVICES}, kept["seconds"]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"seeding {args.years} years at scale {args.scale:g}...", flush=True)
    began = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        futures = {
            s: pool.submit(
                seed,
                s,
                str(folder / f"{s}.sqlite"),
                args.first_year,
                args.years,
                args.scale,
                args.agencies,
            )
            for s in SERVICES
        }
        seeded = {s: f.result() for s, f in futures.items()}
    seconds = round(time.perf_counter() - began, 1)
    kept = {s: [asdict(y) for y in seeded[s]] for s in SERVICES} | {"seconds": seconds}
    record.write_text(json.dumps(kept))
    return seeded, seconds


def measure(
    backend: str,
    folder: Path,
    url: str,
    seeded: dict[str, list[YearSeeded]],
    args: argparse.Namespace,
    agencies_file: Path,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    places: dict[str, tuple[str, str]] = {}
    for service in SERVICES:
        path = folder / f"{service}.sqlite"
        if backend == "sqlite":
            places[service] = (f"sqlite:///{path}", service)
            figures[f"{service}_bytes_by_year"] = [y.sqlite_bytes for y in seeded[service]]
        else:
            schema = f"bench_province_{service}"
            places[service] = (url, schema)
            began = time.perf_counter()
            figures[f"{service}_bytes_by_year"] = postgres_copy_by_year(
                path, url, schema, service, seeded[service], args.agencies
            )
            figures[f"{service}_copy_seconds"] = round(time.perf_counter() - began, 1)
    handling: Handling = app_of("handling", env(*places["handling"]), args.agencies)
    archive: Archive = app_of("archive", env(*places["archive"]), args.agencies)
    print(f"  {backend}: replaying the projections...", flush=True)
    replays = {
        "worklist": rebuild(handling, handling.worklist, handling.worklist.view.reset),
        "answered": rebuild(handling, handling.answered, handling.answered.tables.reset),
        "statistics": rebuild(archive, archive.statistics, archive.statistics.tables.reset),
    }
    figures["replay"] = {
        name: asdict(r) | {"rate": round(r.rebuild_rate), "raw_rate": round(r.raw_rate)}
        for name, r in replays.items()
    }
    figures["bench_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    print(f"  {backend}: annual reports...", flush=True)
    figures["reports"] = annual_reports(archive, args.first_year, args.years)
    mark_published(handling)
    handling.close()
    archive.close()
    for service in SERVICES:
        where, schema = places[service]
        figures[f"{service}_bytes_with_projections"] = (
            sqlite_bytes(where.removeprefix("sqlite:///"))
            if backend == "sqlite"
            else postgres_schema_bytes(url, schema)
        )
    print(f"  {backend}: start-up of the services...", flush=True)
    figures["startup"] = {
        service: startup(
            service, *places[service], agencies_file, folder / f"run-{backend}-{service}"
        )
        for service in SERVICES
    }
    return figures


def annual_reports(archive: Archive, first_year: int, years: int) -> list[dict[str, Any]]:
    """Each year: every agency's own report one after another, each city's roll-up, and the
    province's roll-up (median of 5), as the province's office head reads them."""
    head = Principal("bench", PROVINCE, frozenset({Role.OFFICE_HEAD}))
    codes = [a.code for a in archive.agencies]
    cities = [a.code for a in archive.agencies if a.parent_code == PROVINCE and a.code[0] == "C"]
    found = []
    for year in range(first_year, first_year + years):
        began = time.perf_counter()
        for code in codes:
            archive.annual_report(head, code, year, False)
        every = time.perf_counter() - began
        for code in cities:
            archive.annual_report(head, code, year, True)
        by_city = time.perf_counter() - began - every
        samples, rollup = [], None
        for _ in range(5):
            began = time.perf_counter()
            rollup = archive.annual_report(head, PROVINCE, year, True)
            samples.append(time.perf_counter() - began)
        found.append(
            {
                "year": year,
                "agencies": len(codes),
                "every_agency_seconds": round(every, 2),
                "per_agency_ms": round(every / len(codes) * 1000, 2),
                "cities": len(cities),
                "city_rollups_seconds": round(by_city, 2),
                "province_rollup_ms": round(statistics.median(samples) * 1000, 1),
                "province_received": received(rollup),
            }
        )
    return found


def received(report: Any) -> int:
    """一、本年新收 of the roll-up, all applicants: a check the report holds the year's cases."""
    return int(report.table.three(RECEIVED, TOTAL)) if report is not None else 0


if __name__ == "__main__":
    main()
