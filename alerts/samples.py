"""Alerts: example messages for the evidence, topped up from the store when a signal has few."""

from __future__ import annotations

import logging

from sqlalchemy import select

from radar.events import Sample, Signal
from radar.masking import mask_text
from radar.store import Store
from radar.store.tables import event_topics, events

log = logging.getLogger(__name__)

#: Evidence shows at least this many examples when the store has them, and at most MAX.
WANTED = 3
MAX = 5
#: Key dimensions that are columns of the events table.
COLUMNS = ("channel", "product", "shop", "region", "segment")


def top_up(store: Store, signal: Signal) -> Signal:
    """``signal`` with complaints from its key and window added until it has ``WANTED`` samples.

    Complaints come first, then the most negative texts; every text is masked.
    A store that cannot answer leaves the signal as it was.
    """
    if len(signal.samples) >= WANTED:
        return signal
    query = (
        select(events.c.id, events.c.text, events.c.channel, events.c.created_at)
        .where(
            events.c.created_at >= signal.window_start,
            events.c.created_at <= signal.window_end,
            events.c.text != "",
        )
        .order_by(events.c.is_complaint.desc(), events.c.sentiment, events.c.created_at)
        .limit(MAX * 2)
    )
    for name, value in signal.key.items():
        if name in COLUMNS:
            query = query.where(events.c[name] == value)
        elif name == "topic":
            query = query.where(
                events.c.id.in_(
                    select(event_topics.c.event_id).where(event_topics.c.topic == value)
                )
            )
        else:
            return signal  # a dimension the store cannot filter on: do not guess
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
    except Exception as exc:  # evidence is a bonus; never lose the alert over it
        log.warning("cannot read example messages for %s: %s", signal.id, exc)
        return signal
    known = {s.id for s in signal.samples}
    samples = list(signal.samples)
    for row in rows:
        if len(samples) >= MAX:
            break
        if row.id not in known:
            samples.append(
                Sample(
                    id=row.id,
                    text=mask_text(row.text)[:500],
                    channel=row.channel,
                    created_at=row.created_at,
                )
            )
    return signal.model_copy(update={"samples": samples})
