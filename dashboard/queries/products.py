"""Dashboard queries for 产品洞察 Product trends: topic mix, message texts for terms and FAQs."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from dashboard.queries.counts import topic_counts
from dashboard.queries.filters import Filters
from radar.localtime import DEFAULT_ZONE
from radar.store import Store
from radar.store.duplicates import first_copy
from radar.store.samples import SAMPLE_RATE, sample_texts
from radar.store.tables import events

#: Sampled texts that make a term analysis worth reading (fewer: read every text).
ENOUGH = 500


def topic_mix(
    store: Store,
    product: str | None,
    since: datetime,
    until: datetime,
    bucket_ms: int,
    timezone: str = DEFAULT_ZONE,
    shops: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Messages per topic and local bucket for a product (all products when None), within
    ``shops`` (None: every shop)."""
    scope = Filters(
        since, until, product=(product,) if product else (), timezone=timezone, shops=shops
    )
    counts = topic_counts(store, scope, bucket_ms)
    frame = counts.groupby(["topic", "bucket_ms"], as_index=False)["messages"].sum()
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True).dt.tz_convert(timezone)
    return frame


def texts(
    store: Store,
    product: str | None,
    since: datetime,
    until: datetime,
    *,
    limit: int = 2000,
    questions: bool = False,
    shops: tuple[str, ...] | None = None,
) -> list[str]:
    """Customer texts of the period, a uniform sample of at most ``limit`` (ids are hashes).

    Read from the standing 1-in-16 text sample when it holds ``ENOUGH`` texts of
    the period; otherwise the period has fewer than 16 x ``ENOUGH`` messages, and
    they are read from the events. Likely duplicates are left out (one voice, one text).
    Within ``shops`` (None: every shop) both read the messages of those shops only.
    """
    found = sample_texts(
        store, since, until, product, questions=questions, limit=limit, shops=shops
    )
    if questions or len(found) >= min(limit, ENOUGH):
        return found
    query = select(events.c.id, events.c.text).where(
        events.c.is_staff_reply.is_(False),
        first_copy(),
        events.c.created_at >= since,
        events.c.created_at < until,
    )
    if product:
        query = query.where(events.c.product == product)
    if shops is not None:
        query = query.where(events.c.shop.in_(list(shops)))
    # no ORDER BY id: it tempts the planner into walking every id; the period is small
    with store.engine.connect() as conn:
        rows = conn.execute(query.limit(ENOUGH * SAMPLE_RATE * 2)).all()
    return [str(text) for _id, text in sorted(rows)[:limit]]
