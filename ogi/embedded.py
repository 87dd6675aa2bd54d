"""Embedded mode (`make run`): a local nats-server and every service on SQLite, one command.

Ctrl-C (or SIGTERM) stops the services gracefully, then nats-server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ogi.config import DEFAULT_PORTS
from ogi.messaging.nats_server import LocalNatsServer

SERVICES = ("intake", "handling", "archive")
READY_TIMEOUT = 60.0


def wait_until_serving(address: str, timeout: float = READY_TIMEOUT) -> None:
    """Block until the gRPC health service at `address` reports SERVING."""
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{address} not serving within {timeout}s")


def main() -> None:
    data_dir = Path(os.environ.get("OGI_DATA_DIR", "data")).resolve()
    nats_port = int(os.environ["OGI_NATS_PORT"]) if "OGI_NATS_PORT" in os.environ else None
    nats = LocalNatsServer(data_dir / "nats", port=nats_port)
    nats.start()
    print(f"nats-server  {nats.url}  (JetStream in {data_dir / 'nats'})", flush=True)
    try:
        run_services(data_dir, {"OGI_NATS_URL": nats.url})
    finally:
        nats.stop()
        print("stopped.", flush=True)


def run_services(data_dir: Path, env: dict[str, str]) -> None:
    """Start every service as its own process with `env`, print where each listens, and stop
    them all (SIGTERM, graceful) on Ctrl-C, SIGTERM, or when one of them exits."""
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        for service in SERVICES:
            listen = os.environ.get(
                f"OGI_{service.upper()}_LISTEN", f"127.0.0.1:{DEFAULT_PORTS[service]}"
            )
            child_env = os.environ | env | {"OGI_DATA_DIR": str(data_dir), "OGI_LISTEN": listen}
            if prefix := os.environ.get("OGI_SCHEMA_PREFIX"):  # several systems on one database
                child_env["OGI_DATABASE_SCHEMA"] = prefix + service
            log = (data_dir / f"{service}.log").open("ab")
            children.append(
                subprocess.Popen(  # noqa: S603 - our own module, fixed argv
                    [sys.executable, "-m", f"services.{service}"],
                    env=child_env,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
            wait_until_serving(listen)
            print(f"{service:<12} grpc://{listen}  (log: {data_dir / service}.log)", flush=True)
        print("ready. Ctrl-C stops everything.", flush=True)
        while not stopping and all(c.poll() is None for c in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(15)


if __name__ == "__main__":
    main()
