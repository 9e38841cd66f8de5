"""Dashboard queries for 投诉与话题 Complaints & topics: heatmap, topic counts, messages.

Counts leave likely duplicates out; a listed message carries how many copies it
has and on which channels, and :func:`copies` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, select

from dashboard.queries.counts import scope_counts, topic_counts
from dashboard.queries.filters import Filters
from dashboard.queries.shops import shops_seen, values_in_shops
from radar.localtime import DEFAULT_ZONE
from radar.store import Store, daily
from radar.store.daily import DAY_MS, values_seen
from radar.store.duplicates import copies_of
from radar.store.tables import event_topics, events

MESSAGE_COLUMNS = [
    "created_at",
    "channel",
    "source",
    "shop",
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
COPY_COLUMNS = ["first_id", "created_at", "channel", "source", "title", "text", "url", "id"]


def heatmap(store: Store, filters: Filters, bucket_ms: int) -> pd.DataFrame:
    """Complaints per topic and time bucket (bucket start in epoch ms)."""
    counts = topic_counts(store, filters, bucket_ms, complaints_only=True)
    found = counts[counts["complaints"] > 0]
    return found.groupby(["topic", "bucket_ms"], as_index=False)["complaints"].sum()


def topic_windows(store: Store, filters: Filters, recent: timedelta) -> pd.DataFrame:
    """Complaints per topic in the last ``recent`` of the range and in the time before it."""
    counts = topic_counts(store, filters, DAY_MS, cut=filters.until - recent, complaints_only=True)
    table = counts.pivot_table(
        index="topic", columns="recent", values="complaints", aggfunc="sum", fill_value=0
    )
    frame = pd.DataFrame(
        {
            "topic": table.index,
            "recent": table.get(True, pd.Series(0, index=table.index)).to_numpy(),
            "before": table.get(False, pd.Series(0, index=table.index)).to_numpy(),
        }
    )
    return frame[(frame["recent"] + frame["before"]) > 0].reset_index(drop=True)


def messages(
    store: Store,
    filters: Filters,
    *,
    topic: str | None = None,
    complaints_only: bool = True,
    limit: int = 200,
) -> pd.DataFrame:
    """The newest messages matching the filters (and topic): what a bar or cell is made of.

    Each row is a first copy; its likely duplicates (on any channel, whatever the
    filters) are counted in ``duplicates``, their channels in ``duplicate_channels``.
    """
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
    channels: dict[str, list[str]] = {}
    for found in copies_of(store, frame["id"]):
        channels.setdefault(found.first_id, []).append(found.channel)
    frame["duplicates"] = [len(channels.get(i, [])) for i in frame["id"]]
    frame["duplicate_channels"] = [tuple(dict.fromkeys(channels.get(i, []))) for i in frame["id"]]
    return frame


def copies(store: Store, ids: Iterable[str]) -> pd.DataFrame:
    """The likely duplicates of the messages ``ids``, each with ``first_id``, oldest first."""
    rows = [[getattr(c, name) for name in COPY_COLUMNS] for c in copies_of(store, ids)]
    return pd.DataFrame(rows, columns=COPY_COLUMNS)


def count_messages(store: Store, filters: Filters, topic: str | None = None) -> int:
    """How many complaints match (the drill-down shows the newest of them)."""
    if topic:
        counts = topic_counts(store, filters, DAY_MS, topic=topic, complaints_only=True)
    else:
        counts = scope_counts(store, filters, DAY_MS)
    return int(counts["complaints"].sum())


def dimension_values(
    store: Store,
    since: datetime,
    timezone: str = DEFAULT_ZONE,
    shops: tuple[str, ...] | None = None,
) -> dict[str, list[str]]:
    """Values seen for each filter dimension since ``since``'s local day, most frequent first
    (within ``shops`` for a user given some shops)."""
    if shops is not None:
        return values_in_shops(store, since, shops)
    return {**values_seen(store, since, timezone), "shop": shops_seen(store, since)}


def topics_seen(store: Store, since: datetime, timezone: str = DEFAULT_ZONE) -> list[str]:
    """Topics customer messages carried since ``since``'s local day, most frequent first."""
    return daily.topics_seen(store, since, timezone)
