"""Detection on the real broker: a scripted complaint burst in a replayed feed raises one spike."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from radar.store import Store
from radar.store.signals import load_signals
from tests.integration.conftest import Pipeline
from tests.integration.replay import (
    matches_reference,
    produce,
    reference,
    scored_events,
    steady_feed,
)

pytestmark = pytest.mark.integration


def span(record: dict[str, Any]) -> float:
    """A signal's window in seconds."""
    start, end = (datetime.fromisoformat(record[k]) for k in ("window_start", "window_end"))
    return (end - start).total_seconds()


def test_a_complaint_burst_raises_exactly_one_spike_for_its_key(pipeline: Pipeline) -> None:
    # 42 hours of steady reviews; 30 hours in, 30 delivery complaints from 华东 in 10 minutes
    feed = steady_feed(42, burst_at_hour=30)
    assert feed.burst_start is not None
    produce(pipeline.settings, feed.events)
    pipeline.start("worker")

    scored = scored_events(
        pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
    )
    assert len(scored) == len(feed.events)
    expected = reference(scored)
    records = matches_reference(pipeline, expected)

    spikes = [r for r in records if r["type"] == "spike"]
    ids_by_key: dict[str, set[str]] = {}
    for record in spikes:
        key = ",".join(f"{k}={v}" for k, v in sorted(record["key"].items()))
        ids_by_key.setdefault(key, set()).add(str(record["id"]))
    # the wave is told by its cause: delivery complaints from 华东 (not 物流配送 as a whole)
    wave = "region=华东,topic=物流配送"
    assert len(ids_by_key[wave]) == 1, ids_by_key
    burst_keys = {"scope=all", "channel=review", "topic=物流配送", "region=华东", wave}
    assert set(ids_by_key) <= burst_keys, f"spikes without a burst: {set(ids_by_key) - burst_keys}"
    assert all(len(ids) == 1 for ids in ids_by_key.values()), ids_by_key

    # the evidence: the first window of the episode on 物流配送 · 华东
    topic = [r for r in spikes if r["key"] == {"topic": "物流配送", "region": "华东"}]
    first = min(topic, key=lambda r: (str(r["window_end"]), span(r)))  # 5 minutes, first
    assert first["status"] == "firing"
    assert first["window_start"].startswith(feed.burst_start.strftime("%Y-%m-%dT%H:%M"))
    assert first["observed"] >= 15 > 3 * first["expected"]
    assert first["statistic"] and first["score"] >= 0.5
    assert first["top_topics"][0] == "物流配送"
    samples = first["samples"]
    assert 1 <= len(samples) <= 5
    for sample in samples:
        assert "13812345678" not in sample["text"] and "138****5678" in sample["text"]
    assert any(r["status"] == "resolved" for r in topic)  # the episode ended, same id

    # the store keeps the episode's latest state under the same id
    store = Store.from_settings(pipeline.settings)

    def stored_spikes() -> list[dict[str, Any]]:
        return [s for s in load_signals(store, "spike") if s["key"] == first["key"]]

    pipeline.wait_for(
        lambda: any(s["status"] == "resolved" for s in stored_spikes()),
        timeout=60,
        what="the sink to store the resolved episode",
    )
    stored = stored_spikes()
    assert [s["id"] for s in stored] == [first["id"]]
    assert stored[0]["status"] == "resolved"
    # the hour that holds the burst keeps the episode open an hour; then it resolves
    assert stored[0]["window_start"] - feed.burst_start < timedelta(hours=2)
