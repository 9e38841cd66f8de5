"""Alerts: Prometheus metrics of the alert service (served on /metrics when a port is set)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge

from alerts.model import Alert
from radar.events import Signal

SIGNALS = Counter(
    "radar_alerts_signals_total",
    "Signals read from feedback.signals, by type (unknown when unreadable) and outcome",
    ["type", "outcome"],
)
ALERTS = Counter(
    "radar_alerts_alerts_total",
    "Alert updates the rules made of signals, by signal type, rule and status",
    ["type", "rule", "status"],
)
NOTIFICATIONS = Counter(
    "radar_alerts_notifications_total",
    "Delivery attempts by receiver and outcome",
    ["receiver", "outcome"],
)
OPEN_INCIDENTS = Gauge("radar_alerts_open_incidents", "Incidents open or acknowledged")


def signal_applied(signal: Signal, alerts: Iterable[Alert]) -> None:
    SIGNALS.labels(signal.type, "applied").inc()
    for alert in alerts:
        ALERTS.labels(alert.signal.type, alert.rule, alert.status).inc()


def signal_rejected() -> None:
    SIGNALS.labels("unknown", "rejected").inc()
