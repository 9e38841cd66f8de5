"""Pipeline stats: lag and records/s per input topic, as the health page reads them."""

from __future__ import annotations

import asyncio
from collections import Counter

from radar.store import Store
from radar.store.db import make_engine
from radar.store.health import pipeline_stats
from streams.stats import PipelineStats


class Lags:
    """Lag per topic as Kafka would tell it (None: Kafka did not answer)."""

    def __init__(self, lags: dict[str, int | None]) -> None:
        self.lags = lags

    async def lag(self, group: str, topic: str, partitions: int) -> int | None:
        return self.lags[topic]


def test_a_sample_per_answering_topic_with_the_rate_since_the_last(tmp_path) -> None:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'radar.db'}"))
    store.create_schema()
    processed: Counter[str] = Counter()
    clock = iter([100.0, 100.0, 110.0, 110.0])
    offsets = Lags({"raw": 40, "scored": None})
    stats = PipelineStats(
        store,
        offsets,
        group="g",
        partitions=4,
        totals=processed,
        wall=lambda: next(clock),  # type: ignore[arg-type]
    )
    assert asyncio.run(stats.sample(["raw", "scored"])) == 1  # scored: Kafka did not say
    processed["raw"] += 250
    offsets.lags.update(raw=0, scored=3)
    assert asyncio.run(stats.sample(["raw", "scored"])) == 2
    with store.engine.connect() as conn:
        rows = conn.execute(pipeline_stats.select().order_by(pipeline_stats.c.id)).mappings().all()
    assert [(r["topic"], r["lag"], r["records_per_s"], r["records_total"]) for r in rows] == [
        ("raw", 40, 0.0, 0),
        ("raw", 0, 25.0, 250),
        ("scored", 3, 0.0, 0),
    ]
    assert {r["consumer_group"] for r in rows} == {"g"} and {r["service"] for r in rows} == {
        "worker"
    }
