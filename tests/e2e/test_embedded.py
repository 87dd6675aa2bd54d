"""`make run`'s launcher and the `ogi` CLI, used the way the README tells a newcomer to."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ogi.config import DEFAULT_PORTS
from ogi.embedded import READY, SERVICES, ChildExited, wait_until_serving
from ogi.messaging.nats_server import free_port
from tests.e2e.launcher import children, embedded_env, launch, running

OGI = str(Path(sys.executable).parent / "ogi")


@pytest.fixture
def default_ports_taken() -> Iterator[None]:
    """50051–50053 held, as by a `make run` in another terminal (or held by one already)."""
    with contextlib.ExitStack() as held:
        for port in DEFAULT_PORTS.values():
            listener = held.enter_context(socket.socket())
            with contextlib.suppress(OSError):  # somebody holds it already: just as good
                listener.bind(("127.0.0.1", port))
                listener.listen()
        yield


@contextlib.contextmanager
def health_server(*addresses: str) -> Iterator[None]:
    """Another program's gRPC server on `addresses`, reporting SERVING, as a first `make run`."""
    server = grpc.server(ThreadPoolExecutor(2), options=[("grpc.so_reuseport", 0)])
    servicer = health.HealthServicer()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    for address in addresses:
        server.add_insecure_port(address)
    server.start()
    try:
        yield
    finally:
        server.stop(None)


