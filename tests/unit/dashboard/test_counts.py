"""Counts from daily roll-ups plus partial days equal counts over the events (both databases),
each likely duplicate counted once."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.queries.counts import scope_counts, topic_counts
from dashboard.queries.filters import Filters
from radar.events import ScoredEvent, make_event_id
from radar.localtime import bucket_start, zone
from radar.store import Store, make_engine
from radar.store.daily import DAY_MS
from radar.store.refresh import refresh_rollups
from radar.store.rollups import ResponseSla

START = datetime(2026, 11, 1, tzinfo=UTC)
TOPICS = ("物流配送", "商品质量", "客服态度")
PRODUCTS = ("平板", "手机", None)
REGIONS = ("广东", "浙江", None)
CHANNELS = ("review", "chat")


def make_events(rng: random.Random, n: int) -> list[ScoredEvent]:
    out = []
    for i in range(n):
        channel = rng.choice(CHANNELS)
        staff = channel == "chat" and rng.random() < 0.15
        topics = [] if rng.random() < 0.3 else rng.sample(TOPICS, rng.randint(1, 2))
        # one in ten says again what an earlier message said (a copy may have a copy)
        copied = out[rng.randrange(i)].id if i and not staff and rng.random() < 0.1 else None
        out.append(
            ScoredEvent(
                id=make_event_id(channel, "s", str(i)),
                channel=channel,
                source="s",
                external_id=str(i),
                text="t",
                created_at=START + timedelta(minutes=rng.randrange(10 * 24 * 60)),
                ingested_at=START,
                scored_at=START,
                sentiment=0.5,
                sentiment_label="neu",
                topics=topics,
                is_complaint=bool(topics) and rng.random() < 0.6,
                is_staff_reply=staff,
                product=rng.choice(PRODUCTS),
                region=rng.choice(REGIONS),
                segment=rng.choice(("VIP", "新客")),
                duplicate_of=copied,
            )
        )
    return out


def truth(
    batch: list[ScoredEvent], f: Filters, bucket_ms: int, cut: datetime | None
) -> tuple[Counter[tuple[str, int, bool]], Counter[tuple[int, bool]], Counter[tuple[int, bool]]]:
    """(complaints per topic/bucket/recent, messages per bucket/recent, complaints per ...)."""
    by_topic: Counter[tuple[str, int, bool]] = Counter()
    messages: Counter[tuple[int, bool]] = Counter()
    complaints: Counter[tuple[int, bool]] = Counter()
    for e in batch:
        if e.is_staff_reply or e.duplicate_of or not (f.since <= e.created_at < f.until):
            continue
        if any(getattr(f, d) and getattr(e, d) not in getattr(f, d) for d in f.dimensions):
            continue
        ms = int(e.created_at.timestamp() * 1000)
        days = bucket_ms // DAY_MS
        start = bucket_start(ms, zone(f.timezone), days) if days else (ms // bucket_ms) * bucket_ms
        key = (start, cut is not None and e.created_at >= cut)
        messages[key] += 1
        complaints[key] += e.is_complaint
        for topic in e.topics:
            by_topic[(topic, *key)] += e.is_complaint
    return by_topic, messages, complaints


@pytest.fixture
def store(store_url: str) -> Store:
    opened = Store(make_engine(store_url))
    opened.create_schema()
    return opened


@pytest.mark.parametrize(
    "timezone",
    [
        "Asia/Shanghai",  # the default: days run from 16:00 to 16:00 UTC
        "America/New_York",  # summer time ends on 2026-11-01: one day is 25 hours long
    ],
)
def test_rollups_and_edges_add_up_to_the_events(store: Store, timezone: str) -> None:
    rng = random.Random(3)
    batch = make_events(rng, 600)
    store.add_scored(batch[:400])
    refresh_rollups(store, ResponseSla(), timezone=timezone)
    store.add_scored(batch[400:])  # arrive after a refresh: the next one must pick them up
    assert refresh_rollups(store, ResponseSla(), timezone=timezone)["days"] > 0
    for _ in range(25):
        since = START + timedelta(minutes=rng.randrange(5 * 24 * 60))
        until = since + timedelta(minutes=rng.randrange(60, 6 * 24 * 60))
        cut = rng.choice([None, until - timedelta(hours=rng.randint(1, 48))])
        dims = rng.choice(
            [{}, {"product": ("平板",)}, {"region": ("浙江", "广东")}, {"channel": ("chat",)}]
        )
        bucket_ms = rng.choice([DAY_MS, 7 * DAY_MS, 3_600_000])
        f = Filters(since, until, **dims, timezone=timezone)
        want_topics, want_messages, want_complaints = truth(batch, f, bucket_ms, cut)

        got = topic_counts(store, f, bucket_ms, cut=cut)
        got_topics = Counter(
            {
                (r.topic, r.bucket_ms, bool(r.recent)): r.complaints
                for r in got.itertuples()
                if r.complaints
            }
        )
        assert got_topics == +want_topics, (since, until, cut, dims, bucket_ms)
        scope = scope_counts(store, f, bucket_ms, cut=cut)
        keys = [(r.bucket_ms, bool(r.recent)) for r in scope.itertuples()]
        assert Counter(dict(zip(keys, scope["messages"], strict=True))) == want_messages
        assert Counter(dict(zip(keys, scope["complaints"], strict=True))) == +want_complaints
        one = topic_counts(store, f, bucket_ms, topic="客服态度", complaints_only=True)
        assert one["complaints"].sum() == sum(
            n for (topic, *_), n in want_topics.items() if topic == "客服态度"
        )
