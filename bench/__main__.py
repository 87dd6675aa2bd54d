"""make bench: python -m bench [--events N] [--backends sqlite,postgres] [--seconds S]

Writes bench/results/<time>.json and .md (with the machine) and bench/results/latest.md."""

from __future__ import annotations

import argparse
import os
import shutil
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import machine, save
from bench.replay import AGENCIES, BIG_CASES, measure_replay, sqlite_stores
from bench.services import Backend, measure_services

RESULTS = Path(__file__).parent / "results"
TARGETS = (
    "intake >= 50% of the health check's rate; end-to-end p99 < 250 ms at 100/s; "
    "replay >= 20,000 events/s; a report < 100 ms"
)


def postgres_url(folder: Path) -> str:
    for variable in ("OGI_BENCH_POSTGRES_URL", "OGI_TEST_POSTGRES_URL"):
        if url := os.environ.get(variable):
            return url
    from pgserver.postgres_server import get_server

    return str(get_server(folder / "pgdata", cleanup_mode="stop").get_uri())


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=6.0, help="per load measurement")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=100.0, help="end-to-end arrivals per second")
    parser.add_argument("--folder", type=Path, default=Path("data/bench"))
    args = parser.parse_args()
    folder = args.folder.resolve()
    started = time.perf_counter()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "targets": TARGETS,
        "backends": {},
    }
    print("seeding the replay stores (kept for later runs)...", flush=True)
    stores = sqlite_stores(folder / "stores", args.events)
    url = postgres_url(folder) if "postgres" in args.backends else ""
    for name in args.backends.split(","):
        backend = Backend(name, url)
        run_folder = folder / f"run-{name}"
        shutil.rmtree(run_folder, ignore_errors=True)  # fresh stores: each run has new keys
        run_folder.mkdir(parents=True)
        print(f"{name}: services...", flush=True)
        services = measure_services(backend, run_folder, args.concurrency, args.seconds, args.rate)
        print(f"{name}: replay and reports...", flush=True)
        replay = measure_replay(stores, name, url)
        summary = summary_of(name, services, replay)
        report["backends"][name] = {
            "services": asdict(services),
            "replay": asdict(replay),
            "summary": summary,
        }
        print(summary, flush=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    write(report)


def summary_of(name: str, services: Any, replay: Any) -> str:
    ratio = services.submit.rate / services.health.rate
    return "\n".join(
        [
            f"### {name}",
            f"- health check: {services.health.rate:,.0f} calls/s "
            f"(p50 {services.health.p50_ms:.1f} ms, p99 {services.health.p99_ms:.1f} ms)",
            f"- intake SubmitApplication: {services.submit.rate:,.0f} calls/s "
            f"(p50 {services.submit.p50_ms:.1f} ms, p99 {services.submit.p99_ms:.1f} ms) = "
            f"**{ratio:.0%} of the health check** (target ≥ 50%)",
            f"- submission → worklist at {services.end_to_end_rate:.0f}/s "
            f"({services.end_to_end_cases} cases): p50 {services.end_to_end_p50_ms:.0f} ms, "
            f"**p99 {services.end_to_end_p99_ms:.0f} ms** (target < 250 ms)",
            f"- worklist rebuilt from {replay.worklist.events:,} events: "
            f"**{replay.worklist.rebuild_rate:,.0f} events/s** = "
            f"{replay.worklist.rebuild_rate / replay.worklist.raw_rate:.1%} of a raw read "
            f"({replay.worklist.raw_rate:,.0f} rows/s) (target ≥ 20,000/s)",
            f"- annual statistics rebuilt from {replay.statistics.events:,} events: "
            f"**{replay.statistics.rebuild_rate:,.0f} events/s** = "
            f"{replay.statistics.rebuild_rate / replay.statistics.raw_rate:.1%} of a raw read "
            f"({replay.statistics.raw_rate:,.0f} rows/s)",
            f"- annual report, agency with {replay.big_agency_cases:,} cases: "
            f"**{replay.report_ms:.1f} ms**; roll-up of {replay.rollup_agencies:,} agencies: "
            f"**{replay.rollup_ms:.1f} ms** (target < 100 ms)",
        ]
    )


def write(report: dict[str, Any]) -> None:
    m = report["machine"]
    lines = [
        f"# Benchmark {report['when']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['os']}; Python "
        f"{m['python']}; {m['postgres']}. Whole run: {report['seconds']} s.",
        f"Settings: {report['settings']}. Stores: {AGENCIES:,} agencies, one with "
        f"{BIG_CASES:,} cases.",
        f"Targets: {report['targets']}.",
        "",
    ]
    for figures in report["backends"].values():
        lines += [figures["summary"], ""]
    save(report, "\n".join(lines), RESULTS)


if __name__ == "__main__":
    main()
