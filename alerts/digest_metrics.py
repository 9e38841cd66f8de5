"""Alerts: Prometheus metrics of the digest scheduler (served on /metrics when a port is set)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SENDS = Counter(
    "radar_digest_sends_total",
    "Digests handed to a receiver, by kind (daily, weekly) and outcome (sent, failed)",
    ["kind", "outcome"],
)
LAST_TICK = Gauge(
    "radar_digest_last_tick_timestamp_seconds", "When the scheduler last checked what is due"
)
LAST_PRUNE = Gauge(
    "radar_retention_last_prune_timestamp_seconds",
    "When the scheduler last applied RADAR_RETENTION_DAYS (0: not yet)",
)
REDACTED = Counter(
    "radar_retention_events_redacted_total", "Messages whose text the retention erased"
)
