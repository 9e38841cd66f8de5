"""Dashboard queries for 总览 Overview: rolled-up hourly statistics and source freshness."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from dashboard.queries.filters import millis
from radar.clock import to_millis
from radar.store import Store
from radar.store.rollups import ResponseSla, _aggregate, hour_shift, read_hourly_stats
from radar.store.tables import events, heartbeats

HOURLY_COLUMNS = [
    "hour",
    "channel",
    "volume",
    "complaints",
    "sentiment_sum",
    "csat_n",
    "csat_satisfied",
    "nps_n",
    "promoters",
    "detractors",
    "staff_replies",
    "sla_complaints",
    "sla_answered",
]


def hourly(store: Store, since: datetime, until: datetime) -> pd.DataFrame:
    """Per hour and channel: volume, complaints, sentiment, CSAT, NPS and SLA counts."""
    rows = read_hourly_stats(store, since, until)
    return pd.DataFrame(rows, columns=HOURLY_COLUMNS)


def hourly_in_shops(
    store: Store,
    since: datetime,
    until: datetime,
    shops: tuple[str, ...],
    sla: ResponseSla,
    timezone: str,
) -> pd.DataFrame:
    """:func:`hourly` for a user given some shops: the same figures, counted from the events of
    those shops (the hourly roll-up keeps no shop), hours aligned as the roll-up's."""
    query = _aggregate(sla, to_millis(since), to_millis(until), hour_shift(timezone, until))
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.where(events.c.shop.in_(shops)))]
    return pd.DataFrame(rows, columns=HOURLY_COLUMNS)


def sources(store: Store, now: datetime) -> pd.DataFrame:
    """Every source with its latest heartbeat and its newest event stored in the last day."""
    day_ago = now - timedelta(days=1)
    recent = (
        select(
            events.c.source,
            events.c.channel,
            func.max(millis(events.c.created_at)).label("newest_event_ms"),
            func.count().label("events_24h"),
        )
        .where(events.c.stored_at >= day_ago)
        .group_by(events.c.source, events.c.channel)
    )
    with store.engine.connect() as conn:
        beats = [dict(r._mapping) for r in conn.execute(select(heartbeats))]
        latest = [dict(r._mapping) for r in conn.execute(recent)]
    frame = pd.DataFrame(
        beats,
        columns=[
            "source",
            "channel",
            "at",
            "status",
            "last_success_at",
            "records_total",
            "lag_seconds",
            "message",
        ],
    )
    stored = pd.DataFrame(latest, columns=["source", "channel", "newest_event_ms", "events_24h"])
    merged = frame.merge(stored, on=["source", "channel"], how="outer")
    merged["newest_event"] = pd.to_datetime(merged["newest_event_ms"], unit="ms", utc=True)
    merged["events_24h"] = pd.to_numeric(merged["events_24h"]).fillna(0).astype(int)
    return merged.drop(columns=["newest_event_ms"]).sort_values(["channel", "source"])
