"""What a call ends with for each kind of failure (ogi.rpc.status_for), and the one log line."""

from __future__ import annotations

import time

import eventsourcing.persistence as es
import nats.errors
import psycopg
import psycopg_pool
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2
from structlog.testing import capture_logs

from ogi.errors import (
    FieldViolation,
    InvalidArgument,
    MalformedRequest,
    NotFound,
    TooManyAttempts,
    Unavailable,
)
from ogi.persistence import DatabaseUnavailable
from ogi.rpc import _log_failure, status_for

REQUEST_ID = "5f0c2a9e"
RETRY = "服务暂时不可用，请稍后重试（service temporarily unavailable; retry）"


def retry_delay(status: status_pb2.Status) -> float | None:
    for detail in status.details:
        info = error_details_pb2.RetryInfo()
        if detail.Unpack(info):
            return float(info.retry_delay.ToNanoseconds() / 1e9)
    return None


@pytest.mark.parametrize(
    "error",
    [
        es.OperationalError("server closed the connection unexpectedly"),
        es.InterfaceError("the connection is closed"),
        psycopg.OperationalError("connection refused"),
        psycopg_pool.PoolTimeout("couldn't get a connection after 2.00 sec"),
        DatabaseUnavailable("the database did not answer the last probe"),
        nats.errors.NoServersError(),
        nats.errors.ConnectionClosedError(),
        nats.errors.TimeoutError(),
        ConnectionRefusedError(),
        Unavailable(),
    ],
    ids=type,
)
def test_the_database_or_nats_out_of_reach_is_unavailable_and_worth_a_retry(
    error: Exception,
) -> None:
    status = status_for(error, REQUEST_ID)
    assert status.code == code_pb2.UNAVAILABLE
    assert status.message == RETRY
    assert retry_delay(status) == 1.0


@pytest.mark.parametrize(
    "error",
    [
        ValueError("invalid literal for int(): '11010519491231002X'"),
        KeyError("13800138000"),
        es.IntegrityError("duplicate key"),
        es.ProgrammingError("syntax error"),
    ],
    ids=type,
)
def test_anything_else_is_internal_and_names_only_the_request_id(error: Exception) -> None:
    status = status_for(error, REQUEST_ID)
    assert status.code == code_pb2.INTERNAL
    assert (
        status.message
        == f"内部错误，请求编号 {REQUEST_ID}（internal error; request id {REQUEST_ID}）"
    )
    assert not status.details


def test_domain_errors_keep_their_own_status() -> None:
    bad = status_for(InvalidArgument([FieldViolation("applicant.name", "必填（required）")]), "r")
    assert bad.code == code_pb2.INVALID_ARGUMENT
    request = error_details_pb2.BadRequest()
    assert bad.details[0].Unpack(request)
    assert [(v.field, v.description) for v in request.field_violations] == [
        ("applicant.name", "必填（required）")
    ]
    assert status_for(NotFound("no such application"), "r").code == code_pb2.NOT_FOUND
    slowed = status_for(TooManyAttempts("slow down", 30), "r")
    assert (slowed.code, retry_delay(slowed)) == (code_pb2.RESOURCE_EXHAUSTED, 30.0)


def test_bytes_that_are_no_message_are_invalid_argument_without_a_field() -> None:
    status = status_for(MalformedRequest(), REQUEST_ID)
    assert status.code == code_pb2.INVALID_ARGUMENT
    assert status.message == "请求无法解析（malformed request message）"
    assert not status.details


def test_an_unexpected_error_is_logged_in_one_line_by_type_and_place_never_its_message() -> None:
    try:
        int("11010519491231002X")
    except ValueError as raised:
        error = raised
    with capture_logs() as logs:
        _log_failure(error, status_for(error, REQUEST_ID), time.perf_counter())
    assert len(logs) == 1
    line = logs[0]
    assert (line["log_level"], line["code"], line["error"]) == ("error", "INTERNAL", "ValueError")
    assert line["raised_at"].startswith("tests/unit/test_rpc_statuses.py:")
    assert "11010519491231002X" not in repr(line)
    assert "exc_info" not in line


def test_an_unreachable_database_is_logged_with_its_own_reason() -> None:
    error = psycopg.OperationalError("connection refused")
    with capture_logs() as logs:
        _log_failure(error, status_for(error, REQUEST_ID), time.perf_counter())
    assert [(line["log_level"], line["code"], line["reason"]) for line in logs] == [
        ("warning", "UNAVAILABLE", "connection refused")
    ]
