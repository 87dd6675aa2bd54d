"""`python -m ogi.supervised LAUNCHER_PID COMMAND…`: run COMMAND as a child that only its
launcher (`make run`, `make run-prod`) stops, and that never outlives it.

- A session of its own: Ctrl-C in the terminal, or a signal to make's process group, reaches
  the launcher alone, which then stops the services first and nats-server last.
- The kernel sends it SIGTERM when the launcher dies, however it dies (SIGKILL included):
  Linux's PR_SET_PDEATHSIG, set here before exec because it survives exec; where there is no
  prctl (macOS), a killed launcher leaves its children to be stopped by hand.
- Started after the launcher has already died, it does not run at all."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

MODULE = "ogi.supervised"
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """SIGTERM to this process when its parent exits (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def prefix() -> list[str]:
    """Put before a command, runs it as this process's supervised child."""
    return [sys.executable, "-m", MODULE, str(os.getpid())]


def main(args: list[str]) -> None:
    launcher_pid, argv = int(args[0]), args[1:]
    os.setsid()
    die_with_parent()
    if os.getppid() != launcher_pid:  # it died before the line above: nobody to signal us
        sys.exit(f"ogi.supervised: launcher {launcher_pid} has gone; not starting {argv[0]}")
    os.execv(argv[0], argv)  # noqa: S606 - the launcher's own fixed argv


if __name__ == "__main__":
    main(sys.argv[1:])
