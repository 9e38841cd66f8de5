"""Store: SQLAlchemy Core tables and the :class:`Store` that reads and writes them."""

from radar.store import (
    alerting,
    audit,
    claims,
    daily,
    health,
    improvements,
    incidents,
    indexes,
    rollups,
    samples,
    signals,
    silences,
)
from radar.store.db import EpochMillis, make_engine, metadata
from radar.store.feedback import Store, insert_ignoring_duplicates, insert_new, upsert

__all__ = [
    "EpochMillis",
    "Store",
    "alerting",
    "audit",
    "claims",
    "daily",
    "health",
    "improvements",
    "incidents",
    "indexes",
    "insert_ignoring_duplicates",
    "insert_new",
    "make_engine",
    "metadata",
    "rollups",
    "samples",
    "signals",
    "silences",
    "upsert",
]
