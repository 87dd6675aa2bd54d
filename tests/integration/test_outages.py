"""One bad value, or one missing database, must never stop a service (issue 15, parts 3 and 4).

Bytes that are not a request are refused as INVALID_ARGUMENT, with one log line and no
traceback. While the database is down, calls fail fast with UNAVAILABLE (retryable, RetryInfo)
and health says NOT_SERVING; once it is back, health and calls recover within two seconds, and
every submission that was acknowledged is there."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from ogi.messaging.nats_server import LocalNatsServer
from ogi.v1 import archive_pb2, handling_pb2, intake_pb2, intake_pb2_grpc
from tests.builders import request
from tests.integration.conftest import Database, StartService, _starter, wait_for
from tests.integration.throwaway_postgres import ThrowawayPostgres

SERVICES = {
    "intake": intake_pb2.DESCRIPTOR.services_by_name["IntakeService"],
    "handling": handling_pb2.DESCRIPTOR.services_by_name["HandlingService"],
    "archive": archive_pb2.DESCRIPTOR.services_by_name["ArchiveService"],
}
# Not a protobuf message: a field tag cut short, and a length that runs past the end.
GARBAGE = (b"\xff\xff\xff", b"\x0a\x7fabc")
MALFORMED = "请求无法解析（malformed request message）"
UNAVAILABLE = "服务暂时不可用，请稍后重试（service temporarily unavailable; retry）"


def health(channel: grpc.Channel, service: str = "") -> int:
    reply = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=2
    )
    return int(reply.status)


def send_raw(channel: grpc.Channel, method: str, data: bytes, request_id: str) -> grpc.RpcError:
    call = channel.unary_unary(
        method, request_serializer=lambda b: b, response_deserializer=lambda b: b
    )
    with pytest.raises(grpc.RpcError) as refused:
        call(data, timeout=10, metadata=(("x-request-id", request_id),))
    return refused.value


@pytest.mark.parametrize("backend", ["sqlite"])  # no database is reached: one backend will do
def test_malformed_requests_are_refused_with_one_log_line_and_no_traceback(
    start_intake: StartService, start_handling: StartService, start_archive: StartService
) -> None:
    started = {"intake": start_intake(), "handling": start_handling(), "archive": start_archive()}
    for name, process in started.items():
        assert process.channel is not None
        for method in SERVICES[name].methods:
            for data in GARBAGE:
                request_id = uuid.uuid4().hex
                path = f"/{SERVICES[name].full_name}/{method.name}"
                error = send_raw(process.channel, path, data, request_id)
                assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, (path, error)
                assert error.details() == MALFORMED
                lines = [line for line in process.log().splitlines() if request_id in line]
                assert len(lines) == 1, lines
                assert '"code": "INVALID_ARGUMENT"' in lines[0]
        log = process.log()
        assert "Traceback" not in log
        assert "DecodeError" not in log
        assert health(process.channel) == health_pb2.HealthCheckResponse.SERVING
    intake = started["intake"]
    assert intake.stub.ListAgencies(intake_pb2.ListAgenciesRequest()).agencies

    # The streaming methods every server has: health's Watch and reflection (both versions).
    assert intake.channel is not None
    watch = intake.channel.unary_stream(
        "/grpc.health.v1.Health/Watch",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    with pytest.raises(grpc.RpcError) as refused:
        list(watch(GARBAGE[0], timeout=10))
    assert (refused.value.code(), refused.value.details()) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        MALFORMED,
    )
    for version in ("v1", "v1alpha"):
        reflect = intake.channel.stream_stream(
            f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        with pytest.raises(grpc.RpcError) as refused:
            list(reflect(iter(GARBAGE), timeout=10))
        assert (refused.value.code(), refused.value.details()) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            MALFORMED,
        )
    assert "Traceback" not in intake.log()


@dataclass
class Outcome:
    request_id: str
    code: grpc.StatusCode
    seconds: float
    finished: float
    reply: intake_pb2.SubmitApplicationResponse | None = None
    retry_info: bool = False
    details: str = ""


class Submitters:
    """Client threads submitting applications one after another until told to stop (each call
    with a 10 s deadline), keeping every outcome."""

    def __init__(self, address: str, threads: int = 3, limit: int = 20_000) -> None:
        self.address = address
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._limit = limit
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> Submitters:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

    def _run(self) -> None:
        with grpc.insecure_channel(self.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            while not self._stop.is_set() and len(self.outcomes) < self._limit:
                message = request()
                began = time.monotonic()
                outcome = Outcome(message.request_id, grpc.StatusCode.OK, 0.0, 0.0)
                try:
                    outcome.reply = stub.SubmitApplication(message, timeout=10)
                except grpc.RpcError as error:
                    outcome.code = error.code()
                    outcome.retry_info = has_retry_info(error)
                    outcome.details = error.details() or ""
                outcome.finished = time.monotonic()
                outcome.seconds = outcome.finished - began
                with self._lock:
                    self.outcomes.append(outcome)
                time.sleep(0.05)

    def first_ok_after(self, moment: float) -> Outcome | None:
        with self._lock:
            return next(
                (o for o in self.outcomes if o.code is grpc.StatusCode.OK and o.finished > moment),
                None,
            )

    def count(self, code: grpc.StatusCode) -> int:
        with self._lock:
            return sum(o.code is code for o in self.outcomes)


def has_retry_info(error: grpc.RpcError) -> bool:
    status = rpc_status.from_call(error)
    return status is not None and any(
        detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR) for detail in status.details
    )


def when(check: Callable[[], bool]) -> Callable[[], float | None]:
    """For wait_for: the moment `check` first holds."""
    return lambda: time.monotonic() if check() else None


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    yield server
    server.close()


@pytest.fixture
def start_intake_on_it(
    postgres: ThrowawayPostgres, nats_server: LocalNatsServer, tmp_path: Path
) -> Iterator[StartService]:
    """Intake on the throwaway PostgreSQL; its processes are killed however the test ends."""
    database = Database(postgres.url, "intake_outage", None, "intake")
    yield from _starter("intake", database, nats_server, tmp_path)


@pytest.mark.postgres
def test_a_database_outage_is_reported_truthfully_and_loses_nothing(
    postgres: ThrowawayPostgres, nats_server: LocalNatsServer, start_intake_on_it: StartService
) -> None:
    nats_server.start()
    intake = start_intake_on_it()
    channel = intake.channel
    assert channel is not None
    serving, not_serving = (
        health_pb2.HealthCheckResponse.SERVING,
        health_pb2.HealthCheckResponse.NOT_SERVING,
    )
    with Submitters(intake.listen) as load:
        wait_for(lambda: load.count(grpc.StatusCode.OK) >= 20, what="submissions before")
        postgres.stop()
        stopped = time.monotonic()
        down = wait_for(when(lambda: health(channel) == not_serving), 5, "NOT_SERVING")
        assert health(channel, SERVICES["intake"].full_name) == not_serving
        while time.monotonic() - stopped < 10:  # away for 10 s, under load
            assert health(channel) == not_serving
            time.sleep(0.2)
        postgres.start()
        back = time.monotonic()
        up = wait_for(when(lambda: health(channel) == serving), 10, "SERVING")
        first_ok = wait_for(lambda: load.first_ok_after(back), 10, "a submission")
        time.sleep(0.5)
    outcomes = load.outcomes
    failed = [o for o in outcomes if o.code is not grpc.StatusCode.OK]
    print(
        f"NOT_SERVING {down - stopped:.2f} s after the database stopped; SERVING "
        f"{up - back:.2f} s and the first submission {first_ok.finished - back:.2f} s after "
        f"it was back; {len(outcomes)} calls, {len(failed)} refused, the slowest refusal in "
        f"{max((o.seconds for o in failed), default=0):.2f} s"
    )
    assert down - stopped < 2
    assert up - back < 2
    assert first_ok.finished - back < 2
    assert failed, "no call met the outage: the test proved nothing"
    assert {o.code for o in failed} == {grpc.StatusCode.UNAVAILABLE}
    assert all(o.retry_info and o.details == UNAVAILABLE for o in failed)
    assert max(o.seconds for o in failed) < 4  # fast, long before the 10 s deadline
    log = intake.log()
    assert "Traceback" not in log
    assert log.count("database unreachable; health NOT_SERVING") == 1  # one line each way
    assert log.count("database reachable again; health SERVING") == 1

    # Nothing acknowledged is lost, and each refused submission goes through when retried.
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    numbers = set()
    for outcome in outcomes:
        if outcome.reply is not None:
            number, code = outcome.reply.application_number, outcome.reply.query_code
            status = stub.GetApplicationStatus(
                intake_pb2.GetApplicationStatusRequest(application_number=number, query_code=code),
                timeout=10,
            )
            assert status.application_number == number
            numbers.add(number)
    for outcome in failed:
        again = stub.SubmitApplication(request(request_id=outcome.request_id), timeout=10)
        numbers.add(again.application_number)
    assert len(numbers) == len(outcomes)  # one number each, none issued twice
