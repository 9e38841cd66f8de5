"""Store: incident tables (state of crises worked by on-call staff)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from radar.store.db import EpochMillis, metadata

OPEN_STATUSES = ("open", "acknowledged")

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("severity", Integer, nullable=False, default=0),
    Column("owner", String(200)),
    Column("key", JSON),
    Column("opened_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("resolved_at", EpochMillis),
    Column("data", JSON),
    Index("ix_incidents_status", "status"),
)
