"""Embedded mode (`make run`): a local nats-server and every service on SQLite, one command.

"ready." is printed once every service answers its own health check on its own address: a port
some other program holds answers health too, so the listening socket must be the child's. A port
that cannot be had is named with its service, and the launcher exits non-zero. Ctrl-C, SIGTERM
or SIGHUP (to the launcher or to make's process group) stops the services gracefully, then
nats-server. The children run under ogi.supervised: in sessions of their own, so that only the
launcher stops them, in that order; and the kernel stops them if the launcher is killed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ogi import supervised
from ogi.config import DEFAULT_PORTS
from ogi.messaging.nats_server import LocalNatsServer
from ogi.ports import bind_error, host_and_port, in_use, listens

SERVICES = ("intake", "handling", "archive", "notifier")
# The staff's web console (services.console), started after the services it calls.
CONSOLE = "console"
CONSOLE_LISTEN = "127.0.0.1:8080"
# The applicants' portal (services.portal), in front of intake.
PORTAL = "portal"
PORTAL_LISTEN = "127.0.0.1:8090"
READY = "ready. Ctrl-C stops everything."
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LOG_LINES_SHOWN = 10
# Retry a refused connection quickly: a service binds its port a second or so after it starts.
_FAST_RECONNECT = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
]


class LaunchFailed(Exception):
    """The system cannot run; the message says why, for the terminal."""


class StopRequested(Exception):
    """Ctrl-C, SIGTERM or SIGHUP came while starting."""


class ChildExited(Exception):
    """The process exited before its server was serving."""

    def __init__(self, returncode: int) -> None:
        super().__init__(f"exited with code {returncode}")
        self.returncode = returncode


class StopSignal:
    """Catches Ctrl-C, SIGTERM and SIGHUP (a closed terminal): the launcher then stops its
    children itself, in order, instead of dying and leaving them."""

    def __init__(self) -> None:
        self.received = False
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._receive)

    def _receive(self, _signum: int, _frame: object) -> None:
        self.received = True


def wait_until_serving(
    address: str,
    timeout: float = READY_TIMEOUT,
    process: subprocess.Popen[bytes] | None = None,
    stop: StopSignal | None = None,
) -> None:
    """Block until the gRPC health service at `address` reports SERVING. Given the `process`
    that should serve there: until that process holds the listening socket (where /proc tells),
    and raise ChildExited as soon as it exits, e.g. because another program holds the port."""
    port = host_and_port(address)[1]
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address, options=_FAST_RECONNECT) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            if process is not None and process.poll() is not None:
                raise ChildExited(process.returncode)
            if stop is not None and stop.received:
                raise StopRequested
            if time.monotonic() > deadline:
                raise TimeoutError(f"{address} not serving within {timeout}s")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING and (
                    process is None or listens(process.pid, port) is not False
                ):
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)


def wait_until_answering(
    address: str,
    process: subprocess.Popen[bytes],
    timeout: float = READY_TIMEOUT,
    stop: StopSignal | None = None,
) -> None:
    """Block until the web server `process` runs answers /healthz at `address` from its own
    listening socket; ChildExited as soon as it exits."""
    port = host_and_port(address)[1]
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ChildExited(process.returncode)
        if stop is not None and stop.received:
            raise StopRequested
        if time.monotonic() > deadline:
            raise TimeoutError(f"{address} not answering within {timeout}s")
        try:
            url = f"http://{address}/healthz"
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200 and listens(process.pid, port) is not False:
                    return
        except OSError:
            pass
        time.sleep(0.1)


def console_address() -> str:
    """The console's listen address: OGI_CONSOLE_LISTEN, else 127.0.0.1:8080."""
    return os.environ.get("OGI_CONSOLE_LISTEN", CONSOLE_LISTEN)


def portal_address() -> str:
    """The portal's listen address: OGI_PORTAL_LISTEN, else 127.0.0.1:8090."""
    return os.environ.get("OGI_PORTAL_LISTEN", PORTAL_LISTEN)


