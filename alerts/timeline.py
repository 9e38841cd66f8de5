"""Alerts: incident timelines, every state change, notification and note, in order.

What the system writes is kept as a message key with parameters (``data["text"]``)
and shown in each reader's language and time zone; the ``message`` column holds
it rendered in Chinese for anything reading the table directly. Notes people
write, and entries stored before, are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from radar.i18n import DEFAULT_LANG, Locale, Text, stored_text
from radar.store import Store
from radar.store.incidents import incident_events

#: The actor of everything the alert service does by itself.
SYSTEM_ACTOR = "radar"
#: Where an entry keeps its message key and parameters.
TEXT_FIELD = "text"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an incident's timeline."""

    id: int
    incident_id: str
    at: datetime
    kind: str
    actor: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: Locale) -> str:
        """The entry in ``locale`` (as stored when it was written as plain text)."""
        return locale.render(stored_text(self.data.get(TEXT_FIELD), self.message))


def append_event(
    conn: Any,
    incident_id: str,
    at: datetime,
    kind: str,
    actor: str,
    message: Text | str,
    data: Mapping[str, Any] | None = None,
) -> None:
    values = dict(data or {})
    if isinstance(message, Text):
        values[TEXT_FIELD] = message.to_json()
        message = message.render(DEFAULT_LANG)
    conn.execute(
        insert(incident_events),
        [
            {
                "incident_id": incident_id,
                "at": at,
                "kind": kind,
                "actor": actor,
                "message": message,
                "data": values,
            }
        ],
    )


def timeline(store: Store, incident_id: str) -> list[TimelineEntry]:
    """Every state change, notification and note of the incident, oldest first."""
    query = (
        select(incident_events)
        .where(incident_events.c.incident_id == incident_id)
        .order_by(incident_events.c.id)
    )
    with store.engine.connect() as conn:
        return [
            TimelineEntry(
                id=r.id,
                incident_id=r.incident_id,
                at=r.at,
                kind=r.kind,
                actor=r.actor,
                message=r.message,
                data=dict(r.data or {}),
            )
            for r in conn.execute(query)
        ]


def record(
    store: Store,
    incident_id: str,
    kind: str,
    message: Text | str,
    *,
    actor: str = SYSTEM_ACTOR,
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Add a timeline entry without changing the incident (notifications, held messages)."""
    with store.engine.begin() as conn:
        append_event(conn, incident_id, now or store.clock.now(), kind, actor, message, data)
