"""Dashboard queries for 管道健康 Pipeline health: throughput, lag, dead letters, connectors."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from dashboard.queries.filters import bucket, millis
from radar.store import Store
from radar.store.health import latest_pipeline_stats, pipeline_stats_since
from radar.store.tables import deadletters, events, heartbeats


def throughput(store: Store, since: datetime, bucket_ms: int = 60_000) -> pd.DataFrame:
    """Events stored per bucket (by ``stored_at``) up to now; buckets without any are 0."""
    start = bucket(events.c.stored_at, bucket_ms)
    query = (
        select(start.label("bucket_ms"), func.count().label("events"))
        .where(events.c.stored_at >= since)
        .group_by(start)
        .order_by(start)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    counts = {int(b): int(n) for b, n in rows}
    first = int(since.timestamp() * 1000) // bucket_ms * bucket_ms
    last = max([int(store.clock.now().timestamp() * 1000), *counts]) // bucket_ms * bucket_ms
    buckets = range(first, last + bucket_ms, bucket_ms) if counts else range(0)
    frame = pd.DataFrame([(b, counts.get(b, 0)) for b in buckets], columns=["bucket_ms", "events"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True)
    frame["per_s"] = frame["events"] / (bucket_ms / 1000)
    return frame


def lag(store: Store, since: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(latest sample per consumer group and topic, every sample since ``since``)."""
    columns = ["service", "consumer_group", "topic", "at", "lag", "records_per_s", "records_total"]
    latest = pd.DataFrame([vars(s) for s in latest_pipeline_stats(store)], columns=columns)
    history = pd.DataFrame([vars(s) for s in pipeline_stats_since(store, since)], columns=columns)
    return latest, history


def deadletter_reasons(store: Store, since: datetime) -> pd.DataFrame:
    """Dead letters per reason and stage: all time, since ``since``, and the newest."""
    query = (
        select(
            deadletters.c.reason,
            deadletters.c.stage,
            func.count().label("total"),
            func.max(millis(deadletters.c.created_at)).label("newest_ms"),
        )
        .group_by(deadletters.c.reason, deadletters.c.stage)
        .order_by(func.count().desc())
    )
    recent_query = (
        select(deadletters.c.reason, deadletters.c.stage, func.count())
        .where(deadletters.c.created_at >= since)
        .group_by(deadletters.c.reason, deadletters.c.stage)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        recent_rows = {(r[0], r[1]): int(r[2]) for r in conn.execute(recent_query)}
    frame = pd.DataFrame(rows, columns=["reason", "stage", "total", "newest_ms"])
    frame["recent"] = [
        recent_rows.get((r, s), 0) for r, s in zip(frame["reason"], frame["stage"], strict=True)
    ]
    frame["newest"] = pd.to_datetime(frame["newest_ms"], unit="ms", utc=True)
    return frame.drop(columns=["newest_ms"])


def deadletter_examples(store: Store, limit: int = 20) -> pd.DataFrame:
    """The newest dead letters with their message and original input (shown as text)."""
    columns = ["created_at", "reason", "stage", "source", "locator", "message", "original"]
    query = (
        select(*(deadletters.c[c] for c in columns))
        .order_by(deadletters.c.created_at.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=columns)


def connectors(store: Store) -> pd.DataFrame:
    """The latest heartbeat of every source."""
    columns = [
        "source",
        "channel",
        "status",
        "at",
        "last_success_at",
        "records_total",
        "lag_seconds",
        "message",
    ]
    query = select(*(heartbeats.c[c] for c in columns)).order_by(heartbeats.c.source)
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=columns)
