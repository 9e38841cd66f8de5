"""Alerts: an alert is one rule's view of one signal, with labels for matching and grouping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alerts.config import ALL_LABELS, Rule
from alerts.values import severity_name
from radar.events import Signal, stable_id

RESERVED_LABELS = ("alertname", "type", "severity")


def signal_labels(signal: Signal, rule: str, severity: int) -> dict[str, str]:
    """The labels of an alert: the signal's key dimensions plus alertname, type and severity."""
    labels = {str(k): str(v) for k, v in signal.key.items() if k not in RESERVED_LABELS}
    labels.update(alertname=rule, type=signal.type, severity=severity_name(severity))
    return labels


def fingerprint(rule: str, signal_id: str) -> str:
    return stable_id("alert", rule, signal_id)


def group_labels(rule: Rule, labels: Mapping[str, str]) -> dict[str, str]:
    """The labels that decide an alert's group (``...``: all but severity, which may change)."""
    if ALL_LABELS in rule.group_by:
        return {k: v for k, v in sorted(labels.items()) if k != "severity"}
    return {name: labels.get(name, "") for name in sorted(rule.group_by)}


def group_key(rule: str, grouping: Mapping[str, str]) -> str:
    parts = [f"{k}={v}" for k, v in sorted(grouping.items())]
    return stable_id("group", rule, *parts)


@dataclass
class Alert:
    """The state of one alert: what the latest signal update said, and whether it is over."""

    fingerprint: str
    group_key: str
    rule: str
    labels: dict[str, str]
    severity: int
    status: str
    starts_at: datetime
    updated_at: datetime
    signal: Signal
    ends_at: datetime | None = None
    closed: bool = False
    muted_by: list[str] = field(default_factory=list)

    @property
    def firing(self) -> bool:
        return self.status == "firing"

    @classmethod
    def from_row(cls, row: Any) -> Alert:
        return cls(
            fingerprint=row["fingerprint"],
            group_key=row["group_key"],
            rule=row["rule"],
            labels=dict(row["labels"]),
            severity=row["severity"],
            status=row["status"],
            starts_at=row["starts_at"],
            updated_at=row["updated_at"],
            signal=Signal.model_validate(row["signal"]),
            ends_at=row["ends_at"],
            closed=row["closed"],
        )

    def to_row(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "group_key": self.group_key,
            "rule": self.rule,
            "signal_id": self.signal.id,
            "labels": self.labels,
            "severity": self.severity,
            "status": self.status,
            "starts_at": self.starts_at,
            "updated_at": self.updated_at,
            "ends_at": self.ends_at,
            "closed": self.closed,
            "signal": self.signal.model_dump(mode="json"),
        }


def firing_state(alerts: Iterable[Alert]) -> list[list[Any]]:
    """[fingerprint, severity] of each alert, sorted: what a notification told people about."""
    return sorted([a.fingerprint, a.severity] for a in alerts)
