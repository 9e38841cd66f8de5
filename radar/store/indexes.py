"""Store: indexes the dashboard's queries need, and the planner statistics SQLite lacks."""

from __future__ import annotations

from sqlalchemy import Engine, Index

from radar.store.tables import deadletters, event_topics, events

#: Declared on the tables; the baseline migration creates them on a store that lacks them.
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
