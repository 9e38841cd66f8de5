"""Worker metrics: the stages move their Prometheus counters, gauges and histograms."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from radar.clock import ManualClock
from radar.events import Heartbeat, Signal
from radar.store import Store
from radar.store.db import make_engine
from streams import metrics
from streams.sink import StoreSink
from streams.stats import PipelineStats

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def store_at(tmp_path) -> Store:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'radar.db'}"))
    store.create_schema()
    return store


def test_a_batch_counts_its_records_in_and_out_and_its_time() -> None:
    before_in = value("radar_worker_records_in_total", stage="score")
    before_out = value("radar_worker_records_out_total", stage="score")
    before_batches = value("radar_worker_batch_seconds_count", stage="score")
    timing = metrics.batch("score", 7)
    assert value("radar_worker_records_in_total", stage="score") == before_in + 7
    timing.done(5)
    assert value("radar_worker_records_out_total", stage="score") == before_out + 5
    assert value("radar_worker_batch_seconds_count", stage="score") == before_batches + 1
    assert value("radar_worker_batch_seconds_bucket", stage="score", le="+Inf") >= 1


def test_the_sink_counts_the_dead_letters_it_makes_by_reason(tmp_path) -> None:
    sink = StoreSink(store_at(tmp_path), ManualClock(T0))
    reasons = ("bad_json", "bad_encoding")
    before = {r: value("radar_worker_deadletters_total", stage="sink", reason=r) for r in reasons}
    result = sink.write_scored([b"{not json", b"\xff\xfe", b"[1, 2"])
    assert result.rejected == 3
    after = {r: value("radar_worker_deadletters_total", stage="sink", reason=r) for r in reasons}
    assert after["bad_json"] == before["bad_json"] + 2
    assert after["bad_encoding"] == before["bad_encoding"] + 1


def test_signals_are_counted_by_type_and_status() -> None:
    def signal(status: str) -> Signal:
        return Signal.model_validate(
            {
                "id": "sig-0001",
                "type": "spike",
                "key": {"topic": "物流配送"},
                "status": status,
                "window_start": T0,
                "window_end": T0 + timedelta(minutes=5),
                "observed": 30,
                "expected": 4,
                "score": 0.99,
                "statistic": "poisson_tail",
                "detected_at": T0,
            }
        )

    before = value("radar_worker_signals_total", type="spike", status="firing")
    resolved = value("radar_worker_signals_total", type="spike", status="resolved")
    metrics.signals_published([signal("firing"), signal("firing"), signal("resolved")])
    assert value("radar_worker_signals_total", type="spike", status="firing") == before + 2
    assert value("radar_worker_signals_total", type="spike", status="resolved") == resolved + 1


def test_a_heartbeat_sets_the_source_time_and_status() -> None:
    beat = Heartbeat(source="mail-a", channel="email", at=T0, status="degraded")
    metrics.heartbeat(beat)
    labels = {"source": "mail-a", "channel": "email"}
    assert value("radar_worker_heartbeat_timestamp_seconds", **labels) == T0.timestamp()
    assert value("radar_worker_source_up", **labels) == 0.5
    metrics.heartbeat(beat.model_copy(update={"status": "ok", "at": T0 + timedelta(minutes=1)}))
    assert value("radar_worker_source_up", **labels) == 1.0
    assert value("radar_worker_heartbeat_timestamp_seconds", **labels) == T0.timestamp() + 60


def test_late_events_are_counted() -> None:
    before = value("radar_worker_late_events_total")
    metrics.late(0)
    metrics.late(3)
    assert value("radar_worker_late_events_total") == before + 3


class Lags:
    def __init__(self, lags: dict[str, int | None]) -> None:
        self.lags = lags

    async def lag(self, group: str, topic: str, partitions: int) -> int | None:
        return self.lags[topic]


def test_a_stats_sample_sets_the_consumer_lag_gauge_per_topic(tmp_path) -> None:
    offsets = Lags({"m.raw": 120, "m.scored": None})
    stats = PipelineStats(
        store_at(tmp_path), offsets, group="g-metrics", partitions=4, totals=Counter()
    )
    asyncio.run(stats.sample(["m.raw", "m.scored"]))
    assert value("radar_worker_consumer_lag", group="g-metrics", topic="m.raw") == 120
    assert (
        REGISTRY.get_sample_value(
            "radar_worker_consumer_lag", {"group": "g-metrics", "topic": "m.scored"}
        )
        is None
    )  # Kafka did not answer: no made-up figure
    offsets.lags["m.raw"] = 0
    asyncio.run(stats.sample(["m.raw"]))
    assert value("radar_worker_consumer_lag", group="g-metrics", topic="m.raw") == 0
