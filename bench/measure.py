"""Timing helpers: rates and latency percentiles, and the machine the numbers come from."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Load:
    """Calls made at a fixed concurrency for a fixed time."""

    calls: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.calls / self.seconds


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def closed_loop(call: Callable[[], Any], concurrency: int, seconds: float) -> Load:
    """`concurrency` callers, each calling again as soon as the last call returned."""
    deadline = time.perf_counter() + seconds

    def caller() -> list[float]:
        latencies = []
        while (start := time.perf_counter()) < deadline:
            call()
            latencies.append(time.perf_counter() - start)
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = [f.result() for f in [pool.submit(caller) for _ in range(concurrency)]]
    elapsed = time.perf_counter() - started
    latencies = [x for r in results for x in r]
    return Load(
        len(latencies),
        elapsed,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
    )


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def machine() -> dict[str, str]:
    """What ran the benchmark: CPU, cores, memory, OS, Python, PostgreSQL and NATS versions."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgres": _version(["psql", "--version"]),
    }


def _version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()  # noqa: S603
    except OSError:
        return "not found"


def save(report: dict[str, Any], text: str, folder: Path, name: str = "") -> None:
    """`report` as <name><time>.json, `text` as <name><time>.md and as the latest of its name
    (latest.md, or <name>.md), in `folder`; and `text` on the terminal."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = name + report["when"].replace(":", "").replace("-", "")
    (folder / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (folder / f"{stamp}.md").write_text(text)
    (folder / f"{name.rstrip('-') or 'latest'}.md").write_text(text)
    print(text)
