"""Store: a standing sample of customer texts (1 in 16, and every question-like one), kept current.

Event ids are hashes, so the events whose id starts with ``0`` are a uniform
1-in-16 sample whatever the period or product; term analysis reads them instead
of sorting every text of a month. Question-like messages (a cheap SQL pre-filter,
the FAQ analysis decides) are all kept. Likely duplicates are left out, so a
customer who asks on three channels is one question. Refreshed incrementally by
``stored_at`` like the roll-ups; rows are never changed, only added (a sample
taken under another counting rule is taken again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    String,
    Table,
    Text,
    delete,
    func,
    or_,
    select,
    type_coerce,
)

from radar.store.db import EpochMillis, metadata
from radar.store.duplicates import first_copy
from radar.store.feedback import Store, insert_ignoring_duplicates
from radar.store.rollups import COUNTING, read_watermark, write_watermark
from radar.store.tables import events

#: Ids below this are in the sample: ids are 32 hex digits, so one in 16.
SAMPLE_BELOW = "1"
SAMPLE_RATE = 16
#: Cheap pre-filter for question-like messages; ``dashboard.analysis.faq.is_question`` decides.
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
BATCH = 5_000

text_samples = Table(
    "text_samples",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("created_at", EpochMillis, nullable=False),
    Column("product", String(200)),
    Column("sampled", Boolean, nullable=False),  # in the 1-in-16 sample
    Column("question", Boolean, nullable=False),  # passes the question pre-filter
    Column("text", Text, nullable=False),
    Index("ix_text_samples_created", "created_at"),
    Index("ix_text_samples_product_created", "product", "created_at"),
)


def question_like(column: Any) -> Any:
    """SQL: the text contains one of the question hints."""
    return or_(*(column.contains(h, autoescape=True) for h in QUESTION_HINTS))


def refresh_samples(
    store: Store, *, now: datetime | None = None, margin: timedelta = timedelta(minutes=5)
) -> int:
    """Add sampled and question-like messages stored since the last refresh; returns how many."""
    at = now or store.clock.now()
    stored = type_coerce(events.c.stored_at, BigInteger)
    sampled, question = events.c.id < SAMPLE_BELOW, question_like(events.c.text)
    query = select(
        events.c.id.label("event_id"),
        events.c.created_at,
        events.c.product,
        sampled.label("sampled"),
        question.label("question"),
        events.c.text,
    ).where(events.c.is_staff_reply.is_(False), first_copy(), or_(sampled, question))
    with store.engine.connect() as conn:
        watermark = read_watermark(conn, "text_samples", COUNTING)
        newest = conn.execute(select(func.max(stored))).scalar()
        if newest is None:
            return 0
        if watermark is not None:
            query = query.where(stored >= watermark - int(margin.total_seconds() * 1000))
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if watermark is None:
        with store.engine.begin() as conn:  # a sample taken under another rule is taken again
            conn.execute(delete(text_samples))
    for start in range(0, len(rows), BATCH):
        chunk = [
            {**r, "sampled": bool(r["sampled"]), "question": bool(r["question"])}
            for r in rows[start : start + BATCH]
        ]
        with store.engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(store.engine, text_samples), chunk)
    write_watermark(store, "text_samples", int(newest), COUNTING, at)
    return len(rows)


def sample_texts(
    store: Store,
    since: datetime,
    until: datetime,
    product: str | None = None,
    *,
    questions: bool = False,
    limit: int = 2000,
    shops: Sequence[str] | None = None,
) -> list[str]:
    """Sampled texts (or question-like ones) of the period, the ``limit`` lowest ids; within
    ``shops`` (None: every shop) those of the shops' messages (the sample keeps no shop: it
    is read through its events)."""
    wanted = text_samples.c.question if questions else text_samples.c.sampled
    query = select(text_samples.c.text).where(
        wanted.is_(True),
        text_samples.c.created_at >= since,
        text_samples.c.created_at < until,
    )
    if product:
        query = query.where(text_samples.c.product == product)
    if shops is not None:
        query = query.join(events, events.c.id == text_samples.c.event_id).where(
            events.c.shop.in_(list(shops))
        )
    query = query.order_by(text_samples.c.event_id).limit(limit)
    with store.engine.connect() as conn:
        found: list[object] = list(conn.scalars(query))
    return [str(t) for t in found]
