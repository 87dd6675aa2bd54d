"""Event-store configuration for the `eventsourcing` library: SQLite or PostgreSQL, encrypted.

Every stored event and snapshot is AES-GCM encrypted with the configured key, so personal data
(identity numbers, phones, addresses) is never at rest in clear in either database.

While PostgreSQL is down a call fails within a few seconds (UNAVAILABLE, see ogi.rpc) instead of
waiting for its deadline, and the pool is whole again within about a second of its return.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, unquote, urlparse

import eventsourcing.postgres
import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import (
    ApplicationRecorder,
    JSONTranscoder,
    Mapper,
    ProcessRecorder,
    Recorder,
    StoredEvent,
    Transcoding,
    find_id_convertor,
)
from eventsourcing.utils import Environment, EnvType, resolve_topic
from psycopg import sql

from ogi.config import Settings

# How long a call waits for a pooled connection before it is refused as UNAVAILABLE, and how long
# opening a new one may take (libpq counts whole seconds, at least 2).
WAIT_FOR_CONNECTION_SECONDS = 2
# A reconnection that still fails after this long is given up; the next call that needs a
# connection starts a new one at once. (The pool's own default retries for 5 minutes with a
# doubling back-off, so calls went on waiting up to 8 s after the database was back.)
RECONNECT_SECONDS = 1.0
# A statement that waits longer than this for a lock fails (UNAVAILABLE) instead of hanging.
LOCK_TIMEOUT_SECONDS = 5


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
        "PERSISTENCE_MODULE": f"{__name__}:PostgresFactory",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": socket_dir or parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "10",
        # The library passes this on as the pool's wait for a connection.
        "POSTGRES_CONNECT_TIMEOUT": str(WAIT_FOR_CONNECTION_SECONDS),
        "POSTGRES_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
    }


class PostgresFactory(eventsourcing.postgres.PostgresFactory):
    """The library's PostgreSQL factory, with a pool that gives up reconnecting quickly and
    opens connections with a timeout: what the library's settings do not reach."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        pool.reconnect_timeout = RECONNECT_SECONDS
        if isinstance(pool.kwargs, dict):
            pool.kwargs["connect_timeout"] = WAIT_FOR_CONNECTION_SECONDS

    def process_recorder(self) -> ProcessRecorder:
        return _binary_insert(super().process_recorder())

    def application_recorder(self) -> ApplicationRecorder:
        return _binary_insert(super().application_recorder())


R = TypeVar("R")


def _binary_insert(recorder: R) -> R:
    """The library's insert of a batch of events, with the array of events sent in binary:
    psycopg writes an array of composites as text with a regular expression over every byte of
    every (encrypted) state, a third of a batch's time in a consumer's catch-up."""
    if not isinstance(recorder, eventsourcing.postgres.PostgresApplicationRecorder):
        return recorder
    recorder.insert_events_statement = sql.SQL(
        "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, topic, state "
        "FROM unnest(%b::{schema}.{event_type}[]) RETURNING notification_id"
    ).format(
        schema=sql.Identifier(recorder.datastore.schema),
        table=sql.Identifier(recorder.events_table_name),
        event_type=sql.Identifier(recorder.stored_event_type_name),
    )
    return recorder


class DatabaseUnavailable(ConnectionError):
    """The last probe found the database down: a call fails at once instead of waiting for a
    connection (ogi.rpc answers UNAVAILABLE; a consumer tries again later)."""


