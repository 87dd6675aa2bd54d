"""Start a launcher (`make run`, `make run-prod`) as the README does and wait until it is ready;
find the processes it started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ogi.embedded import READY, SERVICES
from ogi.messaging.nats_server import free_port


def launch(module: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    """The launcher process and the lines it printed up to READY. It leads a process group of
    its own, as make does in a terminal: a test signals the group as Ctrl-C or `kill -- -PGID`."""
    launcher = subprocess.Popen(
        [sys.executable, "-m", module],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert launcher.stdout is not None
    started, lines = time.monotonic(), list[str]()
    while not lines or lines[-1] != READY:
        lines.append(launcher.stdout.readline().strip())
        if time.monotonic() - started > 60 or launcher.poll() is not None:
            launcher.kill()
            raise AssertionError(lines)
    return launcher, lines


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, ppid, …, start time (field 22)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rpartition(")")[2].split()


def children(pid: int) -> list[tuple[int, str]]:
    """The processes `pid` started, each as (pid, start time) so that a pid reused later is not
    taken for one of them."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[1] == str(pid):
            found.append((int(entry.name), stat[19]))
    return found


def running(process: tuple[int, str]) -> bool:
    """Still running: not gone, not a zombie waiting to be reaped, not a later process."""
    stat = _stat(process[0])
    return stat is not None and stat[19] == process[1] and stat[0] != "Z"


def embedded_env(tmp_path: Path) -> dict[str, str]:
    """`make run`'s environment with a free port for every service and for nats-server."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OGI_")} | {
        "OGI_DATA_DIR": str(tmp_path / "data"),
        "OGI_NATS_PORT": str(free_port()),
        **{f"OGI_{service.upper()}_LISTEN": f"127.0.0.1:{free_port()}" for service in SERVICES},
        "OGI_CONSOLE_LISTEN": f"127.0.0.1:{free_port()}",
        "OGI_PORTAL_LISTEN": f"127.0.0.1:{free_port()}",
    }
