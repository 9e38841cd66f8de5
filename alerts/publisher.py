"""Alerts: publish every changed incident to ``feedback.incidents`` (latest state, keyed by id)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update

from alerts import incidents
from alerts.links import LinkSigner
from alerts.metrics import OPEN_INCIDENTS
from radar.events import IncidentRecord
from radar.store import Store
from radar.store.incidents import incidents as incidents_table

log = logging.getLogger(__name__)


def unpublished(store: Store, limit: int = 100) -> list[incidents.Incident]:
    """Incidents changed since they were last published."""
    query = (
        select(incidents_table)
        .where(incidents_table.c.version > incidents_table.c.published_version)
        .order_by(incidents_table.c.updated_at)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [incidents.incident_from_row(r._mapping) for r in conn.execute(query)]


def mark_published(store: Store, incident_id: str, version: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            update(incidents_table)
            .where(
                incidents_table.c.id == incident_id, incidents_table.c.published_version < version
            )
            .values(published_version=version)
        )


class IncidentPublisher:
    """Sends incidents whose ``version`` is ahead of what was published, then records it.

    Changes made without Kafka (CLI, dashboard) are picked up the same way, so
    every state change reaches the topic. Delivery is at least once: readers
    keep the record with the highest ``version`` per key.
    """

    def __init__(self, store: Store, producer: Any, topic: str, links: LinkSigner) -> None:
        self.store = store
        self.producer = producer
        self.topic = topic
        self.links = links

    def publish_pending(self, timeout_s: float = 30.0) -> int:
        pending = unpublished(self.store)
        futures = []
        for incident in pending:
            record = incident.to_record(url=self.links.incident_url(incident.id))
            value = IncidentRecord.model_validate(record).to_json()
            futures.append(
                (incident, self.producer.send(self.topic, key=incident.id.encode(), value=value))
            )
        if futures:
            self.producer.flush(timeout=timeout_s)
        published = 0
        for incident, future in futures:
            try:
                future.get(timeout=0)
            except Exception as exc:  # retried on the next round; never lost
                log.warning("incident %s not published yet: %s", incident.id, exc)
                continue
            mark_published(self.store, incident.id, incident.version)
            published += 1
        OPEN_INCIDENTS.set(len(incidents.list_incidents(self.store, status="open", limit=10_000)))
        return published
