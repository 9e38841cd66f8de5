"""Store: daily roll-ups per topic, product and region, and per filter value, kept up to date.

Counts of customer messages (staff replies and likely duplicates left out: a
customer who says the same on three channels is one voice) and complaints per local day
of the display time zone (``RADAR_TIMEZONE``; a Beijing day runs from 16:00 UTC to
16:00 UTC), each day named by the epoch ms of its local midnight:

* ``daily_topics``: per (day, topic, product, region), from ``event_topics``;
* ``daily_scope``: per (day, product, region), every customer message;
* ``daily_values``: per (day, dimension, value) of the filter dimensions, which
  the filter widgets list.

An unknown product or region is kept as ``''`` (primary keys cannot hold NULL).
A refresh recomputes, whole, every day that received events since the last one
(by ``stored_at``), so running it twice, or from two processes, gives the same
rows; a refresh in another time zone than the last, or after a change of how
messages are counted (:data:`~radar.store.rollups.COUNTING`), rebuilds every day. Readers
take whole days from here and the partial days at the edges of a range from the
events (:func:`split_range`), so the figures are exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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

from radar.localtime import (
    DAY_MS,
    DEFAULT_ZONE,
    bucket_start,
    bucket_starts,
    day_start,
    fixed_offset_ms,
    offset_ms,
    zone,
)
from radar.store.db import metadata
from radar.store.duplicates import first_copy
from radar.store.feedback import Store, upsert
from radar.store.rollups import (
    COUNTING,
    HOUR_MS,
    read_watermark,
    rollup_state,
    write_watermark,
)
from radar.store.tables import event_topics, events

__all__ = [
    "DAY_MS",
    "local_bucket",
    "refresh_daily",
    "rollup_zone",
    "split_range",
    "topics_seen",
    "values_seen",
]
#: Dimensions the dashboard filters by; ``daily_values`` lists the values seen of each.
FILTER_DIMENSIONS = ("channel", "product", "region", "segment", "stage")

daily_topics = Table(
    "daily_topics",
    metadata,
    Column("day", BigInteger, primary_key=True),  # local midnight, epoch ms
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


def local_bucket(column: Any, size_ms: int, tz: ZoneInfo, since_ms: int, until_ms: int) -> Any:
    """SQL: the start (epoch ms) of the local bucket each time in ``[since, until)`` falls in.

    ``column`` is a time as epoch ms; ``size_ms`` an hour, a day or several days,
    buckets of days starting at local midnights counted from 1970-01-01. Where the
    zone keeps one offset over the range (Beijing always), this is arithmetic; a
    summer-time switch inside the range takes the real midnights.
    """
    days = size_ms // DAY_MS
    first = bucket_start(since_ms, tz, days) if days else since_ms  # may lie before ``since``
    offset = fixed_offset_ms(tz, first, until_ms)
    if size_ms < DAY_MS or offset is not None:
        # hours: summer time moves clocks by whole hours, so any offset of the range will do
        shift = offset if offset is not None else offset_ms(since_ms, tz)
        return ((column + shift) // size_ms) * size_ms - shift
    starts = bucket_starts(since_ms, until_ms, tz, days)
    return case(
        *((column < end, start) for start, end in itertools.pairwise(starts)),
        else_=starts[-1],
    )


def _complaints() -> Any:
    return func.coalesce(func.sum(case((events.c.is_complaint.is_(True), 1), else_=0)), 0)


def _in_days(start: int, end: int) -> list[Any]:
    created = _ms(events.c.created_at)
    return [events.c.is_staff_reply.is_(False), first_copy(), created >= start, created < end]


def _day(start: int, end: int, tz: ZoneInfo) -> Any:
    return local_bucket(_ms(events.c.created_at), DAY_MS, tz, start, end)


def _topic_rows(start: int, end: int, tz: ZoneInfo) -> Any:
    day = _day(start, end, tz)
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


def _scope_rows(start: int, end: int, tz: ZoneInfo) -> Any:
    day = _day(start, end, tz)
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


def _value_rows(start: int, end: int, dimension: str, tz: ZoneInfo) -> Any:
    day = _day(start, end, tz)
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


def _recompute(store: Store, conn: Connection, start: int, end: int, tz: ZoneInfo) -> None:
    """Replace the rows of days ``start``..``end`` with counts taken from the events."""
    for table in TABLES:
        conn.execute(delete(table).where(table.c.day >= start, table.c.day < end))
    queries = [
        (daily_topics, _topic_rows(start, end, tz)),
        (daily_scope, _scope_rows(start, end, tz)),
        *((daily_values, _value_rows(start, end, d, tz)) for d in FILTER_DIMENSIONS),
    ]
    for table, query in queries:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        if rows:
            measures = [c.name for c in table.columns if not c.primary_key]
            # an upsert, not an insert: another refresh may have written the day meanwhile
            conn.execute(upsert(store.engine, table, measures), rows)


def refresh_daily(
    store: Store,
    *,
    now: datetime | None = None,
    margin: timedelta = timedelta(minutes=5),
    timezone: str = DEFAULT_ZONE,
) -> int:
    """Bring the daily roll-ups up to date with the events; returns how many days were recomputed.

    Days are those of ``timezone``; roll-ups made in another zone are dropped and
    rebuilt. ``margin`` re-reads events stored shortly before the last watermark,
    for transactions that committed after it was taken.
    """
    at = now or store.clock.now()
    tz = zone(timezone)
    stored = _ms(events.c.stored_at)
    params = _params(timezone)
    with store.engine.connect() as conn:
        watermark = read_watermark(conn, "daily", params)
        newest = conn.execute(select(func.max(stored))).scalar()
        if newest is None:
            return 0
        # hours, not days: which local day an hour belongs to is the zone's business
        changed = select(_ms(events.c.created_at) // HOUR_MS).distinct()
        if watermark is not None:
            changed = changed.where(stored >= watermark - int(margin.total_seconds() * 1000))
        hours: list[Any] = list(conn.scalars(changed))
    # an hour may straddle a local midnight (zones half an hour off): both its days are dirty
    dirty = {day_start(int(h) * HOUR_MS + edge, tz) for h in hours for edge in (0, HOUR_MS - 1)}
    if watermark is None:
        with store.engine.begin() as conn:  # days of another zone must not linger
            for table in TABLES:
                conn.execute(delete(table))
    for start, end in local_runs(dirty, tz, max_len=7):
        with store.engine.begin() as conn:
            _recompute(store, conn, start, end, tz)
    write_watermark(store, "daily", int(newest), params, at)
    return len(dirty)


def _params(timezone: str) -> str:
    """What the daily roll-ups were made for: the zone's days, counted by today's rule."""
    return f"{timezone} {COUNTING}"


def rollup_zone(store: Store) -> str | None:
    """The time zone whose days the roll-ups hold (None before the first refresh, and while
    they were last made under another counting rule: readers then count from the events)."""
    with store.engine.connect() as conn:
        found = conn.execute(
            select(rollup_state.c.params).where(rollup_state.c.name == "daily")
        ).scalar()
    if found is None or not str(found).endswith(f" {COUNTING}"):
        return None
    return str(found).removesuffix(f" {COUNTING}")


def local_runs(days: Iterable[int], tz: ZoneInfo, max_len: int) -> list[tuple[int, int]]:
    """Consecutive local days (their midnights, ms) as [start, end) runs of at most ``max_len``."""
    ranges: list[tuple[int, int]] = []
    length = 0
    for start in sorted(set(days)):
        end = bucket_starts(start, start + 1, tz)[-1]  # the next local midnight
        if ranges and ranges[-1][1] == start and length < max_len:
            ranges[-1] = (ranges[-1][0], end)
            length += 1
        else:
            ranges.append((start, end))
            length = 1
    return ranges


def split_range(
    since_ms: int, until_ms: int, cuts: Iterable[int] = (), timezone: str = DEFAULT_ZONE
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``[since, until)`` as (whole local days, partial pieces); no whole day spans a cut.

    Whole days are read from the roll-ups, partial pieces from the events.
    """
    tz = zone(timezone)
    points = sorted({since_ms, until_ms, *(c for c in cuts if since_ms < c < until_ms)})
    whole: list[tuple[int, int]] = []
    partial: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(points):
        midnights = [m for m in bucket_starts(a, b, tz) if a <= m <= b]
        first, last = (midnights[0], midnights[-1]) if midnights else (b, a)
        if first >= last:
            partial.append((a, b))
            continue
        if a < first:
            partial.append((a, first))
        whole.append((first, last))
        if last < b:
            partial.append((last, b))
    return whole, partial


def values_seen(
    store: Store, since: datetime, timezone: str = DEFAULT_ZONE
) -> dict[str, list[str]]:
    """Values of each filter dimension in messages since ``since``'s local day, most frequent
    first."""
    day = day_start(int(since.timestamp() * 1000), zone(timezone))
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


def topics_seen(store: Store, since: datetime, timezone: str = DEFAULT_ZONE) -> list[str]:
    """Topics of customer messages since ``since``'s local day, most frequent first."""
    day = day_start(int(since.timestamp() * 1000), zone(timezone))
    query = (
        select(daily_topics.c.topic)
        .where(daily_topics.c.day >= day)
        .group_by(daily_topics.c.topic)
        .order_by(func.sum(daily_topics.c.messages).desc(), daily_topics.c.topic)
    )
    with store.engine.connect() as conn:
        found: list[object] = list(conn.scalars(query))
    return [str(t) for t in found]
