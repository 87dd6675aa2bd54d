"""python -m bench.art44: the Art 44 matcher's speed on the labelled sets' requests: reading a
request (features), comparing two, and what one archived request costs against a window of
10,000, with comparing normalised texts for equality as the floor measured in the same run.

Writes bench/results/art44-<time>.json and .md (with the machine) and bench/results/art44.md."""

from __future__ import annotations

import itertools
import time
import tomllib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import machine, save
from ogi.textmatch.similarity import Features, features, match

DATA = Path(__file__).parent.parent / "tests" / "data"
RESULTS = Path(__file__).parent / "results"
WINDOW = 10_000


def requests() -> list[str]:
    return [
        text
        for path in sorted(DATA.glob("art44_*.toml"))
        for group in tomllib.loads(path.read_text())["group"]
        for text in group["requests"]
    ]


def per_second(work: Callable[[], Iterable[Any]]) -> tuple[int, float]:
    """(how many, per second) for the items `work` yields."""
    started = time.perf_counter()
    count = sum(1 for _ in work())
    return count, count / (time.perf_counter() - started)


def main() -> None:
    texts = requests()
    features(texts[0])  # the segmenter's dictionary and the IDF table load once
    read, read_rate = per_second(lambda: (features(f"{t} ") for t in texts))
    found: list[Features] = [features(t) for t in texts]
    pairs = list(itertools.combinations(found, 2))
    compared, compare_rate = per_second(lambda: (match(a, b) for a, b in pairs))
    _, equal_rate = per_second(lambda: (a.text == b.text for a, b in pairs))
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "requests": read,
        "features_per_second": round(read_rate),
        "comparisons": compared,
        "comparisons_per_second": round(compare_rate),
        "equal_text_comparisons_per_second": round(equal_rate),
        "window_ms": round(WINDOW / compare_rate * 1000, 1),
    }
    write(report)


def write(report: dict[str, Any]) -> None:
    equal, compare = report["equal_text_comparisons_per_second"], report["comparisons_per_second"]
    lines = [
        f"# Art 44 matcher, {report['when']}",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items() if v),
        "",
        f"- reading a request: {report['features_per_second']:,}/s ({report['requests']} requests)",
        f"- comparing two: {compare:,}/s ({report['comparisons']:,} pairs; comparing normalised"
        f" texts for equality: {equal:,}/s, {equal / compare:.0f} times as fast)",
        f"- one archived request against a window of {WINDOW:,}: {report['window_ms']} ms",
        "",
    ]
    save(report, "\n".join(lines), RESULTS, "art44-")


if __name__ == "__main__":
    main()
