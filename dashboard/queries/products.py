"""Dashboard queries for 产品洞察 Product trends: topic mix, message texts for terms and FAQs."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import func, or_, select

from dashboard.queries.filters import bucket
from radar.store import Store
from radar.store.tables import event_topics, events

#: Cheap pre-filter for question-like messages; ``analysis.faq.is_question`` decides.
QUESTION_HINTS = (
    "?",
    "？",
    "吗",
    "怎么",
    "如何",
    "为什么",
    "什么时候",
    "多久",
    "能不能",
    "可以",
    "有没有",
)


def topic_mix(
    store: Store, product: str | None, since: datetime, until: datetime, bucket_ms: int
) -> pd.DataFrame:
    """Messages per topic and bucket for a product (all products when None)."""
    start = bucket(events.c.created_at, bucket_ms)
    query = (
        select(event_topics.c.topic, start.label("bucket_ms"), func.count().label("messages"))
        .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
        .where(
            events.c.is_staff_reply.is_(False),
            events.c.created_at >= since,
            events.c.created_at < until,
        )
        .group_by(event_topics.c.topic, start)
    )
    if product:
        query = query.where(events.c.product == product)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["topic", "bucket_ms", "messages"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True)
    return frame


def texts(
    store: Store,
    product: str | None,
    since: datetime,
    until: datetime,
    *,
    limit: int = 2000,
    questions: bool = False,
) -> list[str]:
    """Customer texts of the period, a uniform sample of at most ``limit`` (ids are hashes)."""
    query = select(events.c.text).where(
        events.c.is_staff_reply.is_(False),
        events.c.created_at >= since,
        events.c.created_at < until,
    )
    if product:
        query = query.where(events.c.product == product)
    if questions:
        query = query.where(
            or_(*(events.c.text.contains(h, autoescape=True) for h in QUESTION_HINTS))
        )
    query = query.order_by(events.c.id).limit(limit)
    with store.engine.connect() as conn:
        found: list[object] = list(conn.execute(query).scalars().all())
    return [str(t) for t in found]
