"""Dashboard queries for 改进追踪 Improvement tracking: complaints and volume in a scope."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, case, func, select

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


def _complaint(action: ImprovementAction) -> ColumnElement[bool]:
    """A complaint in the scope: with the action's topic when it names one."""
    condition: ColumnElement[bool] = events.c.is_complaint.is_(True)
    if action.topic:
        condition = condition & events.c.id.in_(
            select(event_topics.c.event_id).where(event_topics.c.topic == action.topic)
        )
    return condition


def scope_counts(
    store: Store, action: ImprovementAction, since: datetime, until: datetime
) -> tuple[int, int]:
    """(complaints, customer messages) in the action's scope between ``since`` and ``until``."""
    query = select(
        func.coalesce(func.sum(case((_complaint(action), 1), else_=0)), 0), func.count()
    ).where(*_scope(action), events.c.created_at >= since, events.c.created_at < until)
    with store.engine.connect() as conn:
        row = conn.execute(query).one()
    return int(row[0]), int(row[1])


def scope_series(
    store: Store, action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int
) -> pd.DataFrame:
    """Complaints and messages per bucket in the scope (the before/after chart)."""
    start = bucket(events.c.created_at, bucket_ms)
    query = (
        select(
            start.label("bucket_ms"),
            func.coalesce(func.sum(case((_complaint(action), 1), else_=0)), 0).label("complaints"),
            func.count().label("volume"),
        )
        .where(*_scope(action), events.c.created_at >= since, events.c.created_at < until)
        .group_by(start)
        .order_by(start)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["bucket_ms", "complaints", "volume"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True)
    frame["complaint_rate"] = frame["complaints"] / frame["volume"].where(frame["volume"] > 0)
    return frame
