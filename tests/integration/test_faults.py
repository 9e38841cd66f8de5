"""Faults on the real broker: the broker restarts, a connector stops mid-backfill, the store
locks up. Afterwards the store holds every valid event exactly once and no window is lost."""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from radar.broker import LocalBroker
from radar.events import make_event_id
from radar.store import Store
from radar.store.tables import deadletters, events
from tests.integration.conftest import Pipeline
from tests.integration.replay import matches_reference, produce, reference, scored_events
from tests.integration.replay import steady_feed as replay_feed

pytestmark = pytest.mark.integration


def stored_ids(store: Store) -> tuple[int, set[str]]:
    """(rows in the events table, distinct ids among them)."""
    with store.engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(events)) or 0)
        return total, set(conn.scalars(select(events.c.id)))


def wait_until_stored(store: Store, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    total = 0
    while time.monotonic() < deadline:
        total = stored_ids(store)[0]
        if total >= at_least:
            return total
        time.sleep(0.1)
    return total


def settle_worker(pipeline: Pipeline, expected: int) -> None:
    """Every event scored (each id once on the topic view) and the store complete."""
    store = Store.from_settings(pipeline.settings)
    pipeline.wait_for(
        lambda: stored_ids(store)[0] >= expected, timeout=180, what=f"{expected} stored events"
    )


def test_broker_restart_mid_stream_loses_and_doubles_nothing(
    broker_pipeline: Pipeline, own_broker: LocalBroker
) -> None:
    pipeline = broker_pipeline
    feed = replay_feed(30, seed=11, burst_at_hour=20)
    produce(pipeline.settings, feed.events)
    pipeline.env["RADAR_WORKER_BATCH_SIZE"] = "40"
    pipeline.env["RADAR_WORKER_COUNT_BATCH_SIZE"] = "40"
    worker = pipeline.start("worker")
    store = Store.from_settings(pipeline.settings)
    assert wait_until_stored(store, len(feed.events) // 8) >= len(feed.events) // 8, pipeline.logs()

    own_broker.stop()  # SIGTERM: Kafka shuts down cleanly, the worker loses its connection
    during = stored_ids(store)[0]
    time.sleep(6)
    assert worker.poll() is None, f"the worker died with the broker:\n{pipeline.logs()}"
    own_broker.start()
    assert during < len(feed.events), "the broker must go down mid-stream"

    records = pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
    scored = scored_events(records)
    assert len(scored) == len(feed.events)
    matches_reference(pipeline, reference(scored))
    total, ids = stored_ids(store)
    assert total == len(ids) == len(feed.events)  # each event once, none lost
    assert ids == {e.id for e in feed.events}
    assert worker.poll() is None


def backfill_csv(path: Path, rows: int) -> tuple[set[str], int]:
    """A review export of ``rows`` rows, every 25th one invalid; (valid ids, invalid rows)."""
    valid: set[str] = set()
    invalid = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "review", "rating", "created_at"])
        for n in range(rows):
            if n % 25 == 7:
                writer.writerow([f"R{n}", "评分写错了", "五星", "2026-11-01 10:00"])
                invalid += 1
            elif n % 25 == 19:
                writer.writerow([f"R{n}", "", "", "2026-11-01 10:00"])  # nothing to analyse
                invalid += 1
            else:
                text = ("物流太慢了，包装也破了" if n % 3 else "很好用，下次还买") + f"#{n}"
                writer.writerow([f"R{n}", text, str(1 + n % 5), f"2026-11-01 {n % 24:02d}:00"])
                valid.add(make_event_id("review", path.name, f"R{n}"))
    return valid, invalid


def checkpoint_line(folder: Path, name: str) -> int:
    for path in folder.glob("*.json"):
        try:
            state = json.loads(path.read_text(encoding="utf-8"))["state"]
        except (json.JSONDecodeError, KeyError):
            continue  # being written
        return int(state.get(f"file:{name}", {}).get("line", 0))
    return 0


