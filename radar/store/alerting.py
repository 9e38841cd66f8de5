"""Store: alert state (groups and their alerts) and the notification log of the alert service."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from radar.store.db import EpochMillis, metadata

#: One aggregation group per (rule, grouping labels) while it has unresolved work.
alert_groups = Table(
    "alert_groups",
    metadata,
    Column("group_key", String(64), primary_key=True),
    Column("rule", String(200), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("next_flush_at", EpochMillis, nullable=False),
    Column("last_flush_at", EpochMillis),
    Column("incident_id", String(64)),
    Column("held_until", EpochMillis),
    Index("ix_alert_groups_next_flush", "next_flush_at"),
)

#: One row per alert (rule x signal); ``closed`` once its incident is over.
alerts = Table(
    "alerts",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("group_key", String(64), nullable=False),
    Column("rule", String(200), nullable=False),
    Column("signal_id", String(64), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("severity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("starts_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("ends_at", EpochMillis),
    Column("closed", Boolean, nullable=False, default=False),
    Column("signal", JSON, nullable=False),
    Index("ix_alerts_group", "group_key", "closed"),
)

#: What was (or is to be) sent to whom: the outbox and the record that prevents re-sending.
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("group_key", String(64), nullable=False),
    Column("incident_id", String(64)),
    Column("receiver", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("firing", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", EpochMillis, nullable=False),
    Column("next_attempt_at", EpochMillis, nullable=False),
    Column("sent_at", EpochMillis),
    Column("answer", Text),
    Column("last_error", Text),
    Column("payload", JSON, nullable=False),
    Index("ix_notifications_incident_receiver", "incident_id", "receiver", "created_at"),
    Index("ix_notifications_due", "status", "next_attempt_at"),
)
