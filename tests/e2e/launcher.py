"""Start a launcher (`make run`, `make run-prod`) as the README does and wait until it is ready."""

from __future__ import annotations

import subprocess
import sys
import time

READY = "ready. Ctrl-C stops everything."


def launch(module: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    """The launcher process and the lines it printed up to READY."""
    launcher = subprocess.Popen(
        [sys.executable, "-m", module], env=env, stdout=subprocess.PIPE, text=True
    )
    assert launcher.stdout is not None
    started, lines = time.monotonic(), list[str]()
    while not lines or lines[-1] != READY:
        lines.append(launcher.stdout.readline().strip())
        if time.monotonic() - started > 60 or launcher.poll() is not None:
            launcher.kill()
            raise AssertionError(lines)
    return launcher, lines