def test_connector_stopped_mid_backfill_resumes_and_stores_each_row_once(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    rows = 2000
    source = tmp_path / "export.csv"
    valid, invalid = backfill_csv(source, rows)
    args = ("ingest", "reviews", str(source), "--flush-every", "100", "--quiet", "--json")
    checkpoints = pipeline.data_dir / "checkpoints"

    def stop_after(sig: signal.Signals, line: int) -> subprocess.Popen[bytes]:
        run = pipeline.start(*args, "--rate-limit", "500", name="backfill")
        pipeline.wait_for(
            lambda: checkpoint_line(checkpoints, source.name) >= line,
            timeout=60,
            what=f"the checkpoint past line {line}",
        )
        run.send_signal(sig)
        run.wait(timeout=30)
        return run

    first = stop_after(signal.SIGTERM, 300)
    assert first.returncode == 0  # SIGTERM: finishes its batch, checkpoints, exits cleanly
    after_first = checkpoint_line(checkpoints, source.name)
    assert 300 <= after_first < rows
    second = stop_after(signal.SIGKILL, after_first + 300)
    assert second.returncode == -signal.SIGKILL
    after_second = checkpoint_line(checkpoints, source.name)
    assert after_first < after_second < rows

    last = json.loads(pipeline.radar(*args).stdout)
    assert 0 < last["records"] < rows - after_second + 200  # resumed, did not start over

    pipeline.start("worker")
    store = Store.from_settings(pipeline.settings)
    settle_worker(pipeline, len(valid))
    time.sleep(2)  # a late duplicate would land now
    total, ids = stored_ids(store)
    assert total == len(ids) == len(valid) and ids == valid
    with store.engine.connect() as conn:
        letters = conn.execute(
            select(deadletters.c.reason, func.count()).group_by(deadletters.c.reason)
        ).all()
    assert dict(letters) == {"wrong_type": invalid // 2, "missing_field": invalid - invalid // 2}


def test_store_locked_for_a_while_the_worker_retries_and_loses_nothing(
    pipeline: Pipeline,
) -> None:
    feed = replay_feed(24, seed=5)
    half = len(feed.events) // 2
    produce(pipeline.settings, feed.events[:half])
    pipeline.env["RADAR_WORKER_BATCH_SIZE"] = "50"
    worker = pipeline.start("worker")
    store = Store.from_settings(pipeline.settings)
    assert wait_until_stored(store, half) == half, pipeline.logs()

    database = pipeline.settings.resolved_store_url.removeprefix("sqlite:///")
    lock = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")  # every writer waits its busy timeout (30s), then fails
        produce(pipeline.settings, feed.events[half:])
        scored = pipeline.consume("feedback.scored", len(feed.events), timeout=60, distinct=True)
        assert len({r["id"] for r in scored}) == len(feed.events)  # scoring goes on meanwhile
        deadline = time.monotonic() + 40
        log = pipeline.data_dir / "worker-0.log"
        while "store write failed" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, f"no write failed under the lock\n{pipeline.logs()}"
            assert stored_ids(store)[0] == half  # readers still read; nothing gets written
            time.sleep(0.5)
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    settle_worker(pipeline, len(feed.events))
    time.sleep(1)
    total, ids = stored_ids(store)
    assert total == len(ids) == len(feed.events)
    assert ids == {e.id for e in feed.events}
    assert worker.poll() is None


ALERT_RULES = """
defaults:
  group_by: [type]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  resolve_after: 2s
receivers:
  - {{name: oncall, webhook: {{url: "{hook}/oncall"}}}}
rules:
  - name: complaint-spike
    match: {{type: spike}}
    receivers: [oncall]
"""


@contextmanager
def webhook_alerts(
    pipeline: Pipeline, tmp_path: Path, **env: str
) -> Iterator[tuple[Any, subprocess.Popen[bytes], str]]:
    """The alert service on ALERT_RULES, notifying a recording webhook on loopback.

    Yields the webhook, the service's process and its consumer group; ``env`` adds
    settings for the services started afterwards (the worker's batch sizes...).
    """
    from tests.unit.alerts.conftest import RecordingServer, start_server

    hook = RecordingServer(default=(200, b"{}"))
    httpd = start_server(hook)
    try:
        rules = tmp_path / "rules.yaml"
        rules.write_text(ALERT_RULES.format(hook=hook.url), encoding="utf-8")
        group = f"alerts-{pipeline.settings.topic_prefix}"
        pipeline.env.update(
            {
                "RADAR_ALERTS_RULES_FILE": str(rules),
                "RADAR_ALERTS_TICK_S": "0.2",
                "RADAR_ALERTS_GROUP_ID": group,
                "RADAR_WORKER_BATCH_SIZE": "40",
                "RADAR_WORKER_COUNT_BATCH_SIZE": "40",
                **env,
            }
        )
        yield hook, pipeline.start("alerts", "run", name="alerts"), group
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_no_alert_is_sent_twice_through_worker_and_alerts_crashes(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    with webhook_alerts(pipeline, tmp_path, RADAR_WORKER_SESSION_TIMEOUT_S="8") as started:
        hook, alerts, group = started
        feed = replay_feed(42, burst_at_hour=30)
        assert feed.burst_start is not None
        # the feed up to just after the burst: the spike fires and stays firing meanwhile
        cut = feed.burst_start + timedelta(minutes=15)
        head = [e for e in feed.events if e.created_at < cut]
        produce(pipeline.settings, head)
        worker = pipeline.start("worker")
        pipeline.wait_for(lambda: bool(hook.requests), timeout=120, what="the first alert")
        # the rest of the feed; both services die while the worker works through it
        produce(pipeline.settings, feed.events[len(head) :])
        store = Store.from_settings(pipeline.settings)
        wait_until_stored(store, len(head) + (len(feed.events) - len(head)) // 4, timeout=120)
        worker.send_signal(signal.SIGKILL)
        alerts.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        alerts.wait(timeout=10)
        assert stored_ids(store)[0] < len(feed.events), "the worker must die mid-stream"
        pipeline.start("worker")
        pipeline.start("alerts", "run", name="alerts")

        records = pipeline.consume("feedback.scored", len(feed.events), timeout=180, distinct=True)
        matches_reference(pipeline, reference(scored_events(records)), baseline=False)
        pipeline.wait_for(lambda: pipeline.lag(group) == 0, timeout=60, what="alerts to catch up")
        pipeline.wait_for(
            lambda: any(r.json()["kind"] == "resolved" for r in hook.requests),
            timeout=60,
            what="the resolved notice",
        )
        time.sleep(3)  # many ticks and group intervals: a repeat would be sent by now

    keys = [r.headers.get("Idempotency-Key") for r in hook.requests]
    assert keys and None not in keys
    assert len(keys) == len(set(keys)), f"a notification was delivered twice: {keys}"
    assert told_each_thing_once(hook) == ["firing", "resolved"]


def told_each_thing_once(hook: Any) -> list[str]:
    """The kinds of notifications sent, one per change: a spike that joins the incident
    after it was first told is news (an update), and so is an alert whose severity rose
    (as the dedupe stage judges); the same alerts told again are not."""
    sent = [
        (
            r.json()["incident"]["id"],
            r.json()["kind"],
            tuple(sorted((a["signal_id"], a["status"], a["severity"]) for a in r.json()["alerts"])),
        )
        for r in hook.requests
    ]
    assert len(sent) == len(set(sent)), f"an incident was told the same thing twice: {sent}"
    assert len({incident for incident, _, _ in sent}) == 1, sent
    kinds = [kind for _, kind, _ in sent]
    return [kind for n, kind in enumerate(kinds) if n == 0 or kind != kinds[n - 1]]
