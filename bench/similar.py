"""make bench, 类似申请曾答复 (issue 20): HandlingService.SimilarAnsweredRequests for one case of an
agency with 10,000 requests whose replies released a document, from a client on the same
machine.

python -m bench.similar [--answered 10000] [--requests 200]: handling's SQLite store is seeded
with the agency's answered requests (the labelled sets' requests, each answered releasing its
group's document under one of ten years' numbers) and open cases to ask about (other requests
of the sets); handling then runs as its process on it (and intake beside it). The first call
reads the agency's answered requests into memory; p50 and p95 of the calls after it, each for
another case. Writes bench/results/similar.md (and a dated copy with the JSON)."""

from __future__ import annotations

import argparse
import sqlite3
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from uuid import uuid4

import grpc

from bench.measure import machine, percentile, save
from bench.services import Backend, running
from ogi.auth import Principal, Role, mint_token
from ogi.config import load_settings, new_cipher_key
from ogi.messaging.stream import STREAM
from ogi.persistence import event_store_env
from ogi.taxonomy import ApplicantCategory, Outcome
from ogi.v1 import handling_pb2 as h
from ogi.v1 import handling_pb2_grpc
from ogi.workdays import WorkingDayCalendar
from services.handling.application import Handling
from services.handling.disclosure import ReleasedItem, ReleaseForm
from services.handling.domain import Case, Reply
from tests.builders import review
from tests.unit.test_suggestions_labelled import released_item

