"""`ogi deadletters set-aside | retry`: for the operator, the stored events each service's readers
(projections, relays) could not apply and set aside (ogi.setaside), and applying them again once
the cause is fixed. Asks every service (OperationsService) by default; needs a token with the
operator role (`ogi token --role operator`)."""

from __future__ import annotations

import argparse
import os
from typing import Any

import grpc

from ogi.cli.calls import bearer
from ogi.config import DEFAULT_PORTS
from ogi.v1 import operations_pb2 as o
from ogi.v1 import operations_pb2_grpc

SERVICES = {
    service: os.environ.get(f"OGI_{service.upper()}_ADDR", f"127.0.0.1:{port}")
    for service, port in DEFAULT_PORTS.items()
}


def add_actions(actions: Any) -> None:
    """`set-aside` and `retry`, under `ogi deadletters`."""
    for name, run, about in (
        ("set-aside", _list, "events services set aside: reader, position, aggregate, why"),
        ("retry", _retry, "have the services apply their set-aside events again"),
    ):
        action = actions.add_parser(name, help=about)
        action.set_defaults(local=run)
        action.add_argument(
            "--service",
            action="append",
            metavar="HOST:PORT",
            help="a service's address (repeatable); default every service: "
            + ", ".join(f"{s} {a}" for s, a in SERVICES.items()),
        )
        action.add_argument("--reader", default="", help="only this one, e.g. worklist or relay")
        action.add_argument("--token", default=os.environ.get("OGI_TOKEN", ""), help="or OGI_TOKEN")


def _list(args: argparse.Namespace) -> None:
    def show(address: str, stub: operations_pb2_grpc.OperationsServiceStub) -> None:
        reply = stub.ListSetAsideEvents(
            o.ListSetAsideEventsRequest(reader=args.reader), metadata=bearer(args.token), timeout=30
        )
        counts = ", ".join(f"{reader} {n}" for reader, n in sorted(reply.counts.items()))
        print(f"# {address}: {counts}")
        for e in reply.events:
            held = " (held behind an earlier one)" if e.held else ""
            print(
                f"{e.reader}\t#{e.notification_id}\t{e.originator_id}\t{e.topic}\t"
                f"{e.attempts}×, last {e.last_tried.ToDatetime():%Y-%m-%d %H:%M:%S}Z\t"
                f"{e.error}{held}"
            )

    _each(args, show)


def _retry(args: argparse.Namespace) -> None:
    def retry(address: str, stub: operations_pb2_grpc.OperationsServiceStub) -> None:
        request = o.RetrySetAsideEventsRequest(reader=args.reader)
        reply = stub.RetrySetAsideEvents(request, metadata=bearer(args.token), timeout=60)
        for r in reply.readers:
            outcome = (
                f"{r.applied} applied, {r.still_set_aside} still set aside"
                if r.done
                else "not finished (its database or NATS is away): it goes on when they are back"
            )
            print(f"{address}\t{r.reader}\t{outcome}")

    _each(args, retry)


def _each(args: argparse.Namespace, call: Any) -> None:
    """`call` on each service asked for; a service that does not answer is reported, and the
    command fails at the end."""
    failed = []
    for address in args.service or SERVICES.values():
        with grpc.insecure_channel(address) as channel:
            try:
                call(address, operations_pb2_grpc.OperationsServiceStub(channel))
            except grpc.RpcError as error:
                print(f"# {address}: {error.code().name} {error.details()}")
                failed.append(address)
    if failed:
        raise SystemExit(1)
