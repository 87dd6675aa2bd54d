"""Event-store configuration for the `eventsourcing` library: SQLite or PostgreSQL, encrypted.

Every stored event and snapshot is AES-GCM encrypted with the configured key, so personal data
(identity numbers, phones, addresses) is never at rest in clear in either database.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import psycopg
from eventsourcing.persistence import Transcoding
from psycopg import sql

from ogi.config import Settings


def event_store_env(settings: Settings) -> dict[str, str]:
    """The environment the eventsourcing Application reads its infrastructure from."""
    env = {
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": settings.cipher_key,
    }
    if settings.uses_postgres:
        env |= _postgres_env(settings.database_url, settings.database_schema)
    else:
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    return env


def _postgres_env(url: str, schema: str) -> dict[str, str]:
    parts = urlparse(url)
    # A socket directory may come as ?host=/path (libpq's form, as pgserver gives it).
    socket_dir = parse_qs(parts.query).get("host", [""])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": socket_dir or parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_CONNECT_TIMEOUT": "10",
    }


def prepare_database(settings: Settings) -> None:
    """Create what the event store expects to exist: the SQLite folder or the Postgres schema."""
    if settings.uses_postgres:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.database_schema)
                )
            )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)


class DateAsISO(Transcoding):
    """Stores a `date` as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def dataclass_transcoding(cls: type[Any]) -> Transcoding:
    """A transcoding for a frozen value-object dataclass; enum fields come back as their enum."""
    hints = typing.get_type_hints(cls)
    enum_fields = {
        f.name: enum for f in dataclasses.fields(cls) if (enum := _enum_in(hints[f.name]))
    }

    class _AsDict(Transcoding):
        type = cls
        name = cls.__name__

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            values = {
                k: enum_fields[k](v) if k in enum_fields and v is not None else v
                for k, v in data.items()
            }
            return cls(**values)

    return _AsDict()


def _enum_in(hint: Any) -> type[Enum] | None:
    """The Enum class of a hint like `Channel` or `Channel | None`."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None
