"""Scale-out on the real broker: two workers in one group count and detect exactly as one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import Pipeline
from tests.integration.replay import (
    matches_reference,
    produce,
    reference,
    scored_events,
    steady_feed,
)

pytestmark = pytest.mark.integration


def assigned(log: Path, topic: str) -> set[int]:
    """The partitions of ``topic`` in the worker's latest assignment table (Faust's log)."""
    rows = re.findall(
        rf"\| {re.escape(topic)}\s*\| \{{([^}}]*)\}}", log.read_text(errors="replace")
    )
    if not rows:
        return set()
    parts: set[int] = set()
    for item in rows[-1].split(","):
        low, _, high = item.strip().partition("-")
        parts.update(range(int(low), int(high or low) + 1))
    return parts


def test_two_workers_give_the_same_counts_and_signals_as_one(pipeline: Pipeline) -> None:
    pipeline.start("worker")
    pipeline.start("worker")
    logs = [pipeline.data_dir / "worker-0.log", pipeline.data_dir / "worker-1.log"]
    scored_topic = pipeline.topics.scored

    def split() -> bool:
        a, b = (assigned(log, scored_topic) for log in logs)
        return bool(a) and bool(b) and a.isdisjoint(b) and a | b == {0, 1, 2, 3}

    pipeline.wait_for(split, timeout=120, what="both workers to share the 4 partitions")

    feed = steady_feed(42, burst_at_hour=30)
    produce(pipeline.settings, feed.events)
    scored = scored_events(
        pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
    )
    assert len(scored) == len(feed.events)
    # the reference is the ideal single worker: one process, one partition, no Kafka
    records = matches_reference(pipeline, reference(scored))
    assert any(r["type"] == "spike" for r in records)
    assert pipeline.report()["events"]["total"] == len(feed.events)
    assert split(), "a worker left the group during the run; the test proved nothing"
