"""Alerts: the group stage; signal updates become alerts, gathered into groups with timers.

A new group waits ``group_wait`` before its first flush, so alerts that come
together are told together; after that it is flushed every ``group_interval``
(the dedupe stage decides whether anything needs sending). Updates older than
what an alert already saw are ignored, so replaying the topic changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from alerts.config import RulesConfig
from alerts.model import Alert
from alerts.rules import Routed, route
from alerts.samples import top_up
from alerts.state import AlertState, Group
from radar.events import Signal
from radar.store import Store

log = logging.getLogger(__name__)


class Dispatcher:
    """Applies signal updates to the alert state."""

    def __init__(self, config: RulesConfig, state: AlertState, store: Store) -> None:
        self.config = config
        self.state = state
        self.store = store

    def ingest(self, signal: Signal, now: datetime) -> list[Alert]:
        """Apply one signal update; returns the alerts it changed."""
        if signal.status == "resolved":
            return self._resolve(signal, now)
        changed = []
        routes = route(self.config, signal)
        if routes:
            signal = top_up(self.store, signal)
        for routed in routes:
            alert = self._fire(routed, signal, now)
            if alert is not None:
                changed.append(alert)
        return changed

    def _fire(self, routed: Routed, signal: Signal, now: datetime) -> Alert | None:
        alert = self.state.alert(routed.fingerprint)
        if alert is not None and signal.detected_at < alert.updated_at:
            return None  # an older update, replayed
        if alert is not None and alert.closed:
            if alert.firing:
                # resolved by hand while still firing: keep it closed until the signal recovers
                alert.signal, alert.updated_at = signal, signal.detected_at
                self.state.save_alert(alert)
                return None
            if signal.detected_at == alert.updated_at:
                return None
            alert = None  # the condition came back after its incident closed: a new episode
        if alert is None:
            alert = Alert(
                fingerprint=routed.fingerprint,
                group_key=routed.group_key,
                rule=routed.rule.name,
                labels=routed.labels,
                severity=routed.severity,
                status="firing",
                starts_at=signal.detected_at,
                updated_at=signal.detected_at,
                signal=signal,
            )
        else:
            alert.labels, alert.severity, alert.signal = routed.labels, routed.severity, signal
            alert.status, alert.ends_at, alert.updated_at = "firing", None, signal.detected_at
        self._ensure_group(routed, now)
        self.state.save_alert(alert)
        return alert

    def _ensure_group(self, routed: Routed, now: datetime) -> Group:
        group = self.state.group(routed.group_key)
        if group is None:
            group = Group(
                group_key=routed.group_key,
                rule=routed.rule.name,
                labels=routed.group_labels,
                created_at=now,
                next_flush_at=now + routed.rule.group_wait,
            )
            self.state.save_group(group)
            log.info("new group %s for rule %s %s", group.group_key[:8], group.rule, group.labels)
        return group

    def _resolve(self, signal: Signal, now: datetime) -> list[Alert]:
        changed = []
        for alert in self.state.alerts_for_signal(signal.id):
            if signal.detected_at < alert.updated_at or not alert.firing:
                continue
            alert.status, alert.ends_at = "resolved", now
            alert.signal, alert.updated_at = signal, signal.detected_at
            self.state.save_alert(alert)
            changed.append(alert)
        return changed
