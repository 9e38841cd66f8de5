"""Alerts: evidence, turning alerts and incidents into messages that explain themselves.

Each message carries the rule, observed vs expected, the window, top topics,
masked example messages and the incident's dashboard and action links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from alerts.config import Rule
from alerts.incidents import Incident
from alerts.links import LinkSigner
from alerts.message import AlertView, IncidentView, Message, NotificationKind, SampleView
from alerts.model import Alert, firing_state
from alerts.titles import rule_description, stored_title, title_for
from radar.clock import to_millis
from radar.events import stable_id
from radar.i18n import Locale
from radar.masking import mask_text

MAX_SAMPLES = 5


def alert_view(alert: Alert) -> AlertView:
    """What one alert shows; sample texts are masked again (masking is idempotent)."""
    signal = alert.signal
    return AlertView(
        fingerprint=alert.fingerprint,
        rule=alert.rule,
        type=signal.type,
        status="firing" if alert.firing else "resolved",
        severity=alert.severity,
        labels=alert.labels,
        key=dict(signal.key),
        observed=signal.observed,
        expected=signal.expected,
        window_start=signal.window_start,
        window_end=signal.window_end,
        score=signal.score,
        statistic=signal.statistic,
        top_topics=list(signal.top_topics),
        crisis_terms=list(signal.crisis_terms),
        drivers=list(signal.drivers),
        samples=[
            SampleView(text=mask_text(s.text), channel=s.channel, created_at=s.created_at)
            for s in signal.samples[:MAX_SAMPLES]
        ],
        starts_at=alert.starts_at,
        signal_id=signal.id,
    )


def incident_view(incident: Incident, links: LinkSigner, now: datetime) -> IncidentView:
    live = incident.is_open
    return IncidentView(
        id=incident.id,
        title=incident.title,
        status=incident.status,
        type=incident.type,
        owner=incident.owner,
        opened_at=incident.opened_at,
        url=links.incident_url(incident.id),
        ack_url=links.action_url(incident.id, "acknowledge", now)
        if incident.status == "open"
        else None,
        resolve_url=links.action_url(incident.id, "resolve", now) if live else None,
    )


def notification_id(*parts: Any) -> str:
    return stable_id("notification", *(str(p) for p in parts))


def build_message(
    *,
    kind: NotificationKind,
    receiver: str,
    rule: Rule,
    group_key: str,
    group_labels: dict[str, str],
    alerts: Sequence[Alert],
    incident: Incident | None,
    links: LinkSigner,
    now: datetime,
    locale: Locale,
    note: str | None = None,
    identity: Sequence[Any] | None = None,
) -> Message:
    """One notification in ``locale``; its id comes from ``identity`` (default: kind, state
    and time)."""
    state = firing_state(a for a in alerts if a.firing)
    parts = identity if identity is not None else (kind, state, to_millis(now))
    incident_id = incident.id if incident else ""
    status = "resolved" if kind == "resolved" else "firing"
    severity = max((a.severity for a in alerts), default=incident.severity if incident else 0)
    return Message(
        id=notification_id(group_key, receiver, incident_id, *parts),
        kind=kind,
        status=status,
        receiver=receiver,
        group_key=group_key,
        group_labels=group_labels,
        rule=rule.name,
        rule_description=rule_description(rule, locale),
        title=stored_title(incident.title, incident.data, locale)
        if incident and kind == "resolved"
        else title_for(rule, group_labels, alerts, locale)[0],
        severity=severity,
        incident=incident_view(incident, links, now) if incident else None,
        alerts=[alert_view(a) for a in alerts],
        note=note,
        created_at=now,
        lang=locale.lang,
        timezone=locale.timezone,
    )
