"""Worker: Prometheus metrics of every stream stage (served by ``radar worker --metrics-port``)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

from radar.events import DeadLetter, Heartbeat, Signal

RECORDS_IN = Counter("radar_worker_records_in", "Records a stage read from its topic", ["stage"])
RECORDS_OUT = Counter(
    "radar_worker_records_out",
    "Records a stage passed on: scored events sent, events counted, window totals closed, "
    "rows stored",
    ["stage"],
)
BATCH_SECONDS = Histogram(
    "radar_worker_batch_seconds",
    "Time a stage took over one batch",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CONSUMER_LAG = Gauge(
    "radar_worker_consumer_lag",
    "Records on a topic the worker's consumer group has not committed yet",
    ["group", "topic"],
)
DEAD_LETTERS = Counter(
    "radar_worker_deadletters",
    "Dead letters the worker made (stage worker: unparseable or unscorable; sink: unstorable)",
    ["stage", "reason"],
)
SIGNALS = Counter(
    "radar_worker_signals", "Signals published on feedback.signals", ["type", "status"]
)
LATE_EVENTS = Counter(
    "radar_worker_late_events",
    "Events that came after their window closed (not counted; crisis terms still reported)",
)
HEARTBEAT_AT = Gauge(
    "radar_worker_heartbeat_timestamp_seconds",
    "When a connector last said it was alive (Unix time of its newest heartbeat)",
    ["source", "channel"],
)
SOURCE_UP = Gauge(
    "radar_worker_source_up",
    "A connector's own status in its newest heartbeat (1 ok, 0.5 degraded, 0 down)",
    ["source", "channel"],
)

_STATUS = {"ok": 1.0, "degraded": 0.5, "down": 0.0}


class StageBatch:
    """One batch of a stage: counts its records in at once, its time and records out at ``done``."""

    def __init__(self, stage: str, records_in: int) -> None:
        self.stage = stage
        self.started = time.perf_counter()
        RECORDS_IN.labels(stage).inc(records_in)

    def done(self, records_out: int) -> None:
        RECORDS_OUT.labels(self.stage).inc(records_out)
        BATCH_SECONDS.labels(self.stage).observe(time.perf_counter() - self.started)


def batch(stage: str, records_in: int) -> StageBatch:
    """Start timing a batch of ``records_in`` records in ``stage``."""
    return StageBatch(stage, records_in)


def dead_letters(letters: Iterable[DeadLetter]) -> None:
    for letter in letters:
        DEAD_LETTERS.labels(letter.stage, letter.reason).inc()


def signals_published(signals: Iterable[Signal]) -> None:
    for signal in signals:
        SIGNALS.labels(signal.type, signal.status).inc()


def late(n: int) -> None:
    if n:
        LATE_EVENTS.inc(n)


def heartbeat(beat: Heartbeat) -> None:
    labels = {"source": beat.source, "channel": beat.channel}
    HEARTBEAT_AT.labels(**labels).set(beat.at.timestamp())
    SOURCE_UP.labels(**labels).set(_STATUS.get(beat.status, 0.0))


def consumer_lag(group: str, topic: str, lag: int) -> None:
    CONSUMER_LAG.labels(group, topic).set(lag)
