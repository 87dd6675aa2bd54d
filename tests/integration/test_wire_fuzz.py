"""A wire fuzzer (issue 15): every method every service serves, found through its reflection,
gets requests built by hypothesis from the method's message descriptor — strings with NUL,
controls, bidi overrides and astral characters, extreme integers and dates, unknown enum
values, real application numbers among the noise — and raw random bytes. Against the real
processes on SQLite and PostgreSQL it asserts: never UNKNOWN or INTERNAL, nothing stored by a
refused call, and every service healthy and working afterwards.

A bounded number of examples per method (OGI_FUZZ_EXAMPLES, default 10), so `make test` stays
short; raise it for a longer run."""

from __future__ import annotations

import os
import time
import uuid
from datetime import date
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.auth import Role
from ogi.v1 import archive_pb2, handling_pb2, intake_pb2  # noqa: F401 - fills the default pool
from tests.builders import request
from tests.integration.conftest import Database, bearer, wait_for
from tests.integration.three_services import ThreeServices

EXAMPLES = int(os.environ.get("OGI_FUZZ_EXAMPLES", "10"))
STAFF = bearer(
    "HZMZJ", Role.REGISTRAR, Role.HANDLER, Role.OFFICE_HEAD, Role.AUDITOR, subject="模糊测试"
)
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.DEADLINE_EXCEEDED}
# Handling last: a step it takes is published to intake and archive, whose stores then change
# by themselves, which would blur "a refused call stored nothing" for them.
PROCESSES = ("intake", "archive", "handling")
SEEDS: list[str] = ["HZMZJ", "HZ", "NOPE", "", " ", "HZMZJ-2026-000001", str(uuid.uuid4())]


@pytest.fixture(scope="module")
def system(system_of_three: ThreeServices) -> ThreeServices:
    _seed(system_of_three)
    return system_of_three


def _seed(system: ThreeServices) -> None:
    """Two real cases, so fuzzed references sometimes hit one and reach the deeper checks."""
    for _ in range(2):
        number = system.intake.stub.SubmitApplication(request()).application_number
        SEEDS.append(number)
    worklist = system.handling.handling.ListWorklist
    wait_for(
        lambda: len(worklist(handling_pb2.ListWorklistRequest(), metadata=STAFF).items) >= 2,
        what="the seeded cases on the worklist",
    )
    items = worklist(handling_pb2.ListWorklistRequest(), metadata=STAFF).items
    SEEDS.extend(item.case_id for item in items)


def served_methods() -> list[tuple[str, MethodDescriptor]]:
    """(process, method) for every method of our own services, as the processes are built:
    read from the contracts, not listed by hand, so a new RPC is fuzzed without a change here."""
    pool = descriptor_pool.Default()
    found = []
    for process in PROCESSES:
        for file in _files_of(process):
            for service in pool.FindFileByName(file).services_by_name.values():
                found += [(process, m) for m in service.methods]
    return found


def _files_of(process: str) -> list[str]:
    """The proto files whose services a process serves: its own, and any served by all."""
    pool = descriptor_pool.Default()
    files = [f"ogi/v1/{process}.proto"]
    try:
        pool.FindFileByName("ogi/v1/operations.proto")
        files.append("ogi/v1/operations.proto")
    except KeyError:
        pass
    return files


METHODS = served_methods()


def _served_by(system: ThreeServices, process: str) -> set[str]:
    """The services the running process reports through reflection."""
    channel = getattr(system, process).channel
    assert channel is not None
    return set(ProtoReflectionDescriptorDatabase(channel).get_services())


# --- building requests from descriptors -----------------------------------------------------

_INT32 = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from([0, 1, -1, 7, 20, 21, 60, 61, 758, 2**31 - 1, -(2**31)]),
)
_INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, 1, -1, 2**63 - 1]))


def _texts() -> st.SearchStrategy[str]:
    """Noise, and the real references seeded so far with noise around them."""
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), max_size=40),
        st.sampled_from(SEEDS),
        st.builds(
            lambda seed, noise: seed + noise,
            st.sampled_from(SEEDS),
            st.sampled_from(["\x00", "\u202e", "\x1b[2J", "\U0001f600", "\u200b", "\n", "１２"]),
        ),
        st.just("长" * 25_000),
    )


_DATES = st.one_of(
    st.builds(lambda y, m, d: (y, m, d), _INT32, st.integers(-1, 13), st.integers(-1, 32)),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(lambda d: (d.year, d.month, d.day)),
    st.sampled_from([(1800, 6, 1), (2100, 1, 4), (9999, 12, 31), (1, 1, 1), (2026, 2, 29)]),
)


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return _texts()
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.integers(-3, 64)  # proto3 enums are open: unknown numbers arrive too
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64):
        return _INT64
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.integers(0, 2**64 - 1)
    return _INT32


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    cls: Any = message_factory.GetMessageClass(descriptor)
    if descriptor.full_name == "ogi.v1.CalendarDate":
        return _DATES.map(lambda ymd: cls(year=ymd[0], month=ymd[1], day=ymd[2]))
    values: dict[str, st.SearchStrategy[Any]] = {}
    for field in descriptor.fields:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3:
                continue
            assert field.message_type is not None
            one: st.SearchStrategy[Any] = messages(field.message_type, depth + 1)
        else:
            one = _scalar(field)
        values[field.name] = st.lists(one, max_size=3) if field.is_repeated else one
    return st.fixed_dictionaries({}, optional=values).map(lambda v: _build(cls, v))