RESULTS = Path(__file__).parent / "results"
DATA = Path(__file__).parent.parent / "tests" / "data"
TARGET_P95_MS = 50.0
AGENCY = "HZMZJ"
HANDLER = Principal("李承办", AGENCY, frozenset({Role.HANDLER}))
SAVE_BATCH = 400
READERS = ("handling", "answered", f"relay:{STREAM}")  # the worklist, 类似申请, the relay


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.similar")
    parser.add_argument("--answered", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    keys = {"OGI_CIPHER_KEY": new_cipher_key(), "OGI_TOKEN_KEY": new_cipher_key()}
    with TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        asked = seed(folder, keys, args.answered, args.requests)
        seeded = time.perf_counter() - started
        with running(Backend("sqlite"), folder, keys) as places:
            token = mint_token(
                keys["OGI_TOKEN_KEY"], HANDLER, datetime.now(UTC), timedelta(hours=1)
            )
            metadata = (("authorization", f"Bearer {token}"),)
            with grpc.insecure_channel(places["handling"]["listen"]) as channel:
                api = handling_pb2_grpc.HandlingServiceStub(channel)
                first = caught_up(api, metadata, asked[0], folder / "handling.sqlite")
                calls = [timed(api, metadata, case) for case in asked[1:]]
                floor = [timed(api, metadata, case, "GetCase") for case in asked[1:]]
    write(args, seeded, first, calls, floor)


def labelled() -> list[tuple[str, ReleasedItem, list[str]]]:
    """(first request, its document, the later requests) of every group of every set."""
    found = []
    for path in sorted(DATA.glob("art44_*.toml")):
        for group in tomllib.loads(path.read_text())["group"]:
            item = released_item(group["note"])
            released = ReleasedItem(item.title, ReleaseForm.PAPER, item.document_number)
            found.append((group["requests"][0], released, group["requests"][1:]))
    return found


def seed(folder: Path, keys: dict[str, str], answered: int, asked: int) -> list[str]:
    """`answered` replied cases and `asked` accepted ones in handling's store, as the service
    will open it; the numbers of the accepted ones."""
    settings = load_settings(
        "handling",
        {
            "OGI_DATA_DIR": str(folder),
            "OGI_DATABASE_URL": f"sqlite:///{folder / 'handling'}.sqlite",
            "OGI_DATABASE_SCHEMA": "handling",
            **keys,
        },
    )
    app = Handling(event_store_env(settings), WorkingDayCalendar())
    groups = labelled()
    later = [text for _, _, texts in groups for text in texts]
    batch: list[Case] = []
    numbers = []
    for n, (text, item) in enumerate(_answered(groups, answered)):
        batch.append(_case(n, text, item))
        if len(batch) == SAVE_BATCH:
            app.save(*batch)
            batch = []
    for n in range(asked):
        case = _case(answered + n, later[(n * 7919) % len(later)], None)
        numbers.append(case.application_number)
        batch.append(case)
    app.save(*batch)
    app.close()
    return numbers


def _answered(
    groups: list[tuple[str, ReleasedItem, list[str]]], count: int
) -> Iterator[tuple[str, ReleasedItem]]:
    """Each group's first request, again and again, its document numbered in another year each
    round (菏民发〔2016〕12号, 菏民发〔2017〕12号 …)."""
    for n in range(count):
        text, item, _ = groups[n % len(groups)]
        year = 2016 + (n // len(groups)) % 10
        number = item.document_number.replace("2023", str(year)) if item.document_number else ""
        yield text, ReleasedItem(item.title, item.form, number)


def _case(n: int, text: str, released: ReleasedItem | None) -> Case:
    received = date(2025, 1, 2) + timedelta(days=n % 300)
    case = Case(
        application_id=uuid4(),
        application_number=f"{AGENCY}-2025-{n + 1:06d}",
        agency_code=AGENCY,
        receipt_date=received,
        applicant_category=ApplicantCategory.NATURAL_PERSON,
        description=text,
        applicant_key=uuid4().hex,
    )
    case.accept(by="bench")
    if released is not None:
        replied = received + timedelta(days=10)
        case.review_confidentiality(review(replied), by="bench")
        case.answer(Reply(Outcome.R2, replied, "依法答复", released=(released,)), by="bench")
    return case


def caught_up(api: Any, metadata: Any, case: str, database: Path) -> float:
    """Once handling has worked through the seeded events — its worklist and its answered
    requests projected, its relay done publishing them — without a call that would read the
    answered requests into memory bit by bit: the ms of the first call, which reads them all."""
    deadline = time.monotonic() + 900
    while not settled(database):
        if time.monotonic() > deadline:
            raise SystemExit("handling did not work through the seeded events within 900 s")
        time.sleep(1)
    return timed(api, metadata, case)


def settled(database: Path) -> bool:
    """Whether every reader of handling's log is at its end."""
    with sqlite3.connect(database) as connection:
        last = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
        positions = dict(
            connection.execute(
                "SELECT application_name, notification_id FROM tracking "
                "WHERE application_name IN (?, ?, ?)",
                READERS,
            ).fetchall()
        )
    return len(positions) == len(READERS) and min(positions.values()) >= last


def timed(api: Any, metadata: Any, case: str, rpc: str = "SimilarAnsweredRequests") -> float:
    request = getattr(h, f"{rpc}Request")(case=case)
    start = time.perf_counter()
    getattr(api, rpc)(request, metadata=metadata, timeout=30)
    return (time.perf_counter() - start) * 1000


def write(
    args: argparse.Namespace, seeded: float, first: float, calls: list[float], floor: list[float]
) -> None:
    figures = {
        "seed_seconds": round(seeded, 1),
        "first_call_ms": round(first, 1),
        "p50_ms": round(percentile(calls, 0.5), 1),
        "p95_ms": round(percentile(calls, 0.95), 1),
        "max_ms": round(max(calls), 1),
        "get_case_p50_ms": round(percentile(floor, 0.5), 1),
        "get_case_p95_ms": round(percentile(floor, 0.95), 1),
    }
    met = "met" if figures["p95_ms"] < TARGET_P95_MS else "missed"
    m = machine()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": m,
        "settings": {k: str(v) for k, v in vars(args).items()},
        "figures": figures,
    }
    text = "\n".join(
        [
            f"# 类似申请曾答复 benchmark {report['when']}",
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}.",
            f"One agency with {args.answered:,} answered requests (each released a document) "
            f"on SQLite; {len(calls)} calls of SimilarAnsweredRequests, one after another, each "
            "for another open case, from one client on the same machine.",
            "",
            f"- the first call (reads the agency's answered requests into memory): "
            f"{figures['first_call_ms']:.0f} ms",
            f"- then: p50 {figures['p50_ms']:.1f} ms, **p95 {figures['p95_ms']:.1f} ms**, "
            f"max {figures['max_ms']:.1f} ms",
            f"- GetCase for the same cases, for comparison (the case, its history and due "
            f"dates): p50 {figures['get_case_p50_ms']:.1f} ms, p95 "
            f"{figures['get_case_p95_ms']:.1f} ms",
            "",
            f"Target p95 < {TARGET_P95_MS:.0f} ms — {met}.",
        ]
    )
    save(report, text + "\n", RESULTS, "similar-")


if __name__ == "__main__":
    main()
