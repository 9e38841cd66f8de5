"""Clean stops on the real broker: every long-running service stops within 10 s of SIGTERM,
whether the broker is up or gone, and what it finished stays finished (committed, stored once)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.structs import TopicPartition

from radar.broker import LocalBroker
from radar.store import Store
from streams.shutdown import EXIT_STOP_TIMEOUT
from tests.integration.conftest import Pipeline
from tests.integration.replay import produce, steady_feed
from tests.integration.test_faults import stored_ids

pytestmark = pytest.mark.integration

#: What the issue promises: stopped within this long of SIGTERM.
STOP_WITHIN_S = 10.0


def stop_timed(process: subprocess.Popen[bytes]) -> tuple[float, int | None]:
    """SIGTERM, then (seconds until it exited, its status; None: killed after 30 s)."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status: int | None = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        status = None
    return time.monotonic() - started, status


def wait_ready(pipeline: Pipeline, index: int) -> None:
    """Until the ``index``-th process started (a worker) says it is ready."""
    log = pipeline.data_dir / f"worker-{index}.log"
    pipeline.wait_for(
        lambda: log.exists() and "Worker]: Ready" in log.read_text(errors="replace"),
        timeout=60,
        what=f"{log.name} ready",
    )


def uncommitted(pipeline: Pipeline, group: str, base_topics: list[str]) -> int:
    """Records of these topics the group has not committed (every partition)."""
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=pipeline.bootstrap)
    try:
        tps = [
            TopicPartition(pipeline.topics.name(base), partition)
            for base in base_topics
            for partition in range(pipeline.settings.topic_partitions)
        ]
        committed = admin.list_group_offsets(group).get(group, {})
        ends = consumer.end_offsets(tps)
        return sum(
            ends[tp] - (committed[tp].offset if tp in committed else 0)
            for tp in tps
            if ends[tp] > 0
        )
    finally:
        admin.close()
        consumer.close()


def test_worker_stops_within_10s_with_the_broker_up_or_gone(
    broker_pipeline: Pipeline, own_broker: LocalBroker
) -> None:
    pipeline = broker_pipeline
    group = pipeline.env["RADAR_WORKER_APP_ID"]
    feed = steady_feed(8, seed=5)
    half = len(feed.events) // 2
    produce(pipeline.settings, feed.events[:half])
    pipeline.env["RADAR_WORKER_BATCH_SIZE"] = "20"
    # a worker that could not leave the group (the broker was gone) is out of it soon
    pipeline.env["RADAR_WORKER_SESSION_TIMEOUT_S"] = "8"
    store = Store.from_settings(pipeline.settings)
    worker = pipeline.start("worker")
    pipeline.wait_for(lambda: stored_ids(store)[0] >= half, timeout=90, what=f"{half} stored")
    # stored is not counted yet: the sink can be done while counting's first batch runs, and
    # what a stop interrupts is read again (not committed); this part stops an idle worker
    pipeline.wait_for(
        lambda: uncommitted(pipeline, group, ["feedback.raw", "feedback.scored"]) == 0,
        timeout=60,
        what="every scored record counted and committed",
    )

    # the broker up: a clean stop commits everything the worker finished
    took, status = stop_timed(worker)
    assert status == 0, pipeline.logs()
    assert took < STOP_WITHIN_S, f"stopped after {took:.1f}s\n{pipeline.logs()}"
    assert uncommitted(pipeline, group, ["feedback.raw", "feedback.scored"]) == 0, pipeline.logs()
    before = stored_ids(store)
    assert before[0] == len(before[1]) == half

    # so a restart has nothing to do again: nothing scored twice, the store unchanged
    pipeline.start("worker")
    wait_ready(pipeline, 1)
    time.sleep(2)  # a batch read again would be scored and stored now
    assert len(pipeline.consume("feedback.scored", half, timeout=10)) == half
    assert stored_ids(store) == before

    # the broker killed mid-stream: the worker still stops in time
    produce(pipeline.settings, feed.events[half:])
    pipeline.wait_for(
        lambda: stored_ids(store)[0] >= half + 20, timeout=60, what="the second half under way"
    )
    own_broker.stop(timeout_s=0)  # SIGTERM and at once SIGKILL: no goodbye to its clients
    time.sleep(1)
    took, status = stop_timed(pipeline.processes[1])
    assert status in (0, EXIT_STOP_TIMEOUT), pipeline.logs()
    assert took < STOP_WITHIN_S, f"stopped after {took:.1f}s\n{pipeline.logs()}"

    # and nothing it had not finished is lost: the next worker stores the rest, once each
    own_broker.start()
    pipeline.start("worker")
    pipeline.wait_for(
        lambda: stored_ids(store)[0] >= len(feed.events), timeout=90, what="every event stored"
    )
    total, ids = stored_ids(store)
    assert total == len(ids) == len(feed.events)
    assert ids == {e.id for e in feed.events}


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_services(pipeline: Pipeline, inbox: Path, ports: tuple[int, int]) -> dict[str, Any]:
    """The alert service, the survey endpoint, a watched review folder and the HTTP API."""
    surveys, api = ports
    started = {
        "alerts": pipeline.start("alerts", "run", name="alerts"),
        "surveys": pipeline.start(
            "ingest", "surveys", "--serve", "--port", str(surveys), name="surveys"
        ),
        "reviews": pipeline.start(
            "ingest", "reviews", str(inbox), "--follow", "--poll-interval", "0.5", "--quiet",
            name="reviews",
        ),
        "api": pipeline.start("api", "--port", str(api), name="api"),
    }  # fmt: skip
    pipeline.wait_for(
        lambda: port_open(surveys) and port_open(api), timeout=60, what="the HTTP services"
    )
    alerts_log = pipeline.data_dir / "alerts-0.log"  # the first process started
    pipeline.wait_for(
        lambda: alerts_log.exists() and "alert service reading" in alerts_log.read_text(),
        timeout=60,
        what="the alert service reading",
    )
    time.sleep(2)  # the folder watcher polled, heartbeats went out
    for name, process in started.items():
        assert process.poll() is None, f"{name} died\n{pipeline.logs()}"
    return started


@pytest.mark.parametrize("broker", ["up", "gone"])
def test_every_other_service_stops_within_10s_with_the_broker_up_or_gone(
    broker: str,
    broker_pipeline: Pipeline,
    own_broker: LocalBroker,
    tmp_path: Path,
) -> None:
    from tests.ports import free_port

    pipeline = broker_pipeline
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    pipeline.env["RADAR_API_CLIENTS"] = json.dumps({"ops": {"role": "viewer", "token": "a" * 40}})
    services = start_services(pipeline, inbox, (free_port(), free_port()))
    if broker == "gone":
        own_broker.stop(timeout_s=0)  # SIGTERM and at once SIGKILL: no goodbye to its clients
        time.sleep(2)
    slow = {}
    for name, process in services.items():
        took, status = stop_timed(process)
        assert status is not None, f"{name} had to be killed\n{pipeline.logs()}"
        if took >= STOP_WITHIN_S:
            slow[name] = round(took, 1)
    assert not slow, f"stopped too slowly (broker {broker}): {slow}\n{pipeline.logs()}"
