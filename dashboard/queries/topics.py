"""Dashboard queries for 投诉与话题 Complaints & topics: heatmap, topic counts, messages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, case, distinct, func, select

from dashboard.queries.filters import Filters, bucket
from radar.store import Store
from radar.store.tables import event_topics, events

MESSAGE_COLUMNS = [
    "created_at",
    "channel",
    "source",
    "product",
    "region",
    "segment",
    "stage",
    "sentiment",
    "severity",
    "is_complaint",
    "topics",
    "title",
    "text",
    "url",
    "id",
]


def heatmap(store: Store, filters: Filters, bucket_ms: int) -> pd.DataFrame:
    """Complaints per topic and time bucket (bucket start in epoch ms)."""
    start = bucket(events.c.created_at, bucket_ms)
    query = (
        select(event_topics.c.topic, start.label("bucket_ms"), func.count().label("complaints"))
        .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
        .where(*filters.conditions(), events.c.is_complaint.is_(True))
        .group_by(event_topics.c.topic, start)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["topic", "bucket_ms", "complaints"])


def topic_windows(store: Store, filters: Filters, recent: timedelta) -> pd.DataFrame:
    """Complaints per topic in the last ``recent`` of the range and in the time before it."""
    cut = filters.until - recent
    is_recent = events.c.created_at >= cut
    query = (
        select(
            event_topics.c.topic,
            func.sum(case((is_recent, 1), else_=0)).label("recent"),
            func.sum(case((is_recent, 0), else_=1)).label("before"),
        )
        .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
        .where(*filters.conditions(), events.c.is_complaint.is_(True))
        .group_by(event_topics.c.topic)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["topic", "recent", "before"])


def messages(
    store: Store,
    filters: Filters,
    *,
    topic: str | None = None,
    complaints_only: bool = True,
    limit: int = 200,
) -> pd.DataFrame:
    """The newest messages matching the filters (and topic): what a bar or cell is made of."""
    columns = [events.c[name] for name in MESSAGE_COLUMNS]
    query = select(*columns).where(*filters.conditions())
    if complaints_only:
        query = query.where(events.c.is_complaint.is_(True))
    if topic:
        query = query.where(
            events.c.id.in_(
                select(event_topics.c.event_id).where(
                    and_(
                        event_topics.c.topic == topic,
                        event_topics.c.created_at >= filters.since,
                        event_topics.c.created_at < filters.until,
                    )
                )
            )
        )
    query = query.order_by(events.c.created_at.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=MESSAGE_COLUMNS)
    frame["topics"] = frame["topics"].map(lambda t: "、".join(t or []))
    return frame


def count_messages(store: Store, filters: Filters, topic: str | None = None) -> int:
    """How many complaints match (the drill-down shows the newest of them)."""
    query = select(func.count(distinct(events.c.id))).where(
        *filters.conditions(), events.c.is_complaint.is_(True)
    )
    if topic:
        query = query.select_from(
            events.join(event_topics, event_topics.c.event_id == events.c.id)
        ).where(event_topics.c.topic == topic)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def dimension_values(store: Store, since: datetime) -> dict[str, list[str]]:
    """Values seen for each filter dimension since ``since``, most frequent first (one pass)."""
    names = ("channel", "product", "region", "segment", "stage")
    columns = [events.c[name] for name in names]
    query = select(*columns, func.count()).where(events.c.created_at >= since).group_by(*columns)
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            n = int(row[-1])
            for name, value in zip(names, row[:-1], strict=True):
                if value is not None:
                    counts[name][str(value)] = counts[name].get(str(value), 0) + n
    return {name: sorted(seen, key=lambda v: -seen[v]) for name, seen in counts.items()}


def topics_seen(store: Store, since: datetime) -> list[str]:
    """Topics that complaints carried since ``since``, most frequent first."""
    query = (
        select(event_topics.c.topic)
        .where(event_topics.c.created_at >= since)
        .group_by(event_topics.c.topic)
        .order_by(func.count().desc())
    )
    with store.engine.connect() as conn:
        found: list[object] = list(conn.execute(query).scalars().all())
    return [str(t) for t in found]
