"""Baseline: the schema of the last release without migrations (Radar's 24 tables).

A store made by that release has these tables already (perhaps without an index declared
late in it): each table and each index is created only when missing, so such a store is
adopted as it is, its rows untouched, and an empty store gets everything.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("next_flush_at", sa.BigInteger(), nullable=False),
        sa.Column("last_flush_at", sa.BigInteger(), nullable=True),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("held_until", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("group_key"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_alert_groups_next_flush", "alert_groups", ["next_flush_at"], if_not_exists=True
    )

    op.create_table(
        "alerts",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("signal_id", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("ends_at", sa.BigInteger(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("signal", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
        if_not_exists=True,
    )
    op.create_index("ix_alerts_group", "alerts", ["group_key", "closed"], if_not_exists=True)

    op.create_table(
        "daily_scope",
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "product", "region"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_daily_scope_product_day", "daily_scope", ["product", "day"], if_not_exists=True
    )

    op.create_table(
        "daily_topics",
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "topic", "product", "region"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_daily_topics_topic_day", "daily_topics", ["topic", "day"], if_not_exists=True
    )

    op.create_table(
        "daily_values",
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "dimension", "value"),
        if_not_exists=True,
    )
    op.create_table(
        "deadletters",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("locator", sa.Text(), nullable=True),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("original_encoding", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_deadletters_created", "deadletters", ["created_at"], if_not_exists=True)
    op.create_index("ix_deadletters_reason", "deadletters", ["reason"], if_not_exists=True)

    op.create_table(
        "digest_log",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "event_claims",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("record_offset", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_event_claims_partition_created",
        "event_claims",
        ["part", "created_at"],
        if_not_exists=True,
    )

    op.create_table(
        "event_topics",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("is_complaint", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "topic"),
        if_not_exists=True,
    )
    op.create_index("ix_event_topics_created", "event_topics", ["created_at"], if_not_exists=True)
    op.create_index(
        "ix_event_topics_topic_created", "event_topics", ["topic", "created_at"], if_not_exists=True
    )

    op.create_table(
        "events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("ingested_at", sa.BigInteger(), nullable=False),
        sa.Column("scored_at", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("shop", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("segment", sa.String(length=100), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("thread_id", sa.String(length=500), nullable=True),
        sa.Column("reply_to", sa.String(length=500), nullable=True),
        sa.Column("is_staff_reply", sa.Boolean(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("duplicate_of", sa.String(length=64), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.Column("sentiment", sa.Float(), nullable=False),
        sa.Column("sentiment_label", sa.String(length=3), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("is_complaint", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("crisis_terms", sa.JSON(), nullable=True),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_events_channel_created", "events", ["channel", "created_at"], if_not_exists=True
    )
    op.create_index("ix_events_created", "events", ["created_at"], if_not_exists=True)
    op.create_index(
        "ix_events_duplicate_of",
        "events",
        ["duplicate_of"],
        sqlite_where=sa.text("duplicate_of IS NOT NULL"),
        postgresql_where=sa.text("duplicate_of IS NOT NULL"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_events_product_created", "events", ["product", "created_at"], if_not_exists=True
    )
    op.create_index(
        "ix_events_region_created", "events", ["region", "created_at"], if_not_exists=True
    )
    op.create_index("ix_events_reply_to", "events", ["reply_to"], if_not_exists=True)
    op.create_index("ix_events_shop_created", "events", ["shop", "created_at"], if_not_exists=True)
    op.create_index("ix_events_stored", "events", ["stored_at"], if_not_exists=True)
    op.create_index("ix_events_thread", "events", ["thread_id"], if_not_exists=True)

    op.create_table(
        "heartbeats",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_success_at", sa.BigInteger(), nullable=True),
        sa.Column("records_total", sa.Integer(), nullable=False),
        sa.Column("lag_seconds", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source"),
        if_not_exists=True,
    )
    op.create_table(
        "hourly_stats",
        sa.Column("hour", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("sentiment_sum", sa.Float(), nullable=False),
        sa.Column("csat_n", sa.Integer(), nullable=False),
        sa.Column("csat_satisfied", sa.Integer(), nullable=False),
        sa.Column("nps_n", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("staff_replies", sa.Integer(), nullable=False),
        sa.Column("sla_complaints", sa.Integer(), nullable=False),
        sa.Column("sla_answered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "channel"),
        if_not_exists=True,
    )
    op.create_table(
        "improvement_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("shipped_at", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_improvement_actions_shipped", "improvement_actions", ["shipped_at"], if_not_exists=True
    )

    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_incident_events_incident", "incident_events", ["incident_id", "id"], if_not_exists=True
    )

    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("key", sa.JSON(), nullable=True),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("group_key", sa.String(length=64), nullable=True),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_incidents_group", "incidents", ["group_key"], if_not_exists=True)
    op.create_index("ix_incidents_status", "incidents", ["status"], if_not_exists=True)

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=True),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("firing", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_notifications_due", "notifications", ["status", "next_attempt_at"], if_not_exists=True
    )
    op.create_index(
        "ix_notifications_incident_receiver",
        "notifications",
        ["incident_id", "receiver", "created_at"],
        if_not_exists=True,
    )

    op.create_table(
        "pipeline_stats",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.Column("consumer_group", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("lag", sa.Integer(), nullable=False),
        sa.Column("records_per_s", sa.Float(), nullable=False),
        sa.Column("records_total", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_pipeline_stats_at", "pipeline_stats", ["at"], if_not_exists=True)
    op.create_index(
        "ix_pipeline_stats_group_at",
        "pipeline_stats",
        ["service", "consumer_group", "topic", "at"],
        if_not_exists=True,
    )

    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=True),
        sa.Column("params", sa.String(length=500), nullable=False),
        sa.Column("refreshed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "signal_points",
        sa.Column("signal_id", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("window_end", sa.BigInteger(), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("signal_id", "window_start"),
        if_not_exists=True,
    )
    op.create_table(
        "signals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("key", sa.JSON(), nullable=False),
        sa.Column("key_text", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("window_end", sa.BigInteger(), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("statistic", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("top_topics", sa.JSON(), nullable=True),
        sa.Column("crisis_terms", sa.JSON(), nullable=True),
        sa.Column("samples", sa.JSON(), nullable=True),
        sa.Column("detected_at", sa.BigInteger(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_signals_detected", "signals", ["detected_at"], if_not_exists=True)
    op.create_index("ix_signals_type_status", "signals", ["type", "status"], if_not_exists=True)

    op.create_table(
        "silences",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.BigInteger(), nullable=False),
        sa.Column("ends_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("expired_by", sa.String(length=200), nullable=True),
        sa.Column("notice_sent_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_silences_ends", "silences", ["ends_at"], if_not_exists=True)

    op.create_table(
        "text_samples",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("sampled", sa.Boolean(), nullable=False),
        sa.Column("question", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        if_not_exists=True,
    )
    op.create_index("ix_text_samples_created", "text_samples", ["created_at"], if_not_exists=True)
    op.create_index(
        "ix_text_samples_product_created",
        "text_samples",
        ["product", "created_at"],
        if_not_exists=True,
    )

    op.create_table(
        "user_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_user_actions_at", "user_actions", ["at"], if_not_exists=True)
    op.create_index("ix_user_actions_user", "user_actions", ["user", "at"], if_not_exists=True)

    op.create_table(
        "window_counts",
        sa.Column("dim", sa.String(length=300), nullable=False),
        sa.Column("size", sa.String(length=8), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("negatives", sa.Integer(), nullable=False),
        sa.Column("reach_complaints", sa.Float(), nullable=False),
        sa.Column("sentiment_sum", sa.Float(), nullable=False),
        sa.Column("csat_sum", sa.Integer(), nullable=False),
        sa.Column("csat_n", sa.Integer(), nullable=False),
        sa.Column("nps_n", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("dim", "size", "window_start"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_window_counts_size_start", "window_counts", ["size", "window_start"], if_not_exists=True
    )


def downgrade() -> None:
    # every table of the store; their indexes go with them
    op.drop_table("window_counts")
    op.drop_table("user_actions")
    op.drop_table("text_samples")
    op.drop_table("silences")
    op.drop_table("signals")
    op.drop_table("signal_points")
    op.drop_table("rollup_state")
    op.drop_table("pipeline_stats")
    op.drop_table("notifications")
    op.drop_table("incidents")
    op.drop_table("incident_events")
    op.drop_table("improvement_actions")
    op.drop_table("hourly_stats")
    op.drop_table("heartbeats")
    op.drop_table("events")
    op.drop_table("event_topics")
    op.drop_table("event_claims")
    op.drop_table("digest_log")
    op.drop_table("deadletters")
    op.drop_table("daily_values")
    op.drop_table("daily_topics")
    op.drop_table("daily_scope")
    op.drop_table("alerts")
    op.drop_table("alert_groups")
