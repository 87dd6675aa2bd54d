"""Process configuration, read once from the environment (12-factor), the same in every run mode."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ogi.messaging.stream import StreamSettings

DEFAULT_PORTS = {"intake": 50051, "handling": 50052, "archive": 50053, "notifier": 50054}


class ConfigError(Exception):
    """The configuration cannot start a service; the message says which variable to set."""


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its surroundings."""

    service: str
    data_dir: Path
    database_url: str
    database_schema: str
    nats_url: str
    cipher_key: str
    token_key: str
    agencies_file: Path
    workdays_file: Path | None
    listen: str
    stream_replicas: int
    duplicate_window_seconds: float
    relay_poll_seconds: float  # how often a standing-by relay tries for the lock, and polls
    consumer_batch: int  # upstream messages applied in one transaction at most

    @property
    def stream(self) -> StreamSettings:
        return StreamSettings(
            self.nats_url,
            self.stream_replicas,
            self.duplicate_window_seconds,
            self.consumer_batch,
        )

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of an embedded-mode service."""
        return Path(self.database_url.removeprefix("sqlite:///"))


def load_settings(service: str, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings of `service` from OGI_* variables; embedded defaults where none is set."""
    data_dir = Path(environ.get("OGI_DATA_DIR", "data")).resolve()
    database_url = environ.get("OGI_DATABASE_URL") or f"sqlite:///{data_dir / service}.sqlite"
    embedded = database_url.startswith("sqlite")
    return Settings(
        service=service,
        data_dir=data_dir,
        database_url=database_url,
        database_schema=environ.get("OGI_DATABASE_SCHEMA", service),
        nats_url=environ.get("OGI_NATS_URL", "nats://127.0.0.1:4222"),
        cipher_key=_key("OGI_CIPHER_KEY", "cipher.key", environ, data_dir, embedded=embedded),
        token_key=_key("OGI_TOKEN_KEY", "token.key", environ, data_dir, embedded=embedded),
        agencies_file=Path(environ.get("OGI_AGENCIES_FILE") or _bundled("agencies.toml")),
        workdays_file=Path(p) if (p := environ.get("OGI_WORKDAYS_FILE")) else None,
        listen=environ.get("OGI_LISTEN", f"127.0.0.1:{DEFAULT_PORTS.get(service, 50050)}"),
        stream_replicas=int(environ.get("OGI_STREAM_REPLICAS", "1")),
        duplicate_window_seconds=float(environ.get("OGI_DUPLICATE_WINDOW_SECONDS", "86400")),
        relay_poll_seconds=float(environ.get("OGI_RELAY_POLL_SECONDS", "1")),
        consumer_batch=max(1, int(environ.get("OGI_CONSUMER_BATCH", "256"))),
    )


def _bundled(name: str) -> str:
    return str(resources.files("ogi.data") / name)


def _key(
    variable: str, file_name: str, environ: Mapping[str, str], data_dir: Path, *, embedded: bool
) -> str:
    """A 256-bit secret (the AES key for personal data at rest, the token signing key): from
    `variable`, or the file named by `variable`_FILE, or (embedded mode only) a key created once in
    the data folder."""
    if key := environ.get(variable):
        return _checked_key(key, variable)
    if named := environ.get(f"{variable}_FILE"):
        return _checked_key(Path(named).read_text().strip(), f"{variable}_FILE")
    if not embedded:
        raise ConfigError(f"set {variable} or {variable}_FILE (production mode)")
    path = key_file(data_dir / file_name)
    return _checked_key(path.read_text().strip(), str(path))


def key_file(path: Path) -> Path:
    """`path`, holding a fresh key (owner-only) if it did not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(new_cipher_key())
    return path


def new_cipher_key() -> str:
    """A fresh 256-bit AES key, base64 as the eventsourcing cipher reads it."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _checked_key(key: str, source: str) -> str:
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError as e:
        raise ConfigError(f"{source}: not base64") from e
    if len(raw) not in (16, 24, 32):
        raise ConfigError(f"{source}: an AES key must be 16, 24 or 32 bytes")
    return key
