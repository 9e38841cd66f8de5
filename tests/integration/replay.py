"""Replayed feeds for the stream tests: scripted events in the past, and what they must count to.

A feed is a list of :class:`FeedbackEvent` in event-time order. :func:`reference`
runs the pure counting and detection stages over the scored events in one
process, on one partition, as the ideal single worker would: the window totals
and signals a real run (any number of workers, crashes included) must equal.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import select

from radar.events import FeedbackEvent, ScoredEvent, Signal, make_event_id, parse_model
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.signals import load_window_counts
from radar.store.signals import signal_points as signal_points_table
from radar.topics import Topics
from streams.counting import Delivery
from streams.settings import WorkerSettings
from streams.windows import SIZES
from tests.integration.conftest import Pipeline
from tests.offline import OfflineWorker

#: A Monday, long past: every window of a replayed feed closes by event time alone.
T0 = datetime(2026, 3, 2, tzinfo=UTC)
REGIONS = ("华东", "华南", "华北", "西南")
PRODUCTS = ("p1", "p2", "p3", "p4")

LOGISTICS = [
    "快递三天了还没到，物流信息也不更新",
    "发货太慢了，等了一个星期才收到",
    "包裹送错地址了，快递员也联系不上",
    "物流太慢，到货时外包装都压扁了",
]
QUALITY = [
    "用了两天就坏了，做工太粗糙",
    "屏幕有划痕，质量一般",
    "开机就死机，质量不行",
]
PRAISE = ["很好用，五星好评，下次还来", "孩子很喜欢，颜色也正", "手感不错，超出预期"]
PRICE = ["价格还可以，活动时买的", "这个价格性价比挺高"]


@dataclass
class Feed:
    """Events in event-time order, and the keys a scripted burst went into."""

    events: list[FeedbackEvent]
    burst_start: datetime | None = None
    burst_keys: frozenset[str] = frozenset()


def event(
    n: int, at: datetime, text: str, *, source: str = "replay", **fields: Any
) -> FeedbackEvent:
    external = f"{source}-{n}"
    return FeedbackEvent(
        id=make_event_id("review", source, external),
        channel="review",
        source=source,
        external_id=external,
        text=text,
        created_at=at,
        ingested_at=at + timedelta(seconds=1),
        **fields,
    )


def steady_feed(
    hours: float, *, seed: int = 7, start: datetime = T0, burst_at_hour: float | None = None
) -> Feed:
    """A steady review feed, 5-minute slots: quality complaints, praise, price remarks, and
    now and then a delivery complaint; with ``burst_at_hour``, 30 delivery complaints from
    华东 over the next 10 minutes (the incident)."""
    rng = random.Random(seed)
    events: list[FeedbackEvent] = []
    slots = int(hours * 12)
    burst_slot = int(burst_at_hour * 12) if burst_at_hour is not None else -1
    for slot in range(slots):
        base = start + timedelta(minutes=5 * slot)
        items: list[tuple[str, dict[str, Any]]] = []
        if rng.random() < 0.5:
            items.append((rng.choice(LOGISTICS), {"rating": 1, "region": rng.choice(REGIONS)}))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            fields = {"rating": 2, "region": rng.choice(REGIONS), "product": rng.choice(PRODUCTS)}
            items.append((rng.choice(QUALITY), fields))
        for _ in range(rng.choice((1, 2, 2, 3))):
            fields = {"rating": 5, "region": rng.choice(REGIONS), "product": rng.choice(PRODUCTS)}
            items.append((rng.choice(PRAISE), fields))
        if rng.random() < 0.3:
            items.append((rng.choice(PRICE), {"rating": 4}))
        if burst_slot <= slot < burst_slot + 2:
            for i in range(15):
                text = f"{LOGISTICS[i % len(LOGISTICS)]}，订单{slot}{i:02d}，电话13812345678"
                items.append((text, {"rating": 1, "region": "华东"}))
        offsets = sorted(rng.uniform(0, 299) for _ in items)
        for (text, fields), offset in zip(items, offsets, strict=True):
            at = base + timedelta(seconds=round(offset, 3))
            events.append(event(len(events), at, text, **fields))
    burst_start = start + timedelta(minutes=5 * burst_slot) if burst_slot >= 0 else None
    keys = frozenset({"overall", "channel=review", "topic=物流配送", "region=华东"})
    return Feed(events, burst_start, keys if burst_slot >= 0 else frozenset())


def produce(settings: CoreSettings, events: Iterable[FeedbackEvent]) -> int:
    """Send events to ``feedback.raw`` keyed by id, as a connector does; returns how many."""
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024
    )
    topic = Topics.from_settings(settings).raw
    sent = 0
    try:
        for item in events:
            producer.send(topic, key=item.id.encode(), value=item.to_json())
            sent += 1
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)
    return sent


class LiveFeed:
    """Events sent in small chunks at about ``per_second`` from a thread, as a live feed
    arrives (a fault can then land in its middle)."""

    def __init__(
        self, settings: CoreSettings, events: Sequence[FeedbackEvent], per_second: float
    ) -> None:
        self.settings = settings
        self.events = list(events)
        self.per_second = per_second
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="live-feed", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        chunk = max(1, int(self.per_second / 4))
        try:
            for start in range(0, len(self.events), chunk):
                produce(self.settings, self.events[start : start + chunk])
                time.sleep(0.25)
        except BaseException as exc:  # the test hears of it in wait()
            self.error = exc

    def wait(self, timeout: float) -> None:
        """Return once every event was acknowledged; raise what stopped the feed."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the live feed still runs after {timeout}s"
        if self.error is not None:
            raise AssertionError(f"the live feed failed: {self.error!r}") from self.error


