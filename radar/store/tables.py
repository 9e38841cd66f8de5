"""Store: the feedback tables (events, their topics, dead letters, heartbeats)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Table, Text

from radar.store.db import EpochMillis, metadata

events = Table(
    "events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("source", String(200), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("ingested_at", EpochMillis, nullable=False),
    Column("scored_at", EpochMillis, nullable=False),
    Column("stored_at", EpochMillis, nullable=False),
    Column("title", Text),
    Column("author", String(200)),
    Column("product", String(200)),
    Column("shop", String(200)),
    Column("region", String(100)),
    Column("segment", String(100)),
    Column("rating", Integer),
    Column("nps", Integer),
    Column("csat", Integer),
    Column("reach", Integer),
    Column("url", Text),
    Column("thread_id", String(500)),
    Column("reply_to", String(500)),
    Column("is_staff_reply", Boolean, nullable=False, default=False),
    Column("lang", String(8)),
    Column("duplicate_of", String(64)),
    Column("attributes", JSON),
    Column("sentiment", Float, nullable=False),
    Column("sentiment_label", String(3), nullable=False),
    Column("topics", JSON),
    Column("stage", String(16)),
    Column("department", String(100)),
    Column("is_complaint", Boolean, nullable=False, default=False),
    Column("severity", Integer, nullable=False, default=0),
    Column("crisis_terms", JSON),
    Column("engine", String(32)),
    Index("ix_events_created", "created_at"),
    Index("ix_events_channel_created", "channel", "created_at"),
    Index("ix_events_product_created", "product", "created_at"),
    Index("ix_events_thread", "thread_id"),
    Index("ix_events_shop_created", "shop", "created_at"),
)

#: One row per (event, topic): topic filters and heatmaps without JSON functions.
event_topics = Table(
    "event_topics",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("topic", String(64), primary_key=True),
    Column("created_at", EpochMillis, nullable=False),
    Column("is_complaint", Boolean, nullable=False, default=False),
    Index("ix_event_topics_topic_created", "topic", "created_at"),
)

deadletters = Table(
    "deadletters",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reason", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("channel", String(16)),
    Column("source", String(200)),
    Column("locator", Text),
    Column("original", Text, nullable=False),
    Column("original_encoding", String(8), nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Index("ix_deadletters_reason", "reason"),
)

#: The latest heartbeat per source: freshness and "source is down" checks.
heartbeats = Table(
    "heartbeats",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("at", EpochMillis, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_success_at", EpochMillis),
    Column("records_total", Integer, nullable=False, default=0),
    Column("lag_seconds", Float),
    Column("message", Text),
)
