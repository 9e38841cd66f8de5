"""Store: indexes added after the first release, and creating any index an older store lacks."""

from __future__ import annotations

from sqlalchemy import Engine, Index, inspect
from sqlalchemy.schema import CreateIndex

from radar.store.db import metadata
from radar.store.tables import deadletters, event_topics, events

#: Declared on the tables, so a new store gets them with the tables.
DASHBOARD_INDEXES = (
    # throughput, incremental roll-ups and "newest event per source" read by arrival time
    Index("ix_events_stored", events.c.stored_at),
    # staff replies found by the message they answer (response-time SLA)
    Index("ix_events_reply_to", events.c.reply_to),
    # filters of the complaints view that have no index of their own yet
    Index("ix_events_region_created", events.c.region, events.c.created_at),
    Index("ix_deadletters_created", deadletters.c.created_at),
    # topic counts of the partial days at the edges of a range, whatever the topic
    Index("ix_event_topics_created", event_topics.c.created_at),
)


def ensure_indexes(engine: Engine) -> list[str]:
    """Create every declared index that an existing table lacks; returns their names.

    ``create_all`` adds indexes only with new tables, so a store made before an
    index was declared gets it here. One catalogue read when nothing is missing.
    """
    inspector = inspect(engine)
    present = {
        (table, index["name"])
        for (_schema, table), found in inspector.get_multi_indexes().items()
        for index in found
    }
    tables = set(inspector.get_table_names())
    missing = [
        index
        for table in metadata.sorted_tables
        if table.name in tables
        for index in table.indexes
        if (table.name, index.name) not in present
    ]
    with engine.begin() as conn:
        for index in missing:  # IF NOT EXISTS: another service may be creating it too
            conn.execute(CreateIndex(index, if_not_exists=True))
    return [str(index.name) for index in missing]


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's planner row statistics (PostgreSQL's autovacuum keeps its own).

    Without them SQLite may pick a wide index over the selective one for the
    reply look-ups of the response-time SLA, which is 10x slower.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
