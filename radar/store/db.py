"""Store: engine creation (SQLite in WAL mode, or any SQLAlchemy URL) and shared column types."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.types import TypeDecorator

from radar.clock import from_millis, to_millis

#: Every Radar table hangs off this one MetaData, whichever module defines it.
metadata = MetaData()

#: Seconds a new PostgreSQL connection may take (libpq's ``connect_timeout``): a write to a
#: server that is gone fails in bounded time and the caller's retry takes over (the sink
#: retries with backoff) instead of waiting on the operating system's TCP timeout.
CONNECT_TIMEOUT_S = 10


class EpochMillis(TypeDecorator[datetime]):
    """An aware datetime kept as milliseconds since the epoch (UTC).

    Integers sort, bucket (``col / 3_600_000``) and index the same way in
    SQLite and PostgreSQL, so time queries need no dialect-specific SQL.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | int | None, dialect: Dialect) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_millis(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else from_millis(int(value))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(cursor: Any, attempts: int = 50) -> None:
    """Put the file in WAL mode once (the mode is kept in the file).

    Switching needs the file to itself, and SQLite answers "database is locked"
    at once, without waiting, when another connection is busy with it; so the
    mode is only switched when the file is not in WAL yet, and retried a while.
    """
    for attempt in range(attempts):
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode; other
    databases a pool whose connections are pinged before use and, on PostgreSQL, a connect
    timeout (:data:`CONNECT_TIMEOUT_S`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S  # one given in the URL stays
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args
    )
