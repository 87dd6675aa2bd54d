"""A PostgreSQL server of a test's own, which the test may stop and start again: pgserver's
binaries (a dev dependency, so it runs on a clean CI machine too) on a temporary data folder,
listening on a free port of 127.0.0.1. Never the shared server on 5432.

The folder is made outside pytest's temporary folders: pytest keeps those to their owner (0700)
and may tighten them again while a test runs, and the server runs as a user of its own when the
tests run as root (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ogi.messaging.nats_server import free_port


class ThrowawayPostgres:
    def __init__(self) -> None:
        # pgserver makes the cluster and starts it on a socket; it is then restarted on TCP, as
        # production reaches its database. cleanup_mode=None: `close` stops the server and
        # removes the folder (pgserver would look for the server by the process it started).
        from pgserver.postgres_server import get_server  # on use: it warns on import

        self.root = Path(tempfile.mkdtemp(prefix="ogi-postgres-"))
        server = get_server(self.root / "pgdata", cleanup_mode=None)
        self.pgdata = Path(server.pgdata)
        self._user = server.system_user
        self._output = self.root / "pg_ctl.out"
        self.port = free_port()
        self.running = True
        self.stop()
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """As abruptly as a crash: sessions are cut, nothing is shut down in order."""
        self._pg_ctl("-w", "-m", "immediate", "stop")
        self.running = False

    def start(self) -> None:
        """Returns once the server accepts connections."""
        options = f'-h 127.0.0.1 -p {self.port} -k ""'
        self._pg_ctl("-w", "-o", options, "-l", str(self.pgdata / "log"), "start")
        self.running = True

    def close(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import POSTGRES_BIN_PATH

        # Output to a file, not a pipe: the server pg_ctl starts would hold a pipe open.
        with self._output.open("ab") as output:
            subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), *args],
                user=self._user,
                stdout=output,
                stderr=output,
                check=True,
                timeout=30,
            )
