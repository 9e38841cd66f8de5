"""Dashboard: queries against the store (bound parameters, results cached by the pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, func, select, type_coerce

from radar.store import Store
from radar.store.tables import events


def volume_by_channel(
    store: Store, since: datetime, until: datetime, bucket_s: int
) -> list[tuple[int, str, int, float | None]]:
    """Per time bucket and channel: number of events and mean sentiment (event time)."""
    created = type_coerce(events.c.created_at, BigInteger)
    bucket_ms = bucket_s * 1000
    bucket = (created // bucket_ms) * bucket_ms  # floor division in SQLite and PostgreSQL
    query = (
        select(bucket.label("bucket"), events.c.channel, func.count(), func.avg(events.c.sentiment))
        .where(events.c.created_at >= since, events.c.created_at < until)
        .group_by(bucket, events.c.channel)
        .order_by(bucket)
    )
    with store.engine.connect() as conn:
        rows: list[Any] = list(conn.execute(query).all())
    return [(int(b), str(c), int(n), None if s is None else float(s)) for b, c, n, s in rows]


def time_range(store: Store) -> tuple[datetime, datetime] | None:
    """Event time of the oldest and newest stored event, or None when the store is empty."""
    with store.engine.connect() as conn:
        low, high = conn.execute(
            select(func.min(events.c.created_at), func.max(events.c.created_at))
        ).one()
    if not isinstance(low, datetime) or not isinstance(high, datetime):
        return None
    return low, high
