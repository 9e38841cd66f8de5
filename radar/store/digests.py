"""Store: the log of digests sent (or failed) per schedule, period and receiver, so a restart of
``radar digest run`` never sends the same digest twice, and a failure is retried a few times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, select

from radar.clock import to_millis
from radar.events import stable_id
from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store, upsert

digest_log = Table(
    "digest_log",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("due_at", EpochMillis, nullable=False),  # the scheduled instant
    Column("receiver", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # sent | failed
    Column("attempts", Integer, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("answer", Text),
    Column("last_error", Text),
)


@dataclass(frozen=True)
class DigestAttempt:
    """What happened to one digest for one receiver."""

    kind: str
    due_at: datetime
    receiver: str
    status: str
    attempts: int
    updated_at: datetime
    answer: str | None = None
    last_error: str | None = None


def _id(kind: str, due_at: datetime, receiver: str) -> str:
    return stable_id("digest-log", kind, str(to_millis(due_at)), receiver)  # any zone, one id


def find_attempt(store: Store, kind: str, due_at: datetime, receiver: str) -> DigestAttempt | None:
    query = select(digest_log).where(digest_log.c.id == _id(kind, due_at, receiver))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    values: dict[str, Any] = {k: row._mapping[k] for k in DigestAttempt.__dataclass_fields__}
    return DigestAttempt(**values)


def record_attempt(
    store: Store,
    kind: str,
    due_at: datetime,
    receiver: str,
    *,
    ok: bool,
    detail: str,
    now: datetime,
    give_up: bool = False,
    max_attempts: int = 5,
) -> DigestAttempt:
    """Count one attempt: sent, or failed (``give_up``: no retry will help)."""
    before = find_attempt(store, kind, due_at, receiver)
    attempts = (before.attempts if before else 0) + 1
    row = {
        "id": _id(kind, due_at, receiver),
        "kind": kind,
        "due_at": due_at,
        "receiver": receiver,
        "status": "sent" if ok else "failed",
        "attempts": max(attempts, max_attempts) if give_up and not ok else attempts,
        "updated_at": now,
        "answer": detail if ok else None,
        "last_error": None if ok else detail[:2000],
    }
    with store.engine.begin() as conn:
        conn.execute(upsert(store.engine, digest_log, [c for c in row if c != "id"]), [row])
    found = find_attempt(store, kind, due_at, receiver)
    assert found is not None
    return found


__all__ = ["DigestAttempt", "digest_log", "find_attempt", "record_attempt"]
