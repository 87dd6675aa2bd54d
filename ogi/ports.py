"""Listen addresses on this machine: whether one can be had, and which process holds it."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from pathlib import Path

_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp
_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def host_and_port(address: str) -> tuple[str, int]:
    """`127.0.0.1:50051`, `[::]:50051` or `localhost:50051` as (host, port)."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def bind_error(address: str) -> OSError | None:
    """Why a server could not listen on `address` now (EADDRINUSE: another process does), or
    None. Binds as gRPC and nats-server do (SO_REUSEADDR), so a closed connection still in
    TIME_WAIT does not count, a listener does."""
    host, port = host_and_port(address)
    try:
        family, kind, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError as error:
        return error
    return None


def in_use(address: str) -> bool:
    error = bind_error(address)
    return error is not None and error.errno == errno.EADDRINUSE


def listens(pid: int, port: int) -> bool | None:
    """Whether process `pid` holds a listening TCP socket on `port` (from Linux's /proc; None
    where there is no /proc to tell)."""
    inodes: set[str] = set()
    tables = [table for table in _TABLES if table.exists()]
    if not tables:
        return None
    for table in tables:
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _LISTEN and int(fields[1].rpartition(":")[2], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    return bool(inodes & _open_files(pid))


def _open_files(pid: int) -> set[str]:
    """What the process's file descriptors point at (`socket:[inode]` for a socket)."""
    held: set[str] = set()
    with contextlib.suppress(FileNotFoundError):  # it has exited
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):  # closed while we look
                held.add(os.readlink(fd))
    return held
