"""Store: incident tables (state of crises worked by on-call staff, and their timelines)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from radar.store.db import EpochMillis, metadata

OPEN_STATUSES = ("open", "acknowledged")
STATUSES = ("open", "acknowledged", "resolved")

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
    # the alert group and rule that opened it
    Column("group_key", String(64)),
    Column("rule", String(200)),
    Column("acknowledged_at", EpochMillis),
    Column("acknowledged_by", String(200)),
    Column("resolved_by", String(200)),
    # every change bumps version; the alert service publishes it to feedback.incidents
    Column("version", Integer, nullable=False, default=1),
    Column("published_version", Integer, nullable=False, default=0),
    Index("ix_incidents_status", "status"),
    Index("ix_incidents_group", "group_key"),
)

#: Every state change, notification and note of an incident, in order.
incident_events = Table(
    "incident_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String(64), nullable=False),
    Column("at", EpochMillis, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", JSON),
    Index("ix_incident_events_incident", "incident_id", "id"),
)
