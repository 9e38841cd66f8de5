"""Dashboard queries: messages and complaints per bucket, whole days from the daily roll-ups.

Every count the complaints, improvement and product views show comes from here.
A range is split into whole local days (of ``Filters.timezone``), read from
``daily_topics``/``daily_scope``, and the partial days at its edges (and around
``cut``), read from the events; so the figures are exact and a 90-day view costs
about as much as a 2-day one. Buckets are local hours, days or weeks, each named
by the epoch ms of its start. Filters the roll-ups do not keep (channel, segment,
stage), and buckets shorter than a day, read everything from the events. Likely
duplicates are left out on both sides: a customer who says the same on three
channels is one message (and, if a complaint, one complaint).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from dashboard.queries.filters import Filters, millis
from radar.clock import from_millis
from radar.localtime import zone
from radar.store import Store
from radar.store.daily import (
    DAY_MS,
    daily_scope,
    daily_topics,
    local_bucket,
    rollup_zone,
    split_range,
)
from radar.store.tables import event_topics, events

#: Filters the daily roll-ups can answer.
ROLLUP_FILTERS = frozenset({"product", "region"})
TOPIC_COLUMNS = ["topic", "bucket_ms", "recent", "messages", "complaints"]
SCOPE_COLUMNS = ["bucket_ms", "recent", "messages", "complaints"]


def _ms(value: Any) -> int:
    return int(value.timestamp() * 1000)


def _pieces(
    store: Store, filters: Filters, bucket_ms: int, cut_ms: int | None
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    since, until = _ms(filters.since), _ms(filters.until)
    usable = (
        bucket_ms % DAY_MS == 0
        and set(filters.dimensions) <= ROLLUP_FILTERS
        and filters.shops is None  # the roll-ups keep no shop
        and rollup_zone(store) == filters.timezone  # days of another zone do not add up
    )
    if not usable:
        return [], [(since, until)]
    return split_range(since, until, [] if cut_ms is None else [cut_ms], filters.timezone)


def _bucket(column: Any, filters: Filters, bucket_ms: int, start: int, end: int) -> Any:
    """The local bucket each time (epoch ms) of ``[start, end)`` falls in."""
    return local_bucket(column, bucket_ms, zone(filters.timezone), start, end)


def _span(pieces: list[tuple[int, int]]) -> tuple[int, int]:
    return pieces[0][0], pieces[-1][1]


def _keys(start: Any, time: Any, cut_ms: int | None) -> list[Any]:
    """Group keys: the bucket, and whether the time is at or after the cut (if there is one).

    No constant stands in for a missing cut: SQLite reads ``GROUP BY 0`` as a column number.
    """
    if cut_ms is None:
        return [start]
    return [start, case((time >= cut_ms, True), else_=False)]


def _between(filters: Filters, start_ms: int, end_ms: int) -> Filters:
    return filters.with_time(from_millis(start_ms), from_millis(end_ms))


def _complaints() -> Any:
    return func.sum(case((events.c.is_complaint.is_(True), 1), else_=0))


def _rollup_terms(table: Any, filters: Filters, whole: list[tuple[int, int]]) -> list[Any]:
    terms: list[Any] = [or_(*(and_(table.c.day >= a, table.c.day < b) for a, b in whole))]
    if filters.product:
        terms.append(table.c.product.in_(list(filters.product)))
    if filters.region:
        terms.append(table.c.region.in_(list(filters.region)))
    return terms


def _frame(rows: Sequence[Any], columns: list[str], cut_ms: int | None) -> pd.DataFrame:
    if cut_ms is None:
        at = columns.index("recent")
        rows = [(*r[:at], False, *r[at:]) for r in rows]
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("bucket_ms", "messages", "complaints"):
        frame[name] = frame[name].astype("int64")
    frame["recent"] = frame["recent"].astype(bool)
    return frame


def _combine(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    keys = [c for c in columns if c not in ("messages", "complaints")]
    found = [f for f in frames if not f.empty]
    if not found:
        return _frame([], columns, 0)
    return pd.concat(found).groupby(keys, as_index=False)[["messages", "complaints"]].sum()


def topic_counts(
    store: Store,
    filters: Filters,
    bucket_ms: int,
    *,
    cut: Any = None,
    topic: str | None = None,
    complaints_only: bool = False,
) -> pd.DataFrame:
    """Customer messages and complaints per (topic, bucket, recent = at or after ``cut``)."""
    cut_ms = None if cut is None else _ms(cut)
    whole, partial = _pieces(store, filters, bucket_ms, cut_ms)
    frames = []
    with store.engine.connect() as conn:
        if whole:
            t = daily_topics
            day = _bucket(t.c.day, filters, bucket_ms, *_span(whole))
            keys = [t.c.topic, *_keys(day, t.c.day, cut_ms)]
            query = select(*keys, func.sum(t.c.messages), func.sum(t.c.complaints)).where(
                *_rollup_terms(t, filters, whole)
            )
            if topic:
                query = query.where(t.c.topic == topic)
            if complaints_only:
                query = query.where(t.c.complaints > 0)
            rows = conn.execute(query.group_by(*keys)).all()
            frames.append(_frame(rows, TOPIC_COLUMNS, cut_ms))
        created = millis(events.c.created_at)
        for a, b in partial:
            start = _bucket(created, filters, bucket_ms, a, b)
            keys = [event_topics.c.topic, *_keys(start, created, cut_ms)]
            query = (
                select(*keys, func.count(), _complaints())
                .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
                .where(*_between(filters, a, b).conditions())
                # the same range on event_topics: lets a topic be read through its index
                .where(event_topics.c.created_at >= a, event_topics.c.created_at < b)
            )
            if topic:
                query = query.where(event_topics.c.topic == topic)
            if complaints_only:
                query = query.where(events.c.is_complaint.is_(True))
            rows = conn.execute(query.group_by(*keys)).all()
            frames.append(_frame(rows, TOPIC_COLUMNS, cut_ms))
    return _combine(frames, TOPIC_COLUMNS)


def scope_counts(
    store: Store, filters: Filters, bucket_ms: int, *, cut: Any = None
) -> pd.DataFrame:
    """Customer messages and complaints per (bucket, recent), whatever their topics."""
    cut_ms = None if cut is None else _ms(cut)
    whole, partial = _pieces(store, filters, bucket_ms, cut_ms)
    frames = []
    with store.engine.connect() as conn:
        if whole:
            s = daily_scope
            keys = _keys(_bucket(s.c.day, filters, bucket_ms, *_span(whole)), s.c.day, cut_ms)
            query = select(*keys, func.sum(s.c.messages), func.sum(s.c.complaints)).where(
                *_rollup_terms(s, filters, whole)
            )
            rows = conn.execute(query.group_by(*keys)).all()
            frames.append(_frame(rows, SCOPE_COLUMNS, cut_ms))
        created = millis(events.c.created_at)
        for a, b in partial:
            keys = _keys(_bucket(created, filters, bucket_ms, a, b), created, cut_ms)
            query = select(*keys, func.count(), _complaints()).where(
                *_between(filters, a, b).conditions()
            )
            rows = conn.execute(query.group_by(*keys)).all()
            frames.append(_frame(rows, SCOPE_COLUMNS, cut_ms))
    return _combine(frames, SCOPE_COLUMNS)
