"""Store: which record of ``feedback.scored`` counted each event id (dedupe for window counting).

The stream counts an event into its windows only from the record that first
claimed its id. A redelivered copy (re-ingest, a re-sent scored record) sits
at another offset and loses the claim; the record that won it, replayed
after a crash, wins it again. Claims live on disk, not in the worker's
memory, and are dropped once their windows can no longer change.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, delete, select

from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store, insert_new

#: Ids per ``IN (...)`` list (well below SQLite's limit on bound parameters).
CHUNK = 2000

event_claims = Table(
    "event_claims",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("part", Integer, nullable=False),
    Column("record_offset", BigInteger, nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Index("ix_event_claims_partition_created", "part", "created_at"),
)

Claim = tuple[str, int, int, int]  # (event id, partition, offset, event time ms)


def claim_events(store: Store, claims: Sequence[Claim]) -> dict[str, tuple[int, int]]:
    """Claim ids for their records; returns each id's owner ``(partition, offset)``.

    The first claim of an id wins and stays; claiming again changes nothing.
    """
    owners: dict[str, tuple[int, int]] = {}
    if not claims:
        return owners
    first: dict[str, Claim] = {}
    for claim in claims:
        first.setdefault(claim[0], claim)
    rows = [
        {"id": i, "part": p, "record_offset": o, "created_at": ts} for i, p, o, ts in first.values()
    ]
    with store.engine.begin() as conn:
        # the ids this call won own their record; only the others are looked up
        for key in insert_new(conn, event_claims, rows):
            owners[key] = first[key][1:3]
        rest = [i for i in first if i not in owners]
        for start in range(0, len(rest), CHUNK):
            query = select(event_claims.c.id, event_claims.c.part, event_claims.c.record_offset)
            query = query.where(event_claims.c.id.in_(rest[start : start + CHUNK]))
            for row in conn.execute(query):
                owners[row.id] = (row.part, row.record_offset)
    return owners


def expire_claims(store: Store, partition: int, before_ms: int) -> int:
    """Forget the claims of ``partition`` for events older than ``before_ms``; returns how many."""
    query = delete(event_claims).where(
        event_claims.c.part == partition, event_claims.c.created_at < before_ms
    )
    with store.engine.begin() as conn:
        return int(conn.execute(query).rowcount or 0)


__all__ = ["Claim", "claim_events", "event_claims", "expire_claims"]
