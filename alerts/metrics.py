"""Alerts: Prometheus metrics of the alert service (served on /metrics when a port is set)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SIGNALS = Counter("radar_alerts_signals_total", "Signals read from feedback.signals", ["outcome"])
NOTIFICATIONS = Counter(
    "radar_alerts_notifications_total",
    "Delivery attempts by receiver and outcome",
    ["receiver", "outcome"],
)
OPEN_INCIDENTS = Gauge("radar_alerts_open_incidents", "Incidents open or acknowledged")
