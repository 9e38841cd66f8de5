"""The store's PostgreSQL server stops for 20 s mid-stream and starts again on the same port
and data: the worker and the alert service wait for it (no restart), and afterwards every
event is stored once, every window total and signal equals the reference, no alert is sent
twice. About two and a half minutes alone; every wait is bounded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from radar.store import Store
from tests.integration.conftest import Pipeline
from tests.integration.replay import (
    LiveFeed,
    matches_reference,
    produce,
    reference,
    scored_events,
    signal_windows,
    steady_feed,
    stored_signal_windows,
)
from tests.integration.test_faults import stored_ids, told_each_thing_once, webhook_alerts
from tests.postgres import PostgresServer, postgres_cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

OUTAGE_S = 20


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own (the session's must not go down under others)."""
    with postgres_cluster() as server:
        yield server


def log_says(pipeline: Pipeline, name: str, *phrases: str) -> bool:
    text = "".join(p.read_text(errors="replace") for p in pipeline.data_dir.glob(f"{name}-*.log"))
    return any(phrase in text for phrase in phrases)


def test_postgres_down_for_20_s_mid_stream_the_services_wait_and_lose_or_double_nothing(
    pipeline: Pipeline,
    own_postgres: PostgresServer,
    tmp_path: Path,
) -> None:
    pipeline.use_store(own_postgres.url)
    store = Store.from_settings(pipeline.settings)  # the schema, before the services start
    with webhook_alerts(pipeline, tmp_path) as (hook, alerts, group):
        feed = steady_feed(42, burst_at_hour=30)
        assert feed.burst_start is not None
        cut = feed.burst_start + timedelta(minutes=15)
        head = [e for e in feed.events if e.created_at < cut]
        tail = feed.events[len(head) :]
        produce(pipeline.settings, head)
        worker = pipeline.start("worker")
        pipeline.wait_for(lambda: bool(hook.requests), timeout=300, what="the first alert")
        pipeline.wait_for(
            lambda: stored_ids(store)[0] >= len(head), timeout=120, what="the head stored"
        )

        # the rest arrives as a live feed (about 30 s), and the store goes away in its middle
        sender = LiveFeed(pipeline.settings, tail, per_second=25)
        pipeline.wait_for(
            lambda: stored_ids(store)[0] >= len(head) + 50, timeout=60, what="the tail flowing"
        )
        store.engine.dispose()
        own_postgres.stop("fast")  # open connections cut, as when the server goes away
        down_at = time.monotonic()
        try:
            # both services notice (a write fails) and neither dies of it
            pipeline.wait_for(
                lambda: log_says(pipeline, "worker", "store write failed"),
                timeout=OUTAGE_S,
                what="the worker to find the store gone",
            )
            pipeline.wait_for(
                lambda: log_says(pipeline, "alerts", "tick failed", "cannot apply signal"),
                timeout=OUTAGE_S,
                what="the alert service to find the store gone",
            )
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
            assert worker.poll() is None, f"the worker died with the store\n{pipeline.logs()}"
            assert alerts.poll() is None, f"the alert service died\n{pipeline.logs()}"
        finally:
            own_postgres.start()  # the same port and data dir
        sender.wait(timeout=120)

        records = pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
        scored = scored_events(records)
        assert len(scored) == len(feed.events)
        expected = reference(scored)
        matches_reference(pipeline, expected)  # window totals and signals on the topic
        pipeline.wait_for(
            lambda: stored_ids(store)[0] >= len(feed.events), timeout=120, what="every event"
        )
        pipeline.wait_for(
            lambda: stored_signal_windows(store) == signal_windows(expected),
            timeout=60,
            what="every signal's windows stored",
        )
        pipeline.wait_for(lambda: pipeline.lag(group) == 0, timeout=90, what="alerts to catch up")
        pipeline.wait_for(
            lambda: any(r.json()["kind"] == "resolved" for r in hook.requests),
            timeout=90,
            what="the resolved notice",
        )
        time.sleep(3)  # many ticks and group intervals: a repeat would be sent by now
        assert worker.poll() is None and alerts.poll() is None, "a service restarted or died"

    total, ids = stored_ids(store)
    assert total == len(ids) == len(feed.events), "an event was lost or stored twice"
    assert ids == {e.id for e in feed.events}
    keys = [r.headers.get("Idempotency-Key") for r in hook.requests]
    assert keys and None not in keys
    assert len(keys) == len(set(keys)), f"a notification was delivered twice: {keys}"
    assert told_each_thing_once(hook) == ["firing", "resolved"]