def scored_events(records: Sequence[dict[str, Any]]) -> list[ScoredEvent]:
    """``feedback.scored`` records as events, one per id, in event-time order."""
    unique = {r["id"]: parse_model(ScoredEvent, json.dumps(r)) for r in records}
    return sorted(unique.values(), key=lambda e: (e.created_at, e.id))


@dataclass
class Reference:
    """What the ideal single worker computes: totals per (dim, size, start), and signals."""

    totals: dict[tuple[str, str, int], dict[str, Any]]
    signals: list[Signal]


def reference(events: Sequence[ScoredEvent], worker: WorkerSettings | None = None) -> Reference:
    """Count and detect ``events`` in one process on one partition, then let time run out."""
    offline = OfflineWorker(worker or WorkerSettings(), now=lambda: T0)
    for offset, item in enumerate(events):
        offline.feed([Delivery(0, offset, item)])
    offline.finish()
    return Reference(offline.totals, offline.signals)


def stored_totals(settings: CoreSettings) -> dict[tuple[str, str, int], dict[str, Any]]:
    """The ``window_counts`` rows the worker wrote, keyed like :attr:`Reference.totals`."""
    store = Store.from_settings(settings)
    rows = {}
    try:
        for size in SIZES:
            for row in load_window_counts(store, size):
                start = int(row["window_start"].timestamp() * 1000)
                rows[(row["dim"], size, start)] = row
    finally:  # polled every second: on PostgreSQL, pooled connections would pile up
        store.engine.dispose()
    return rows


def stored_signal_windows(store: Store) -> set[tuple[str, int]]:
    """(signal id, window start in ms) of every window a signal reported, as the sink stored."""
    table = signal_points_table
    query = select(table.c.signal_id, table.c.window_start)
    with store.engine.connect() as conn:
        return {(sid, int(start.timestamp() * 1000)) for sid, start in conn.execute(query)}


def signal_windows(expected: Reference) -> set[tuple[str, int]]:
    """(signal id, window start in ms) of every window the reference's signals reported."""
    return {(s.id, int(s.window_start.timestamp() * 1000)) for s in expected.signals}


def same_counts(
    stored: dict[tuple[str, str, int], dict[str, Any]],
    expected: dict[tuple[str, str, int], dict[str, Any]],
) -> list[str]:
    """Differences between stored window rows and reference cells (empty: identical)."""
    problems = [f"missing window {key}" for key in sorted(set(expected) - set(stored))]
    problems += [f"unexpected window {key}" for key in sorted(set(stored) - set(expected))]
    for key in sorted(set(stored) & set(expected)):
        row, cell = stored[key], expected[key]
        got = (row["volume"], row["complaints"], row["negatives"], row["topics"])
        want = (cell["n"], cell["complaints"], cell["negatives"], cell["topics"])
        if got != want:
            problems.append(f"{key}: stored {got}, expected {want}")
    return problems


def settle(probe: Callable[[], list[str]], timeout: float) -> list[str]:
    """Poll ``probe`` (a list of problems) until it is empty or ``timeout`` passed; the last one."""
    deadline = time.monotonic() + timeout
    while True:
        problems = probe()
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(1.0)


def matches_reference(
    pipeline: Pipeline, expected: Reference, *, baseline: bool = True
) -> list[dict[str, Any]]:
    """Wait until the store's window counts and ``feedback.signals`` equal the reference's;
    returns the signal records (updates and redeliveries included).

    ``baseline=False`` (after a SIGKILL) leaves the detectors' expectation and score out of
    the signal comparison: the detection state of windows closed in the instant before the
    kill may not all have reached the changelog, so the baseline can miss an observation or
    two. Which signals fire, in which windows, on what counts, must still be the same.
    """
    problems = settle(lambda: same_counts(stored_totals(pipeline.settings), expected.totals), 120)
    assert not problems, (
        f"{len(problems)} windows differ from the reference: {problems[:5]}\n{pipeline.logs()}"
    )
    want = signal_points(expected.signals, baseline=baseline)
    records: list[dict[str, Any]] = []

    def signals_differ() -> list[str]:
        records[:] = pipeline.consume("feedback.signals", len(want), timeout=5)
        got = signal_points(records, baseline=baseline)
        missing = [f"missing {point}" for point in sorted(want - got)]
        return missing + [f"unexpected {point}" for point in sorted(got - want)]

    problems = settle(signals_differ, 60)
    assert not problems, (
        f"{len(problems)} signal updates differ from the reference: {problems[:40]}\n"
        f"{pipeline.logs()}"
    )
    return records


def signal_points(
    signals: Iterable[Signal | dict[str, Any]], *, baseline: bool = True
) -> set[tuple[Any, ...]]:
    """Each signal update as a comparable tuple (detection time and float noise left out;
    without ``baseline``, also the detector's expectation and score)."""
    points = set()
    for item in signals:
        s = item if isinstance(item, Signal) else parse_model(Signal, json.dumps(item))
        point: tuple[Any, ...] = (
            s.id,
            s.type,
            json.dumps(s.key, sort_keys=True, ensure_ascii=False),
            s.status,
            s.window_start,
            round(s.observed, 6),
        )
        if baseline:
            point += (round(s.expected, 4), round(s.score, 4))
        points.add(point)
    return points


__all__ = [
    "Feed",
    "LiveFeed",
    "Reference",
    "event",
    "matches_reference",
    "produce",
    "reference",
    "same_counts",
    "scored_events",
    "settle",
    "signal_points",
    "signal_windows",
    "steady_feed",
    "stored_signal_windows",
    "stored_totals",
]
