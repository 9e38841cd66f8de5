"""Store: silences (matchers that mute alerts for a while, with who and why)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table, Text

from radar.store.db import EpochMillis, metadata

silences = Table(
    "silences",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("matchers", JSON, nullable=False),
    Column("starts_at", EpochMillis, nullable=False),
    Column("ends_at", EpochMillis, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("comment", Text, nullable=False),
    Column("created_at", EpochMillis, nullable=False),
    Column("updated_at", EpochMillis, nullable=False),
    Column("expired_by", String(200)),
    Column("notice_sent_at", EpochMillis),
    Index("ix_silences_ends", "ends_at"),
)
