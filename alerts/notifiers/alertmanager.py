"""Notifiers: Prometheus Alertmanager, by posting alerts to its v2 API (``/api/v2/alerts``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import ClassVar

from pydantic import Field, HttpUrl

from alerts.message import AlertView, Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier
from alerts.notifiers.http import post_json, safe_url
from alerts.render import evidence_lines
from alerts.values import Duration, severity_name


class AlertmanagerConfig(ChannelConfig):
    """``alertmanager: {url, ttl, labels}``: Alertmanager's base URL, e.g. http://127.0.0.1:9093."""

    channel: ClassVar[str] = "alertmanager"
    url: HttpUrl
    ttl: Duration = Field(
        timedelta(hours=24),
        description="How long a firing alert stays active there unless Radar re-posts it",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on every alert")

    def target(self) -> str:
        return f"alertmanager {safe_url(str(self.url))}"


def label_name(name: str) -> str:
    """A valid Alertmanager label name (letters, digits, underscore; not starting with a digit)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def to_alerts(
    message: Message, config: AlertmanagerConfig, now_iso: str, ends_iso: str
) -> list[dict[str, object]]:
    """Alertmanager's alert objects for every alert in ``message``."""
    posted: list[dict[str, object]] = []
    for alert in message.alerts:
        labels = {
            **{label_name(k): v for k, v in config.labels.items()},
            **{label_name(k): v for k, v in alert.labels.items() if v},
            "alertname": label_name(message.rule),
            "severity": severity_name(max(message.severity, alert.severity)),
        }
        if message.incident is not None:
            labels["incident"] = message.incident.id
        posted.append(
            {
                "labels": labels,
                "annotations": _annotations(message, alert),
                "startsAt": alert.starts_at.isoformat(),
                "endsAt": now_iso if _resolved(message, alert) else ends_iso,
                "generatorURL": message.incident.url if message.incident else "",
            }
        )
    return posted


def _resolved(message: Message, alert: AlertView) -> bool:
    return message.status == "resolved" or alert.status == "resolved"


def _annotations(message: Message, alert: AlertView) -> dict[str, str]:
    notes = {
        "summary": message.title,
        "description": "; ".join(evidence_lines(alert, message.locale)),
        "samples": "\n".join(s.text for s in alert.samples),
    }
    if message.incident is not None:
        notes["dashboard"] = message.incident.url
    return {k: v for k, v in notes.items() if v}


class AlertmanagerNotifier(ChannelNotifier[AlertmanagerConfig]):
    """Posts the message's alerts; firing ones end after ``ttl``, resolved ones end now."""

    def send(self, message: Message) -> str:
        if not message.alerts:
            return "nothing to post (no alerts in this message)"
        now = self.clock.now()
        alerts = to_alerts(
            message, self.config, now.isoformat(), (now + self.config.ttl).isoformat()
        )
        url = str(self.config.url).rstrip("/") + "/api/v2/alerts"
        response = post_json(url, alerts, timeout=self.timeout)
        return f"HTTP {response.status_code}, {len(alerts)} alerts"
