"""Recovery on the real broker: a worker killed mid-stream resumes with exact counts."""

from __future__ import annotations

import signal
import time

import pytest

from radar.store import Store
from tests.integration.conftest import Pipeline
from tests.integration.replay import (
    matches_reference,
    produce,
    reference,
    scored_events,
    steady_feed,
)

pytestmark = pytest.mark.integration


def test_a_worker_killed_mid_stream_resumes_without_losing_or_doubling(
    pipeline: Pipeline,
) -> None:
    feed = steady_feed(42, burst_at_hour=30)
    produce(pipeline.settings, feed.events)
    # small batches: many commits and changelog records, so the kill lands between them
    pipeline.env["RADAR_WORKER_BATCH_SIZE"] = "40"
    pipeline.env["RADAR_WORKER_COUNT_BATCH_SIZE"] = "40"
    pipeline.env["RADAR_WORKER_SESSION_TIMEOUT_S"] = "8"
    first = pipeline.start("worker")
    store = Store.from_settings(pipeline.settings)

    def stored() -> int:
        return int(store.report()["events"]["total"])

    deadline = time.monotonic() + 120
    while stored() < len(feed.events) // 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert 0 < stored() < len(feed.events), "the worker was not killed mid-stream"

    pipeline.start("worker")
    records = pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
    scored = scored_events(records)
    assert len(scored) == len(feed.events)
    expected = reference(scored)  # what the run without a crash counts
    matches_reference(pipeline, expected, baseline=False)
    report = pipeline.report()
    assert report["events"]["total"] == len(feed.events)  # each event once, none lost

    # the tail of the feed again (a connector re-sending): windows still open, nothing changes
    produce(pipeline.settings, feed.events[-15:])
    pipeline.consume("feedback.scored", len(records) + 15, timeout=60)
    matches_reference(pipeline, expected, baseline=False)
    assert pipeline.report() == report
    log = (pipeline.data_dir / "worker-1.log").read_text(errors="replace")
    assert "counting skipped" in log  # the copies reached counting and were recognised
