"""Alerts: the notification log, the outbox of deliveries and the record of what was sent.

Every notification is written here before it is sent, under an id derived from
what it is about, and marked sent once the receiver took it. A restart reads
the log, so nothing sent is sent again; a crash between sending and marking
can repeat one delivery, which carries the same id for the receiver to drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from alerts.message import Message
from radar.store import Store, insert_ignoring_duplicates
from radar.store.alerting import notifications

FIRING_KINDS = ("firing", "repeat")


@dataclass(frozen=True)
class Entry:
    """One notification in the log."""

    id: str
    group_key: str
    incident_id: str | None
    receiver: str
    kind: str
    firing: list[list[Any]]
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    answer: str | None
    last_error: str | None
    payload: dict[str, Any]

    @property
    def message(self) -> Message:
        return Message.model_validate(self.payload)


def _entry(row: Any) -> Entry:
    return Entry(**{k: row._mapping[k] for k in Entry.__dataclass_fields__})


class NotificationLog:
    """Reads and writes the ``notifications`` table."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def enqueue(
        self, message: Message, firing: Sequence[Sequence[Any]], *, due_at: datetime | None = None
    ) -> bool:
        """Queue ``message`` for delivery; False when a notification with its id exists."""
        row = {
            "id": message.id,
            "group_key": message.group_key,
            "incident_id": message.incident.id if message.incident else None,
            "receiver": message.receiver,
            "kind": message.kind,
            "firing": [list(item) for item in firing],
            "status": "pending",
            "attempts": 0,
            "created_at": message.created_at,
            "next_attempt_at": due_at or message.created_at,
            "sent_at": None,
            "answer": None,
            "last_error": None,
            "payload": message.model_dump(mode="json"),
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert_ignoring_duplicates(self.engine, notifications), [row])
        return bool(result.rowcount)

    def last(
        self, incident_id: str, receiver: str, kinds: Sequence[str] = FIRING_KINDS
    ) -> Entry | None:
        """The latest notification of ``kinds`` to ``receiver`` about the incident (not failed)."""
        query = (
            select(notifications)
            .where(
                notifications.c.incident_id == incident_id,
                notifications.c.receiver == receiver,
                notifications.c.kind.in_(kinds),
                notifications.c.status != "failed",
            )
            .order_by(notifications.c.created_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _entry(row)

    def due(self, now: datetime, limit: int = 50) -> list[Entry]:
        query = (
            select(notifications)
            .where(notifications.c.status == "pending", notifications.c.next_attempt_at <= now)
            .order_by(notifications.c.next_attempt_at, notifications.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def get(self, notification_id: str) -> Entry | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(notifications).where(notifications.c.id == notification_id)
            ).first()
        return None if row is None else _entry(row)

    def for_incident(self, incident_id: str) -> list[Entry]:
        query = (
            select(notifications)
            .where(notifications.c.incident_id == incident_id)
            .order_by(notifications.c.created_at, notifications.c.receiver)
        )
        with self.engine.connect() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def all(self) -> list[Entry]:
        query = select(notifications).order_by(notifications.c.created_at, notifications.c.id)
        with self.engine.connect() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def receivers_told(self, incident_id: str) -> list[str]:
        """Receivers that were sent (or are about to be sent) firing news of the incident."""
        query = (
            select(notifications.c.receiver)
            .where(
                notifications.c.incident_id == incident_id,
                notifications.c.kind.in_(("firing", "repeat", "escalation")),
                notifications.c.status != "failed",
            )
            .group_by(notifications.c.receiver)
            .order_by(func.min(notifications.c.created_at))
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def _set(self, notification_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(notifications)
                .where(
                    and_(notifications.c.id == notification_id, notifications.c.status == "pending")
                )
                .values(**values)
            )

    def mark_sent(self, notification_id: str, now: datetime, attempts: int, answer: str) -> None:
        self._set(
            notification_id, status="sent", sent_at=now, attempts=attempts, answer=answer[:500]
        )

    def mark_retry(
        self, notification_id: str, attempts: int, next_at: datetime, error: str
    ) -> None:
        self._set(
            notification_id, attempts=attempts, next_attempt_at=next_at, last_error=error[:2000]
        )

    def mark_failed(self, notification_id: str, attempts: int, error: str) -> None:
        self._set(notification_id, status="failed", attempts=attempts, last_error=error[:2000])
