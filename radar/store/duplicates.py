"""Store: likely duplicates (``duplicate_of``), counted once and listed under their first copy.

A connector flags an item as a likely duplicate when the same customer said
nearly the same thing shortly before, on this channel or another
(``ingest/dedupe.py``): the later copies carry the id of the first one. They
are kept, but one customer saying it on three channels is one voice, so every
count of customer messages leaves the copies out (the stream worker's windows
do the same), and lists show a message with its copies collapsed under it.
A copy is left out of the counts even when its first copy is not in the store.
Staff replies are never treated as copies: a reply is a reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Index, select

from radar.store.feedback import Store
from radar.store.tables import events

#: How many links of a chain (a copy of a copy) are followed back to the first copy.
MAX_DEPTH = 5
#: Ids per ``IN (...)`` list.
CHUNK = 500

# Copies are rare: a partial index keeps only them, and finds the copies of a page of messages.
Index(
    "ix_events_duplicate_of",
    events.c.duplicate_of,
    sqlite_where=events.c.duplicate_of.is_not(None),
    postgresql_where=events.c.duplicate_of.is_not(None),
)


def first_copy() -> ColumnElement[bool]:
    """SQL: the event is not a likely duplicate of another (it counts)."""
    return events.c.duplicate_of.is_(None)


@dataclass(frozen=True)
class Copy:
    """A likely duplicate of a listed message: where and when the customer said it again."""

    id: str
    first_id: str  # the first copy (the listed message), whatever the chain in between
    channel: str
    source: str
    created_at: datetime
    text: str
    title: str | None
    url: str | None


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def copies_of(store: Store, ids: Iterable[str]) -> list[Copy]:
    """Every stored copy of the messages ``ids``, oldest first, each with its first copy.

    A copy flagged against another copy (a chain) is followed back to the first.
    """
    first_of: dict[str, str] = {i: i for i in ids}
    frontier = list(first_of)
    found: list[Copy] = []
    columns = [
        events.c.id,
        events.c.duplicate_of,
        events.c.channel,
        events.c.source,
        events.c.created_at,
        events.c.text,
        events.c.title,
        events.c.url,
    ]
    with store.engine.connect() as conn:
        for _ in range(MAX_DEPTH):
            rows: list[Any] = []
            for chunk in _chunks(frontier):
                query = select(*columns).where(
                    events.c.duplicate_of.in_(chunk), events.c.is_staff_reply.is_(False)
                )
                rows += conn.execute(query).all()
            new = [r for r in rows if r.id not in first_of]
            for row in new:
                first_of[row.id] = first_of[row.duplicate_of]
                found.append(
                    Copy(
                        id=row.id,
                        first_id=first_of[row.duplicate_of],
                        channel=row.channel,
                        source=row.source,
                        created_at=row.created_at,
                        text=row.text,
                        title=row.title,
                        url=row.url,
                    )
                )
            frontier = [r.id for r in new]
            if not frontier:
                break
    return sorted(found, key=lambda c: (c.first_id, c.created_at, c.id))


def first_ids(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """The first copy of each message ``ids`` (itself unless it is a likely duplicate).

    Ids not in the store are their own first copy.
    """
    first_of = {i: i for i in ids}
    pending = dict(first_of)  # id asked for -> the link of its chain looked up next
    with store.engine.connect() as conn:
        for _ in range(MAX_DEPTH):
            links: dict[str, str] = {}
            for chunk in _chunks(sorted(set(pending.values()))):
                query = select(events.c.id, events.c.duplicate_of).where(
                    events.c.id.in_(chunk), events.c.duplicate_of.is_not(None)
                )
                links.update({str(a): str(b) for a, b in conn.execute(query)})
            pending = {i: links[link] for i, link in pending.items() if link in links}
            first_of.update(pending)
            if not pending:
                break
    return first_of
