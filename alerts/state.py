"""Alerts: the durable state of the group stage (groups and alerts), kept in the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from alerts.model import Alert
from radar.store import Store, upsert
from radar.store.alerting import alert_groups, alerts


@dataclass
class Group:
    """An aggregation group: alerts of one rule sharing the grouping labels."""

    group_key: str
    rule: str
    labels: dict[str, str]
    created_at: datetime
    next_flush_at: datetime
    last_flush_at: datetime | None = None
    incident_id: str | None = None
    held_until: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Group:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})

    def to_row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class AlertState:
    """Reads and writes groups and alerts; every call is its own short transaction."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def group(self, key: str) -> Group | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_groups).where(alert_groups.c.group_key == key)).first()
        return None if row is None else Group.from_row(row._mapping)

    def groups(self) -> list[Group]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(alert_groups).order_by(alert_groups.c.created_at)).all()
        return [Group.from_row(r._mapping) for r in rows]

    def save_group(self, group: Group) -> None:
        row = group.to_row()
        stmt = upsert(self.engine, alert_groups, [k for k in row if k != "group_key"])
        with self.engine.begin() as conn:
            conn.execute(stmt, [row])

    def alert(self, fingerprint: str) -> Alert | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.fingerprint == fingerprint)).first()
        return None if row is None else Alert.from_row(row._mapping)

    def save_alert(self, alert: Alert) -> None:
        row = alert.to_row()
        stmt = upsert(self.engine, alerts, [k for k in row if k != "fingerprint"])
        with self.engine.begin() as conn:
            conn.execute(stmt, [row])

    def alerts_in(self, group_key: str) -> list[Alert]:
        """The open (not closed) alerts of a group, oldest first."""
        query = (
            select(alerts)
            .where(alerts.c.group_key == group_key, alerts.c.closed.is_(False))
            .order_by(alerts.c.starts_at, alerts.c.fingerprint)
        )
        with self.engine.connect() as conn:
            return [Alert.from_row(r._mapping) for r in conn.execute(query)]

    def alerts_for_signal(self, signal_id: str) -> list[Alert]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(alerts).where(alerts.c.signal_id == signal_id)).all()
        return [Alert.from_row(r._mapping) for r in rows]

    def firing(self) -> list[Alert]:
        """Every open firing alert, whatever its group (the sources of inhibition)."""
        query = select(alerts).where(alerts.c.closed.is_(False), alerts.c.status == "firing")
        with self.engine.connect() as conn:
            return [Alert.from_row(r._mapping) for r in conn.execute(query)]

    def ended_since(self, since: datetime) -> list[Alert]:
        """Alerts that ended (resolved) at or after ``since``, closed or not."""
        query = select(alerts).where(alerts.c.status == "resolved", alerts.c.ends_at >= since)
        with self.engine.connect() as conn:
            return [Alert.from_row(r._mapping) for r in conn.execute(query)]

    def close_group(self, group_key: str) -> None:
        """Close the group's alerts and forget the group (its incident is over)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(alerts)
                .where(alerts.c.group_key == group_key, alerts.c.closed.is_(False))
                .values(closed=True)
            )
            conn.execute(delete(alert_groups).where(alert_groups.c.group_key == group_key))