def service_env(service: str) -> dict[str, str]:
    """What a service needs to know of the portal, unless set outside: intake believes the
    address of each applicant the portal (on this machine) forwards, for its guess throttle;
    the notifier puts the portal's address in its messages."""
    wanted = {
        "intake": {"OGI_TRUSTED_PROXIES": "127.0.0.1"},
        "notifier": {"OGI_PORTAL_URL": f"http://{portal_address()}"},
    }.get(service, {})
    return {k: v for k, v in wanted.items() if k not in os.environ}


def sign_in_hint(data_dir: Path) -> str:
    """How the first person gets into the console: an account made with `ogi users add` (in
    the launcher's data folder), or the identity provider when OIDC is configured."""
    if issuer := os.environ.get("OGI_OIDC_ISSUER"):
        return f"             登录 sign in through {issuer} (OpenID Connect)"
    ogi = os.path.relpath(Path(sys.executable).parent / "ogi")
    folder = "" if data_dir == Path("data").resolve() else f"OGI_DATA_DIR={data_dir} "
    return (
        "             首个账号 first account: "
        f"{folder}{ogi} users add --agency HZMZJ --role handler --role registrar --name 李四"
    )


def port_taken(address: str, name: str) -> str:
    return f"端口 {address} 已被占用（{name}）（port in use）"


def refuse_unusable(addresses: Mapping[str, str]) -> None:
    """Raise LaunchFailed naming every address (and who needs it) that cannot be listened on."""
    problems = []
    for name, address in addresses.items():
        error = bind_error(address)
        if error is None:
            continue
        if error.errno == errno.EADDRINUSE:
            problems.append(port_taken(address, name))
        else:
            problems.append(f"无法监听 {address}（{name}）（cannot listen: {error.strerror}）")
    if problems:
        raise LaunchFailed("\n".join(problems))


def listen_addresses() -> dict[str, str]:
    """Each service's listen address: OGI_<SERVICE>_LISTEN, else its default port."""
    return {
        service: os.environ.get(
            f"OGI_{service.upper()}_LISTEN", f"127.0.0.1:{DEFAULT_PORTS[service]}"
        )
        for service in SERVICES
    }


def main() -> None:
    stop = StopSignal()
    data_dir = Path(os.environ.get("OGI_DATA_DIR", "data")).resolve()
    nats_port = int(os.environ["OGI_NATS_PORT"]) if "OGI_NATS_PORT" in os.environ else None
    nats = LocalNatsServer(data_dir / "nats", port=nats_port, prefix=supervised.prefix())
    try:
        refuse_unusable(
            listen_addresses()
            | {
                CONSOLE: console_address(),
                PORTAL: portal_address(),
                "nats-server": f"{nats.host}:{nats.port}",
            }
        )
    except LaunchFailed as failed:
        sys.exit(str(failed))
    try:
        nats.start()
        print(f"nats-server  {nats.url}  (JetStream in {data_dir / 'nats'})", flush=True)
        status = run_services(data_dir, {"OGI_NATS_URL": nats.url}, stop)
    except (RuntimeError, TimeoutError) as error:  # nats-server did not start
        address = f"{nats.host}:{nats.port}"
        reason = port_taken(address, "nats-server") if in_use(address) else error
        print(f"nats-server 未能启动（did not start）: {reason}", file=sys.stderr, flush=True)
        status = 1
    finally:
        nats.stop()
    print("stopped.", flush=True)
    sys.exit(status)


@dataclass
class Child:
    service: str
    log: Path
    process: subprocess.Popen[bytes]
    log_start: int  # where this run's lines begin in the log

    def log_tail(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self.log_start)
            lines = log.read().decode(errors="replace").splitlines()[-LOG_LINES_SHOWN:]
        return "".join(f"\n  | {line}" for line in lines)

    def exited(self, returncode: int, *, starting: bool) -> str:
        zh, en = ("启动时", "while starting") if starting else ("意外", "unexpectedly")
        return (
            f"{self.service} {zh}退出，退出码 {returncode}"
            f"（exited {en} with code {returncode}; log: {self.log}）{self.log_tail()}"
        )


