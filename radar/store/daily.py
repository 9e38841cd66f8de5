"""Store: daily roll-ups per topic, product and region, and per filter value, kept up to date.

Counts of customer messages (staff replies left out) and complaints per UTC day:

* ``daily_topics``: per (day, topic, product, region), from ``event_topics``;
* ``daily_scope``: per (day, product, region), every customer message;
* ``daily_values``: per (day, dimension, value) of the filter dimensions, which
  the filter widgets list.

An unknown product or region is kept as ``''`` (primary keys cannot hold NULL).
A refresh recomputes, whole, every day that received events since the last one
(by ``stored_at``), so running it twice, or from two processes, gives the same
rows. Readers take whole days from here and the partial days at the edges of a
range from the events (:func:`split_range`), so the figures are exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    case,
    delete,
    func,
    literal,
    select,
    type_coerce,
)

from radar.store.db import metadata
from radar.store.feedback import Store, upsert
from radar.store.rollups import read_watermark, runs, write_watermark
from radar.store.tables import event_topics, events

DAY_MS = 86_400_000
#: Dimensions the dashboard filters by; ``daily_values`` lists the values seen of each.
FILTER_DIMENSIONS = ("channel", "product", "region", "segment", "stage")

daily_topics = Table(
    "daily_topics",
    metadata,
    Column("day", BigInteger, primary_key=True),  # UTC day start, epoch ms
    Column("topic", String(64), primary_key=True),
    Column("product", String(200), primary_key=True),
    Column("region", String(100), primary_key=True),
    Column("messages", Integer, nullable=False),
    Column("complaints", Integer, nullable=False),
    Index("ix_daily_topics_topic_day", "topic", "day"),
)

daily_scope = Table(
    "daily_scope",
    metadata,
    Column("day", BigInteger, primary_key=True),
    Column("product", String(200), primary_key=True),
    Column("region", String(100), primary_key=True),
    Column("messages", Integer, nullable=False),
    Column("complaints", Integer, nullable=False),
    Index("ix_daily_scope_product_day", "product", "day"),
)

daily_values = Table(
    "daily_values",
    metadata,
    Column("day", BigInteger, primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("messages", Integer, nullable=False),
)

TABLES = (daily_topics, daily_scope, daily_values)


def _ms(column: Any) -> Any:
    return type_coerce(column, BigInteger)


def _complaints() -> Any:
    return func.coalesce(func.sum(case((events.c.is_complaint.is_(True), 1), else_=0)), 0)


def _in_days(start: int, end: int) -> list[Any]:
    created = _ms(events.c.created_at)
    return [events.c.is_staff_reply.is_(False), created >= start, created < end]


def _topic_rows(start: int, end: int) -> Any:
    day = (_ms(events.c.created_at) // DAY_MS) * DAY_MS
    product = func.coalesce(events.c.product, "")
    region = func.coalesce(events.c.region, "")
    return (
        select(
            day.label("day"),
            event_topics.c.topic,
            product.label("product"),
            region.label("region"),
            func.count().label("messages"),
            _complaints().label("complaints"),
        )
        .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
        .where(*_in_days(start, end))
        .group_by(day, event_topics.c.topic, product, region)
    )


def _scope_rows(start: int, end: int) -> Any:
    day = (_ms(events.c.created_at) // DAY_MS) * DAY_MS
    product = func.coalesce(events.c.product, "")
    region = func.coalesce(events.c.region, "")
    return (
        select(
            day.label("day"),
            product.label("product"),
            region.label("region"),
            func.count().label("messages"),
            _complaints().label("complaints"),
        )
        .where(*_in_days(start, end))
        .group_by(day, product, region)
    )


def _value_rows(start: int, end: int, dimension: str) -> Any:
    day = (_ms(events.c.created_at) // DAY_MS) * DAY_MS
    column = events.c[dimension]
    return (
        select(
            day.label("day"),
            literal(dimension).label("dimension"),
            column.label("value"),
            func.count().label("messages"),
        )
        .where(*_in_days(start, end), column.is_not(None))
        .group_by(day, column)
    )


def _recompute(store: Store, conn: Connection, start: int, end: int) -> None:
    """Replace the rows of days ``start``..``end`` with counts taken from the events."""
    for table in TABLES:
        conn.execute(delete(table).where(table.c.day >= start, table.c.day < end))
    queries = [
        (daily_topics, _topic_rows(start, end)),
        (daily_scope, _scope_rows(start, end)),
        *((daily_values, _value_rows(start, end, d)) for d in FILTER_DIMENSIONS),
    ]
    for table, query in queries:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        if rows:
            measures = [c.name for c in table.columns if not c.primary_key]
            # an upsert, not an insert: another refresh may have written the day meanwhile
            conn.execute(upsert(store.engine, table, measures), rows)


def refresh_daily(
    store: Store, *, now: datetime | None = None, margin: timedelta = timedelta(minutes=5)
) -> int:
    """Bring the daily roll-ups up to date with the events; returns how many days were recomputed.

    ``margin`` re-reads events stored shortly before the last watermark, for
    transactions that committed after it was taken.
    """
    at = now or store.clock.now()
    stored = _ms(events.c.stored_at)
    with store.engine.connect() as conn:
        watermark = read_watermark(conn, "daily", "")
        newest = conn.execute(select(func.max(stored))).scalar()
        if newest is None:
            return 0
        changed = select((_ms(events.c.created_at) // DAY_MS) * DAY_MS).distinct()
        if watermark is not None:
            changed = changed.where(stored >= watermark - int(margin.total_seconds() * 1000))
        starts: list[Any] = list(conn.scalars(changed))
        dirty = {int(day) for day in starts}
    for start, end in runs(dirty, DAY_MS, max_len=7):
        with store.engine.begin() as conn:
            _recompute(store, conn, start, end)
    write_watermark(store, "daily", int(newest), "", at)
    return len(dirty)


def split_range(
    since_ms: int, until_ms: int, cuts: Iterable[int] = ()
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``[since, until)`` as (whole UTC days, partial pieces); no whole day spans a cut.

    Whole days are read from the roll-ups, partial pieces from the events.
    """
    points = sorted({since_ms, until_ms, *(c for c in cuts if since_ms < c < until_ms)})
    whole: list[tuple[int, int]] = []
    partial: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(points):
        first, last = -(-a // DAY_MS) * DAY_MS, (b // DAY_MS) * DAY_MS
        if first >= last:
            partial.append((a, b))
            continue
        if a < first:
            partial.append((a, first))
        whole.append((first, last))
        if last < b:
            partial.append((last, b))
    return whole, partial


def values_seen(store: Store, since: datetime) -> dict[str, list[str]]:
    """Values of each filter dimension in messages since ``since``'s day, most frequent first."""
    day = (int(since.timestamp() * 1000) // DAY_MS) * DAY_MS
    total = func.sum(daily_values.c.messages)
    query = (
        select(daily_values.c.dimension, daily_values.c.value)
        .where(daily_values.c.day >= day)
        .group_by(daily_values.c.dimension, daily_values.c.value)
        .order_by(total.desc(), daily_values.c.value)
    )
    found: dict[str, list[str]] = {name: [] for name in FILTER_DIMENSIONS}
    with store.engine.connect() as conn:
        for dimension, value in conn.execute(query):
            found.setdefault(str(dimension), []).append(str(value))
    return found


def topics_seen(store: Store, since: datetime) -> list[str]:
    """Topics of customer messages since ``since``'s day, most frequent first."""
    day = (int(since.timestamp() * 1000) // DAY_MS) * DAY_MS
    query = (
        select(daily_topics.c.topic)
        .where(daily_topics.c.day >= day)
        .group_by(daily_topics.c.topic)
        .order_by(func.sum(daily_topics.c.messages).desc(), daily_topics.c.topic)
    )
    with store.engine.connect() as conn:
        found: list[object] = list(conn.scalars(query))
    return [str(t) for t in found]
