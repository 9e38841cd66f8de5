"""Store: writing and summarising feedback, idempotent by id (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from radar.clock import Clock, SystemClock
from radar.events import DeadLetter, Heartbeat, ScoredEvent
from radar.settings import CoreSettings
from radar.store.db import make_engine
from radar.store.incidents import OPEN_STATUSES, incidents
from radar.store.schema import upgrade
from radar.store.tables import deadletters, event_topics, events, heartbeats


def insert_ignoring_duplicates(engine: Engine, table: Table) -> Insert:
    """An INSERT that skips rows whose primary key is already there."""
    dialect = engine.dialect.name
    keys = [c.name for c in table.primary_key.columns]
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    msg = f"store dialect {dialect!r} is not supported; use SQLite or PostgreSQL"
    raise NotImplementedError(msg)


def upsert(
    engine: Engine, table: Table, update_columns: Iterable[str], *, unless_older: str | None = None
) -> Insert:
    """An INSERT that overwrites ``update_columns`` when the primary key is already there
    (with ``unless_older``, only when the new row's value of that column is not older)."""
    dialect = engine.dialect.name
    keys = [c.name for c in table.primary_key.columns]
    stmt: Any
    if dialect == "sqlite":
        stmt = sqlite.insert(table)
    elif dialect == "postgresql":
        stmt = postgresql.insert(table)
    else:
        msg = f"store dialect {dialect!r} is not supported; use SQLite or PostgreSQL"
        raise NotImplementedError(msg)
    where = table.c[unless_older] <= stmt.excluded[unless_older] if unless_older else None
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns}, where=where
    )


class Store:
    """The store: events, dead letters, heartbeats and what other packages add to it."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    @classmethod
    def from_settings(cls, settings: CoreSettings | None = None) -> Store:
        settings = settings or CoreSettings()
        store = cls(make_engine(settings.resolved_store_url))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        """Bring the store's schema to this release (``radar store upgrade``: Alembic's
        migrations, safe when several services start at once; radar/store/schema.py)."""
        upgrade(self.engine)

    def add_scored(self, batch: Sequence[ScoredEvent]) -> int:
        """Store scored events; ids already stored are skipped. Returns how many were new."""
        if not batch:
            return 0
        stored_at = self.clock.now()
        unique: dict[str, ScoredEvent] = {}
        for event in batch:
            unique.setdefault(event.id, event)  # the first delivery wins, as across batches
        with self.engine.begin() as conn:
            ids = list(unique)
            known: set[str] = set(conn.scalars(select(events.c.id).where(events.c.id.in_(ids))))
            new = [e for e in unique.values() if e.id not in known]
            if new:
                rows = [_event_row(e, stored_at) for e in new]
                conn.execute(insert_ignoring_duplicates(self.engine, events), rows)
                topic_rows = [
                    {
                        "event_id": e.id,
                        "topic": topic,
                        "created_at": e.created_at,
                        "is_complaint": e.is_complaint,
                    }
                    for e in new
                    for topic in dict.fromkeys(e.topics)
                ]
                if topic_rows:
                    conn.execute(insert_ignoring_duplicates(self.engine, event_topics), topic_rows)
        return len(new)

    def add_deadletters(self, batch: Sequence[DeadLetter]) -> int:
        """Store dead letters; ids already stored are skipped. Returns how many were new."""
        if not batch:
            return 0
        rows = [d.model_dump() for d in {d.id: d for d in batch}.values()]
        with self.engine.begin() as conn:
            known: set[str] = set(
                conn.scalars(
                    select(deadletters.c.id).where(deadletters.c.id.in_([r["id"] for r in rows]))
                )
            )
            new_rows = [r for r in rows if r["id"] not in known]
            if new_rows:
                conn.execute(insert_ignoring_duplicates(self.engine, deadletters), new_rows)
        return len(new_rows)

    def record_heartbeat(self, beat: Heartbeat) -> None:
        """Keep the latest heartbeat per source."""
        row = beat.model_dump()
        stmt = upsert(self.engine, heartbeats, [c for c in row if c != "source"])
        with self.engine.begin() as conn:
            conn.execute(stmt, [row])

    def report(self) -> dict[str, Any]:
        """What the store holds, in the shape ``radar report --json`` prints."""
        with self.engine.connect() as conn:
            by_channel: dict[str, int] = dict(
                conn.execute(
                    select(events.c.channel, func.count())
                    .group_by(events.c.channel)
                    .order_by(events.c.channel)
                ).all()
            )
            complaints = conn.scalar(  # a likely duplicate is the same complaint again
                select(func.count())
                .select_from(events)
                .where(events.c.is_complaint.is_(True), events.c.duplicate_of.is_(None))
            )
            duplicates = conn.scalar(
                select(func.count()).select_from(events).where(events.c.duplicate_of.is_not(None))
            )
            by_reason: dict[str, int] = dict(
                conn.execute(
                    select(deadletters.c.reason, func.count())
                    .group_by(deadletters.c.reason)
                    .order_by(deadletters.c.reason)
                ).all()
            )
            open_incidents = conn.scalar(
                select(func.count())
                .select_from(incidents)
                .where(incidents.c.status.in_(OPEN_STATUSES))
            )
        return {
            "events": {
                "total": sum(by_channel.values()),  # every stored item, copies included
                "by_channel": by_channel,
                "duplicates": int(duplicates or 0),
            },
            "complaints": int(complaints or 0),
            "deadletter": {"total": sum(by_reason.values()), "by_reason": by_reason},
            "incidents": {"open": int(open_incidents or 0)},
        }


def _event_row(event: ScoredEvent, stored_at: datetime) -> dict[str, Any]:
    row = event.model_dump()
    row["stored_at"] = stored_at
    return row