def run_services(data_dir: Path, env: dict[str, str], stop: StopSignal | None = None) -> int:
    """Start every service as its own process with `env`, print where each listens and "ready."
    once all serve; stop them all (SIGTERM, graceful) on Ctrl-C, SIGTERM, SIGHUP, or when one
    of them exits. Returns the exit status: 0 after a requested stop, 1 (the reason printed)
    when a service could not start or exited by itself."""
    stop = stop or StopSignal()
    children: list[Child] = []
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        addresses = listen_addresses()
        refuse_unusable(addresses | {CONSOLE: console_address(), PORTAL: portal_address()})
        for service, listen in addresses.items():
            child = start(service, listen, data_dir, env | service_env(service))
            children.append(child)
            awaited(
                child, listen, partial(wait_until_serving, listen, process=child.process, stop=stop)
            )
            print(f"{service:<12} grpc://{listen}  (log: {child.log})", flush=True)
        backends = {f"OGI_{s.upper()}_ADDR": address for s, address in addresses.items()}
        console = start(CONSOLE, console_address(), data_dir, env | backends)
        children.append(console)
        awaited(
            console,
            console_address(),
            partial(wait_until_answering, console_address(), console.process, stop=stop),
        )
        print(f"{CONSOLE:<12} http://{console_address()}  (log: {console.log})", flush=True)
        print(sign_in_hint(data_dir), flush=True)
        portal = start(
            PORTAL, portal_address(), data_dir, env | {"OGI_INTAKE_ADDRESS": addresses["intake"]}
        )
        children.append(portal)
        awaited(
            portal,
            portal_address(),
            partial(wait_until_answering, portal_address(), portal.process, stop=stop),
        )
        print(f"{PORTAL:<12} http://{portal_address()}  (log: {portal.log})", flush=True)
        fail_if_one_exited(children)
        print(READY, flush=True)
        while not stop.received:
            fail_if_one_exited(children)
            time.sleep(0.2)
    except StopRequested:
        pass
    except LaunchFailed as failed:
        print(failed, file=sys.stderr, flush=True)
        return 1
    finally:
        stop_all(children)
    return 0


def awaited(child: Child, listen: str, wait: Callable[[], None]) -> None:
    """`wait` for `child` to serve on `listen`; LaunchFailed saying why it did not."""
    try:
        wait()
    except ChildExited as exited:
        if in_use(listen):  # another program took it after the check above
            raise LaunchFailed(port_taken(listen, child.service)) from None
        raise LaunchFailed(child.exited(exited.returncode, starting=True)) from None
    except TimeoutError:
        raise LaunchFailed(
            f"{child.service} 未在 {READY_TIMEOUT:.0f} 秒内就绪"
            f"（not serving on {listen} within {READY_TIMEOUT:.0f} s; log: {child.log}）"
            f"{child.log_tail()}"
        ) from None


def start(service: str, listen: str, data_dir: Path, env: dict[str, str]) -> Child:
    child_env = os.environ | env | {"OGI_DATA_DIR": str(data_dir), "OGI_LISTEN": listen}
    if prefix := os.environ.get("OGI_SCHEMA_PREFIX"):  # several systems on one database
        child_env["OGI_DATABASE_SCHEMA"] = prefix + service
    path = data_dir / f"{service}.log"
    with path.open("ab") as log:
        log_start = log.tell()
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed argv
            [*supervised.prefix(), sys.executable, "-m", f"services.{service}"],
            env=child_env,
            stdout=log,
            stderr=log,
        )
    return Child(service, path, process, log_start)


def fail_if_one_exited(children: list[Child]) -> None:
    for child in children:
        if (returncode := child.process.poll()) is not None:
            raise LaunchFailed(child.exited(returncode, starting=False))


def stop_all(children: list[Child]) -> None:
    """SIGTERM to every service, then wait for each (SIGKILL after STOP_TIMEOUT)."""
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


if __name__ == "__main__":
    main()
