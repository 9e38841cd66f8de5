"""Dashboard queries for 改进追踪 Improvement tracking: complaints and volume in a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select

from dashboard.queries.filters import bucket
from radar.store import Store
from radar.store.improvements import ImprovementAction
from radar.store.tables import event_topics, events


def _scope(action: ImprovementAction) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = [events.c.is_staff_reply.is_(False)]
    if action.product:
        terms.append(events.c.product == action.product)
    if action.region:
        terms.append(events.c.region == action.region)
    return terms


def _complaints(action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int) -> Any:
    """Complaints in scope per bucket; with a topic, read through the topic index first."""
    if not action.topic:
        start = bucket(events.c.created_at, bucket_ms)
        return (
            select(start.label("b"), func.count().label("n"))
            .where(*_scope(action), events.c.is_complaint.is_(True))
            .where(events.c.created_at >= since, events.c.created_at < until)
            .group_by(start)
        )
    start = bucket(event_topics.c.created_at, bucket_ms)
    query = select(start.label("b"), func.count().label("n")).where(
        event_topics.c.topic == action.topic,
        event_topics.c.is_complaint.is_(True),
        event_topics.c.created_at >= since,
        event_topics.c.created_at < until,
    )
    if action.product or action.region:
        query = query.select_from(
            event_topics.join(events, events.c.id == event_topics.c.event_id)
        ).where(*_scope(action))
    return query.group_by(start)


def _volume(action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int) -> Any:
    start = bucket(events.c.created_at, bucket_ms)
    return (
        select(start.label("b"), func.count().label("n"))
        .where(*_scope(action), events.c.created_at >= since, events.c.created_at < until)
        .group_by(start)
    )


def _per_bucket(
    store: Store, action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int
) -> tuple[dict[int, int], dict[int, int]]:
    with store.engine.connect() as conn:
        complaints = {
            int(r[0]): int(r[1]) for r in conn.execute(_complaints(action, since, until, bucket_ms))
        }
        volume = {
            int(r[0]): int(r[1]) for r in conn.execute(_volume(action, since, until, bucket_ms))
        }
    return complaints, volume


def scope_counts(
    store: Store, action: ImprovementAction, since: datetime, until: datetime
) -> tuple[int, int]:
    """(complaints, customer messages) in the action's scope between ``since`` and ``until``."""
    whole = max(1, int((until - since).total_seconds() * 1000) + 1) * 4  # one bucket
    complaints, volume = _per_bucket(store, action, since, until, whole)
    return sum(complaints.values()), sum(volume.values())


def scope_series(
    store: Store, action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int
) -> pd.DataFrame:
    """Complaints and messages per bucket in the scope (the before/after chart)."""
    complaints, volume = _per_bucket(store, action, since, until, bucket_ms)
    rows = [(b, complaints.get(b, 0), n) for b, n in sorted(volume.items())]
    frame = pd.DataFrame(rows, columns=["bucket_ms", "complaints", "volume"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True)
    frame["complaint_rate"] = frame["complaints"] / frame["volume"].where(frame["volume"] > 0)
    return frame