def wait_until_gone(processes: list[tuple[int, str]], timeout: float = 30) -> list[tuple[int, str]]:
    """The `processes` still running after `timeout` (none, as soon as none is)."""
    deadline = time.monotonic() + timeout
    while (left := [p for p in processes if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.usefixtures("default_ports_taken")
def test_embedded_mode_serves_the_cli_beside_a_make_run_and_stops_every_child(
    tmp_path: Path,
) -> None:
    """`make test` while `make run` is up, the README's order: every service and nats-server on
    a free port. SIGTERM to the launcher's process group (`kill -- -PGID` of make's) stops all."""
    env = embedded_env(tmp_path)
    listen, handling = env["OGI_INTAKE_LISTEN"], env["OGI_HANDLING_LISTEN"]
    launcher, lines = launch("ogi.embedded", env)
    processes = children(launcher.pid)
    try:
        for service in SERVICES:
            assert any(env[f"OGI_{service.upper()}_LISTEN"] in line for line in lines)
        console = env["OGI_CONSOLE_LISTEN"]  # the staff's console, and how to get into it
        assert any(line.startswith(f"console      http://{console}") for line in lines)
        assert any("users add --agency HZMZJ --role handler" in line for line in lines)
        with urllib.request.urlopen(f"http://{console}/signin", timeout=10) as page:
            assert "登录" in page.read().decode()
        portal = env["OGI_PORTAL_LISTEN"]  # the applicants' portal, in front of intake
        assert any(line.startswith(f"portal       http://{portal}") for line in lines)
        with urllib.request.urlopen(f"http://{portal}/apply", timeout=10) as page:
            assert "政府信息公开申请表" in page.read().decode()

        def ogi(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [OGI, "--server", listen, *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                env=env,
            )

        applied = ogi(
            "apply",
            "--agency",
            "HZZRZYJ",
            "--name",
            "菏泽某律师事务所",
            "--category",
            "legal_service_organization",
            "--id-type",
            "unified_social_credit_code",
            "--id-number",
            "91350100M000100Y43",
            "--contact-person",
            "王五",
            "--email",
            "law@example.cn",
            "--form",
            "electronic",
            "--route",
            "email",
            "--description",
            "《菏泽市国土空间总体规划（2021-2035年）》批复文件",
        )
        assert applied.returncode == 0, applied.stderr
        number = re.search(r"HZZRZYJ-\d{4}-\d{6}", applied.stdout)
        code = re.search(r"Query code: (\S+)", applied.stdout)
        assert number, applied.stdout
        assert code, applied.stdout
        status = ogi("status", number.group(), "--code", code.group(1))
        assert status.returncode == 0, status.stderr
        assert "已收到 received" in status.stdout
        assert "菏泽市自然资源和规划局" in status.stdout

        token = ogi("token", "--agency", "HZZRZYJ", "--role", "handler", "--subject", "李四")
        assert token.returncode == 0, token.stderr

        def cases(*args: str) -> subprocess.CompletedProcess[str]:
            return ogi("cases", "--handling", handling, "--token", token.stdout.strip(), *args)

        # No polling: the CLI asks each read to reflect what it wrote last (ogi.freshness).
        listed = cases("list")
        assert number.group() in listed.stdout, listed
        assert "审核中 registered" in listed.stdout
        asked = cases("request-correction", number.group(), "--item", "写明批复文件的文号")
        assert asked.returncode == 0, asked.stderr
        assert "补正期限 correction" in asked.stdout
        assert "CorrectionRequested" in asked.stdout
        status = ogi("status", number.group(), "--code", code.group(1))
        assert "待补正" in status.stdout, status
        assert "写明批复文件的文号" in status.stdout
        shown = cases("show", number.group())
        assert "李四" in shown.stdout
        extended = cases("extend", number.group(), "--days", "5")
        assert extended.returncode == 1
        assert "PERMISSION_DENIED" in extended.stderr

        refused = ogi(
            "apply",
            "--agency",
            "HZZRZYJ",
            "--name",
            "张三",
            "--id-number",
            "110105194912310021",
            "--phone",
            "13800138000",
            "--description",
            "x",
        )
        assert refused.returncode == 1
        assert "INVALID_ARGUMENT" in refused.stderr
        assert "--id-number（applicant.identity_document.number）" in refused.stderr
    finally:
        os.killpg(launcher.pid, signal.SIGTERM)
        output, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == 0
    assert output.strip().endswith("stopped.")
    assert len(processes) == len(SERVICES) + 3  # and the console, the portal, nats-server
    assert not wait_until_gone(processes, timeout=0)


def test_a_second_make_run_names_each_taken_port_and_fails(tmp_path: Path) -> None:
    """The first run's servers answer health on those ports: no reason to say "ready."."""
    env = embedded_env(tmp_path)
    nats_port = int(env["OGI_NATS_PORT"])
    services = {service: env[f"OGI_{service.upper()}_LISTEN"] for service in SERVICES}
    with health_server(*services.values()), socket.create_server(("127.0.0.1", nats_port)):
        second = subprocess.run(
            [sys.executable, "-m", "ogi.embedded"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert second.returncode != 0
    assert READY not in second.stdout
    for name, address in [*services.items(), ("nats-server", f"127.0.0.1:{nats_port}")]:
        assert f"端口 {address} 已被占用（{name}）（port in use）" in second.stderr


def test_readiness_is_the_childs_own_health_not_another_servers() -> None:
    """A port taken after the launcher's check: the other server answers health, our child
    holds no socket there and, failing to bind, exits."""
    address = f"127.0.0.1:{free_port()}"
    with health_server(address):
        never_binds = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(20)"])
        try:
            with pytest.raises(TimeoutError):
                wait_until_serving(address, timeout=1.5, process=never_binds)
        finally:
            never_binds.kill()
            never_binds.wait()
        fails = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        with pytest.raises(ChildExited) as exited:
            wait_until_serving(address, timeout=20, process=fails)
        assert exited.value.returncode == 3


def test_killing_the_launchers_process_group_outright_leaves_no_child(tmp_path: Path) -> None:
    """SIGKILL to make's process group: the launcher has no say, the kernel stops its children."""
    launcher, _ = launch("ogi.embedded", embedded_env(tmp_path))
    started = children(launcher.pid)
    os.killpg(launcher.pid, signal.SIGKILL)
    launcher.wait(10)
    left = wait_until_gone(started)
    for pid, _ in left:  # so that a failure leaves nothing behind
        os.kill(pid, signal.SIGKILL)
    assert len(started) == len(SERVICES) + 3
    assert not left
