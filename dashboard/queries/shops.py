"""Dashboard queries: the shops customers wrote about, and filter values within a user's shops.

The daily roll-ups keep no shop, so both read the events (by ``created_at``
and the ``ix_events_shop_created`` index), for the filter lists only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from dashboard.queries.filters import DIMENSIONS
from radar.store import Store
from radar.store.duplicates import first_copy
from radar.store.tables import events


def shops_seen(store: Store, since: datetime, shops: Sequence[str] | None = None) -> list[str]:
    """Shops of customer messages since ``since``, most frequent first (within ``shops``)."""
    count = func.count()
    query = (
        select(events.c.shop)
        .where(events.c.created_at >= since, events.c.shop.is_not(None))
        .group_by(events.c.shop)
        .order_by(count.desc(), events.c.shop)
    )
    if shops is not None:
        query = query.where(events.c.shop.in_(list(shops)))
    with store.engine.connect() as conn:
        found: list[object] = list(conn.scalars(query))
    return [str(s) for s in found if s]


def values_in_shops(store: Store, since: datetime, shops: Sequence[str]) -> dict[str, list[str]]:
    """Each filter dimension's values in the messages of ``shops`` since ``since``: a user
    given some shops is offered no other shop's products or regions."""
    found: dict[str, list[str]] = {}
    terms = [
        events.c.created_at >= since,
        events.c.shop.in_(list(shops)),
        events.c.is_staff_reply.is_(False),
        first_copy(),
    ]
    with store.engine.connect() as conn:
        for name, column in DIMENSIONS.items():
            col = events.c[column]
            query = (
                select(col)
                .where(*terms, col.is_not(None))
                .group_by(col)
                .order_by(func.count().desc(), col)
            )
            values: list[object] = list(conn.scalars(query))
            found[name] = [str(v) for v in values if v]
    return found