class PostgresProbe:
    """`SELECT 1` on a connection of the probe's own, so a pool busy with calls is not taken for
    a database that is down, and a probe does not queue behind the calls.

    What it finds gates the store's pool: while the database is down, asking the pool for a
    connection raises DatabaseUnavailable at once. Otherwise every call would wait out the pool's
    timeout, ten times over, as the library retries a failed connection ten times. When the
    database answers again, the pool's idle connections, all broken by then, are checked and
    replaced before calls are let through."""

    def __init__(self, datastore: eventsourcing.postgres.PostgresDatastore) -> None:
        self.datastore = datastore
        self.down = False
        self._conn: psycopg.Connection[Any] | None = None
        pool = datastore.pool
        wait_for_connection = pool.getconn

        def getconn(timeout: float | None = None) -> Any:
            if self.down:
                raise DatabaseUnavailable("the database did not answer the last probe")
            return wait_for_connection(timeout)

        pool.getconn = getconn  # type: ignore[method-assign]

    def __call__(self) -> None:
        try:
            if self._conn is None or self._conn.closed:
                given = self.datastore.pool.kwargs or {}
                kwargs = dict(given() if callable(given) else given)
                kwargs.pop("row_factory", None)
                kwargs |= {
                    "autocommit": True,
                    "connect_timeout": WAIT_FOR_CONNECTION_SECONDS,
                    "options": f"-c statement_timeout={WAIT_FOR_CONNECTION_SECONDS * 1000}",
                }
                self._conn = psycopg.connect(**kwargs)
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            self.down = True
            self.close()
            raise
        if self.down:
            self.datastore.pool.check()
            self.down = False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def database_probe(recorder: Recorder) -> Callable[[], None]:
    """Raises unless the database of an application's event store (its recorder) answers.
    SQLite is a file that cannot be down, but the same path runs: `SELECT 1` through the store."""
    datastore = recorder.datastore  # type: ignore[attr-defined]
    if isinstance(datastore, eventsourcing.postgres.PostgresDatastore):
        return PostgresProbe(datastore)

    def select_one() -> None:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT 1")

    return select_one


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
    # JSON has lists only: a field declared a tuple comes back a tuple, so a value object read
    # from the store equals the one that was saved.
    tuple_fields = {
        f.name for f in dataclasses.fields(cls) if typing.get_origin(hints[f.name]) is tuple
    }

    # (field, its enum or None for a tuple field)
    special = [(name, enum_fields.get(name)) for name in sorted(enum_fields.keys() | tuple_fields)]

    class _AsDict(Transcoding):
        type = cls
        name = cls.__name__

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            # `data` is fresh from the JSON decoder, ours to change; a replay decodes every
            # stored value object, so only the fields that need it are looked at.
            for name, enum in special:
                value = data.get(name)
                if value is None:
                    continue
                if enum is not None:
                    data[name] = enum(value)
                elif isinstance(value, list):
                    data[name] = tuple(value)
            return cls(**data)

    return _AsDict()


def _enum_in(hint: Any) -> type[Enum] | None:
    """The Enum class of a hint like `Channel` or `Channel | None`."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


class EventDecoder:
    """Stored events to domain events, the same objects the library's mapper makes, at a
    fraction of its cost per event, for projections that replay a whole store: one AES-GCM
    context for the key (the library's cipher makes one per event), topics resolved once, and
    the JSON object hook reduced to what the transcoder does. Every event is still decrypted
    and its tag checked. An event this path cannot decode goes to the library's mapper, which
    decodes it or raises its own error (so what a reader sets aside, and why, is unchanged);
    a store configured otherwise (compressed, another cipher or transcoder) goes to the
    mapper throughout."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        cipher, transcoder = mapper.cipher, mapper.transcoder
        fast = (
            isinstance(cipher, AESCipher)
            and mapper.compressor is None
            and type(transcoder) is JSONTranscoder
        )
        self._aead = AESGCM(cipher.key) if fast and isinstance(cipher, AESCipher) else None
        names = transcoder.names if isinstance(transcoder, JSONTranscoder) else {}

        def object_hook(d: dict[str, Any]) -> Any:
            if len(d) == 2 and "_type_" in d and "_data_" in d:
                return names[d["_type_"]].decode(d["_data_"])
            return d

        self._json = json.JSONDecoder(object_hook=object_hook).decode
        self._classes: dict[tuple[str, type], tuple[type, Callable[[Any], Any]] | None] = {}

    def __call__(self, stored: StoredEvent) -> Any:
        found = self._class(stored) if self._aead is not None else None
        if found is None:
            return self.mapper.to_domain_event(stored)
        cls, originator_id = found
        state = stored.state
        try:
            plain = self._aead.decrypt(state[:12], state[28:] + state[12:28], None)  # type: ignore[union-attr]
            event_state: dict[str, Any] = self._json(plain.decode("utf8"))
        except Exception:
            return self.mapper.to_domain_event(stored)  # the library's error, or its success
        if "class_version" in event_state:
            return self.mapper.to_domain_event(stored)  # an upcast: the library's way
        event_state["originator_id"] = originator_id(stored.originator_id)
        event_state["originator_version"] = stored.originator_version
        domain_event: Any = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event

    def _class(self, stored: StoredEvent) -> tuple[type, Callable[[Any], Any]] | None:
        """The event class and id convertor of a topic; None for a topic the fast path leaves
        to the mapper (an upcast class, or one that does not resolve)."""
        key = (stored.topic, type(stored.originator_id))
        if key not in self._classes:
            try:
                cls = resolve_topic(stored.topic)
                convert = find_id_convertor(cls, cast(Any, type(stored.originator_id)))
            except Exception:
                self._classes[key] = None
            else:
                upcast = getattr(cls, "class_version", 1) > 1
                self._classes[key] = None if upcast else (cls, convert)
        return self._classes[key]
