"""make bench, the console (issue 18): the 待办 page of a handler whose agency has 500 open
cases, against the ListWorklist call it makes, both from a client on the same machine.

python -m bench.console [--cases 500] [--requests 200]: intake and handling on SQLite as
processes, the console as its process in front of them, a handler signed in with a local
account; p50 and p95 of the page (HTML with every row) and of the bare gRPC call, and their
ratio. Writes bench/results/console.md (and a dated copy with the JSON)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import grpc
import httpx

from bench.measure import machine, percentile, save
from bench.services import Backend, running
from ogi.accounts import LocalAccounts
from ogi.auth import Principal, Role, mint_token
from ogi.config import new_cipher_key
from ogi.messaging.nats_server import free_port
from ogi.v1 import handling_pb2 as h
from ogi.v1 import handling_pb2_grpc, intake_pb2_grpc
from tests.builders import request

RESULTS = Path(__file__).parent / "results"
TARGET_P95_MS = 300.0
HANDLER = Principal("李承办", "HZMZJ", frozenset({Role.HANDLER}))
PASSWORD = "bench-password"  # noqa: S105 - a throwaway account


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.console")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    keys = {"OGI_CIPHER_KEY": new_cipher_key(), "OGI_TOKEN_KEY": new_cipher_key()}
    with TemporaryDirectory() as folder, running(Backend("sqlite"), Path(folder), keys) as places:
        token = mint_token(keys["OGI_TOKEN_KEY"], HANDLER, datetime.now(UTC), timedelta(hours=1))
        metadata = (("authorization", f"Bearer {token}"),)
        with grpc.insecure_channel(places["handling"]["listen"]) as channel:
            handling = handling_pb2_grpc.HandlingServiceStub(channel)
            open_cases(places["intake"]["listen"], handling, metadata, args.cases)
            with console(Path(folder), places, keys) as url:
                page = timings(lambda client: client.get(url + "/"), url, args.requests, args.cases)
                call = [
                    timed(
                        lambda: handling.ListWorklist(
                            h.ListWorklistRequest(), metadata=metadata, timeout=30
                        )
                    )
                    for _ in range(args.requests)
                ]
    write(args, page, call)


def open_cases(intake_address: str, handling: Any, metadata: Any, cases: int) -> None:
    """`cases` online applications to HZMZJ, once all are on handling's worklist."""
    with grpc.insecure_channel(intake_address) as channel:
        intake = intake_pb2_grpc.IntakeServiceStub(channel)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: intake.SubmitApplication(request(), timeout=30), range(cases)))
    deadline = time.monotonic() + 120
    while len(handling.ListWorklist(h.ListWorklistRequest(), metadata=metadata).items) < cases:
        if time.monotonic() > deadline:
            raise SystemExit("the cases did not reach the worklist within 120 s")
        time.sleep(0.5)


@contextmanager
def console(folder: Path, places: dict[str, Any], keys: dict[str, str]) -> Iterator[str]:
    """The console process in front of the services, with one handler's local account; yields
    its URL once it answers."""
    listen = f"127.0.0.1:{free_port()}"
    accounts = folder / "accounts.json"
    LocalAccounts(accounts).add(HANDLER.subject, "HZMZJ", HANDLER.roles, PASSWORD)
    outside = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env = (
        outside
        | keys
        | {
            "OGI_DATA_DIR": str(folder),
            "OGI_CONSOLE_LISTEN": listen,
            "OGI_CONSOLE_ACCOUNTS_FILE": str(accounts),
            "OGI_INTAKE_ADDR": places["intake"]["listen"],
            "OGI_HANDLING_ADDR": places["handling"]["listen"],
            "OGI_LOG_LEVEL": "WARNING",
        }
    )
    with (folder / "console.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.console"], env=env, stdout=log, stderr=log
        )
    url = f"http://{listen}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(url + "/healthz"):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the console did not start: {folder / 'console.log'}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(timeout=30)
    form = client.get(url + "/signin").text
    match = re.search(r'name="csrf" value="([^"]+)"', form)
    assert match, "no sign-in form"  # noqa: S101 - the bench's own check
    client.post(
        url + "/signin",
        data={"csrf": match[1], "name": HANDLER.subject, "password": PASSWORD},
    )
    assert "ogi_session" in client.cookies, "not signed in"  # noqa: S101
    return client


def timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def timings(get: Any, url: str, count: int, cases: int) -> list[float]:
    """`count` page loads in a row by one signed-in person, in ms, once a first load shows
    every case."""
    client = signed_in(url)
    try:
        first = get(client)
        first.raise_for_status()
        rows = first.text.count('<tr class="')
        if rows != cases:
            raise SystemExit(f"the page shows {rows} cases, not {cases}")
        return [timed(lambda: get(client).raise_for_status()) for _ in range(count)]
    finally:
        client.close()


def write(args: argparse.Namespace, page: list[float], call: list[float]) -> None:
    figures = {
        "page_p50_ms": percentile(page, 0.5),
        "page_p95_ms": percentile(page, 0.95),
        "call_p50_ms": percentile(call, 0.5),
        "call_p95_ms": percentile(call, 0.95),
    }
    ratio = figures["page_p95_ms"] / figures["call_p95_ms"]
    met = "met" if figures["page_p95_ms"] < TARGET_P95_MS else "missed"
    m = machine()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": m,
        "settings": {k: str(v) for k, v in vars(args).items()},
        "figures": figures,
        "ratio_p95": ratio,
    }
    text = "\n".join(
        [
            f"# Console benchmark {report['when']}",
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}.",
            f"{args.cases} open cases of one agency on SQLite; {args.requests} requests each, "
            "one after another, from one client on the same machine.",
            "",
            "| measure | p50 | p95 |",
            "|---|---|---|",
            f"| 待办 page (HTML, every case) | {figures['page_p50_ms']:.1f} ms | "
            f"**{figures['page_p95_ms']:.1f} ms** |",
            f"| ListWorklist (gRPC, the call the page makes) | {figures['call_p50_ms']:.1f} ms | "
            f"{figures['call_p95_ms']:.1f} ms |",
            "",
            f"Page p95 = **{ratio:.2f}×** the call's p95; target p95 < {TARGET_P95_MS:.0f} ms — "
            f"{met}.",
        ]
    )
    save(report, text + "\n", RESULTS, "console-")


if __name__ == "__main__":
    main()
