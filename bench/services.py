"""Intake and handling as processes (as production runs them) on one backend: submissions per
second against the health check on the same server, and the time from a submission to its case
on handling's worklist at a fixed arrival rate."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc
from psycopg import sql

from bench.measure import Load, closed_loop, percentile
from ogi.agencies import AgencyDirectory
from ogi.config import load_settings, new_cipher_key
from ogi.embedded import wait_until_serving
from ogi.messaging.nats_server import LocalNatsServer, free_port
from ogi.v1 import intake_pb2_grpc
from tests.builders import request

# Submissions go round the bundled directory's agencies, as on a shared platform; numbers of one
# agency are issued one at a time (intake's numbering lock), so one agency alone is slower.
_AGENCIES = itertools.cycle(
    [a.code for a in AgencyDirectory.from_file(load_settings("intake", {}).agencies_file)]
)


def submission() -> Any:
    return request(agency_code=next(_AGENCIES))


@dataclass(frozen=True)
class Backend:
    name: str  # sqlite | postgres
    postgres_url: str = ""

    def database(self, service: str, folder: Path, run: str) -> tuple[str, str]:
        """(OGI_DATABASE_URL, OGI_DATABASE_SCHEMA) of `service` for this run."""
        if self.name == "sqlite":
            return f"sqlite:///{folder / service}.sqlite", service
        return self.postgres_url, f"bench_{run}_{service}"


@dataclass(frozen=True)
class ServiceFigures:
    health: Load
    submit: Load
    end_to_end_p50_ms: float
    end_to_end_p99_ms: float
    end_to_end_rate: float
    end_to_end_cases: int


@contextmanager
def running(
    backend: Backend, folder: Path, keys: dict[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """nats-server, intake and handling on `backend` (with `keys`, OGI_CIPHER_KEY and
    OGI_TOKEN_KEY, fresh ones if not given); yields their addresses and databases."""
    run = os.urandom(4).hex()
    nats = LocalNatsServer(folder / "nats")
    nats.start()
    keys = keys or {"OGI_CIPHER_KEY": new_cipher_key(), "OGI_TOKEN_KEY": new_cipher_key()}
    processes, places = [], {}
    try:
        for service in ("intake", "handling"):
            url, schema = backend.database(service, folder, run)
            listen = f"127.0.0.1:{free_port()}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")} | keys
            env |= {
                "OGI_DATA_DIR": str(folder),
                "OGI_DATABASE_URL": url,
                "OGI_DATABASE_SCHEMA": schema,
                "OGI_NATS_URL": nats.url,
                "OGI_LISTEN": listen,
                "OGI_LOG_LEVEL": "WARNING",
            }
            log = (folder / f"{service}.log").open("ab")
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own module
                    [sys.executable, "-m", f"services.{service}"], env=env, stdout=log, stderr=log
                )
            )
            wait_until_serving(listen)
            places[service] = {"listen": listen, "url": url, "schema": schema}
        yield places
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        nats.stop()
        if backend.name == "postgres":
            with psycopg.connect(backend.postgres_url, autocommit=True) as conn:
                for place in places.values():
                    conn.execute(
                        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                            sql.Identifier(place["schema"])
                        )
                    )


def measure_services(
    backend: Backend, folder: Path, concurrency: int, seconds: float, rate: float
) -> ServiceFigures:
    with (
        running(backend, folder) as places,
        grpc.insecure_channel(places["intake"]["listen"]) as channel,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        intake = intake_pb2_grpc.IntakeServiceStub(channel)
        closed_loop(lambda: intake.SubmitApplication(submission()), concurrency, 1.0)  # warm up
        health_load = closed_loop(
            lambda: health.Check(health_pb2.HealthCheckRequest()), concurrency, seconds
        )
        submit_load = closed_loop(
            lambda: intake.SubmitApplication(submission()), concurrency, seconds
        )
        worklist = WorklistWatch(places["handling"]["url"], places["handling"]["schema"])
        time.sleep(5)  # let handling work off the load above before the clock starts
        latencies = end_to_end(intake, worklist, rate, seconds)
    return ServiceFigures(
        health_load,
        submit_load,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        rate,
        len(latencies),
    )


class WorklistWatch:
    """Reads handling's worklist table directly, over one connection: which of the given
    applications are on it now. Asks only for those still awaited, so the watching stays
    cheap as the table grows and takes little of the machine it measures."""

    def __init__(self, url: str, schema: str) -> None:
        self.url = url
        self.schema = schema
        self._lite: sqlite3.Connection | None = None
        self._pg: psycopg.Connection[tuple[Any, ...]] | None = None

    def present(self, numbers: Collection[str]) -> set[str]:
        if not numbers:
            return set()
        if self.url.startswith("sqlite"):
            if self._lite is None:
                path = self.url.removeprefix("sqlite:///")
                self._lite = sqlite3.connect(path, check_same_thread=False)
            marks = ",".join("?" * len(numbers))
            query = f"SELECT application_number FROM worklist WHERE application_number IN ({marks})"  # noqa: S608
            return {r[0] for r in self._lite.execute(query, list(numbers))}
        if self._pg is None:
            self._pg = psycopg.connect(self.url, autocommit=True)
        statement = sql.SQL(
            "SELECT application_number FROM {}.worklist WHERE application_number = ANY(%s)"
        ).format(sql.Identifier(self.schema))
        return {r[0] for r in self._pg.execute(statement, [list(numbers)])}

    def close(self) -> None:
        for conn in (self._lite, self._pg):
            if conn is not None:
                conn.close()


def end_to_end(
    intake: intake_pb2_grpc.IntakeServiceStub, worklist: WorklistWatch, rate: float, seconds: float
) -> list[float]:
    """Submit at `rate` per second (open loop) and time each case's arrival on the worklist."""
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() or len(seen) < len(sent):
            with lock:
                awaited = set(sent) - set(seen)
            now = time.perf_counter()
            for number in worklist.present(awaited):
                seen.setdefault(number, now)
            time.sleep(0.005)
            if done.is_set() and time.perf_counter() - finished > 30:
                return

    def submit(at: float) -> None:
        time.sleep(max(0.0, at - time.perf_counter()))
        start = time.perf_counter()
        number = intake.SubmitApplication(submission()).application_number
        with lock:
            sent[number] = start

    watcher = threading.Thread(target=watch)
    watcher.start()
    begin = time.perf_counter() + 0.1
    count = int(rate * seconds)
    with ThreadPoolExecutor(32) as pool:
        for f in [pool.submit(submit, begin + i / rate) for i in range(count)]:
            f.result()
    finished = time.perf_counter()
    done.set()
    watcher.join()
    worklist.close()
    missing = set(sent) - set(seen)
    if missing:
        raise RuntimeError(f"{len(missing)} cases never reached the worklist")
    return [seen[n] - sent[n] for n in sent]