def _build(cls: Any, values: dict[str, Any]) -> Message:
    message: Message = cls()
    for name, value in values.items():
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.is_repeated:
            getattr(message, name).extend(value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(message, name).CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


# --- calling ---------------------------------------------------------------------------------


def call(system: ThreeServices, process: str, method: MethodDescriptor, body: bytes) -> Any:
    """Send the bytes as the method's request; the status code, checking a refusal stored
    nothing in the called service."""
    channel = getattr(system, process).channel
    assert channel is not None
    path = f"/{method.containing_service.full_name}/{method.name}"
    unary = channel.unary_unary(path)
    database = system.databases[process]
    if process in _unsettled:  # a call taken since this store last came to rest
        _settled(database)
        _unsettled.discard(process)
    code, details, stored = _sent(unary, database, body)
    if code is not grpc.StatusCode.OK and stored:
        # What an earlier call set off (a relay, a consumer, a notice coming back) may have
        # landed meanwhile: once the store is at rest, the same refusal must store nothing.
        _settled(database)
        code, details, stored = _sent(unary, database, body)
    if code is grpc.StatusCode.OK:
        _unsettled.update(PROCESSES)
        return code
    assert code not in NEVER, f"{path}: {(code, details)}"
    assert not stored, f"{path} refused but stored"
    return code


def _sent(unary: Any, database: Database, body: bytes) -> tuple[grpc.StatusCode, str, bool]:
    """The call's status code and message, and whether the store's events changed meanwhile."""
    rows = database.event_rows()
    code, details = grpc.StatusCode.OK, ""
    try:
        unary(body, metadata=STAFF, timeout=15)
    except grpc.RpcError as error:
        code, details = error.code(), error.details()
    return code, details, database.event_rows() != rows


# Processes whose stores may still change by themselves: every one, after a call was taken
# (its effects travel from service to service), and at first (the seeded cases). Each is let
# come to rest once before its next call, not before every call.
_unsettled: set[str] = set(PROCESSES)


def _settled(database: Database) -> int:
    """The service's stored events once what an accepted call set off (projections, relays,
    consumers) has come to rest: the count unchanged for half a second."""
    last, since = database.event_rows(), time.monotonic()
    while time.monotonic() - since < 0.5:
        time.sleep(0.05)
        if (now := database.event_rows()) != last:
            last, since = now, time.monotonic()
    return last


@pytest.mark.parametrize(("process", "method"), METHODS, ids=[f"{p}.{m.name}" for p, m in METHODS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_request_gets_unknown_or_internal_or_stores_on_refusal(
    system: ThreeServices, process: str, method: MethodDescriptor, data: st.DataObject
) -> None:
    """A request built from the method's descriptor, or (one time in four) random bytes."""
    call(system, process, method, data.draw(_bodies(method), label="request bytes"))


_STRATEGIES: dict[tuple[int, str], st.SearchStrategy[bytes]] = {}


def _bodies(method: MethodDescriptor) -> st.SearchStrategy[bytes]:
    """Built once per method (after the seeds are in): three in four a request message."""
    key = (len(SEEDS), method.full_name)  # new seeds (the next backend's cases): built anew
    if key not in _STRATEGIES:
        built = messages(method.input_type).map(lambda m: m.SerializeToString())
        _STRATEGIES[key] = st.one_of(built, built, built, st.binary(max_size=256))
    return _STRATEGIES[key]


def test_each_process_serves_the_services_fuzzed_on_it(system: ThreeServices) -> None:
    """What the fuzzer sends each process is what its reflection says it serves."""
    for process, method in METHODS:
        assert method.containing_service.full_name in _served_by(system, process)


def test_every_service_is_healthy_and_working_afterwards(system: ThreeServices) -> None:
    for process in PROCESSES:
        service = getattr(system, process)
        assert service.process is not None
        assert service.process.poll() is None, f"{process} has exited"
        health = health_pb2_grpc.HealthStub(service.channel)
        status = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status
        assert status == health_pb2.HealthCheckResponse.SERVING, process
        assert "Traceback" not in service.log(), f"{process} logged a traceback"
    number = system.intake.stub.SubmitApplication(request()).application_number

    def registered() -> bool:
        worklist = system.handling.handling.ListWorklist(
            handling_pb2.ListWorklistRequest(), metadata=STAFF
        )
        return any(item.application_number == number for item in worklist.items)

    wait_for(registered, what="a new case on the worklist after the fuzzing")
