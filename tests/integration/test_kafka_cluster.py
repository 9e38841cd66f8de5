"""The local three-node cluster (`radar kafka up --brokers 3`): topics replicated to three
nodes with two in sync, and the leader of the busiest partition SIGKILLed mid-stream costs no
acknowledged record and writes none twice. About a minute (the cluster starts once)."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.partitioner.default import murmur2

from ingest.producer import FeedbackProducer
from radar.broker import LocalCluster
from radar.events import FeedbackEvent, make_event_id
from radar.topics import ALL, Topics
from tests.integration.conftest import Pipeline

#: about 30 s each when they pass (the first starts the cluster); every wait below is bounded
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(150)]


def partitions(bootstrap: str, topics: list[str]) -> dict[tuple[str, int], dict[str, Any]]:
    """(topic, partition) → Kafka's description (leader, replicas, in-sync replicas)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return {
            (topic["name"], part["partition_index"]): part
            for topic in admin.describe_topics(topics)
            for part in topic["partitions"]
        }
    finally:
        admin.close()


def min_insync(bootstrap: str, topic: str) -> str:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        return str(found["topic"][topic]["min.insync.replicas"]["value"])
    finally:
        admin.close()


def test_up_with_three_brokers_replicates_every_topic_to_three_with_two_in_sync(
    kafka_cluster: LocalCluster,
) -> None:
    assert [state.running for state in kafka_cluster.status()] == [True, True, True]
    described = partitions(kafka_cluster.bootstrap, list(ALL))
    assert {topic for topic, _ in described} == set(ALL)  # `up` created them, unprefixed
    for part in described.values():
        assert sorted(part["replica_nodes"]) == [1, 2, 3]
    assert {min_insync(kafka_cluster.bootstrap, topic) for topic in ALL} == {"2"}


def event(n: int) -> FeedbackEvent:
    at = datetime(2026, 11, 20, 8, tzinfo=UTC) + timedelta(seconds=n)
    return FeedbackEvent(
        id=make_event_id("review", "cluster", str(n)),
        channel="review",
        source="cluster",
        external_id=str(n),
        text=f"快递第{n}天还没到",
        created_at=at,
        ingested_at=at,
    )


def partition_of(event_id: str, partitions: int) -> int:
    """The partition kafka-python's default partitioner gives a record keyed by the id."""
    return (murmur2(event_id.encode("utf-8")) & 0x7FFFFFFF) % partitions


def skewed_stream(count: int, partitions: int, hot: int) -> list[FeedbackEvent]:
    """``count`` events, two in three of them keyed to partition ``hot`` (a viral complaint),
    interleaved: the hot partition is the busiest by far."""
    hot_events: list[FeedbackEvent] = []
    others: list[FeedbackEvent] = []
    n = 0
    while len(hot_events) < count * 2 // 3 or len(others) < count - count * 2 // 3:
        made = event(n)
        n += 1
        if partition_of(made.id, partitions) == hot:
            hot_events.append(made)
        else:
            others.append(made)
    hot_events, others = hot_events[: count * 2 // 3], others[: count - count * 2 // 3]
    stream: list[FeedbackEvent] = []
    while hot_events or others:
        stream += hot_events[:2] + others[:1]
        hot_events, others = hot_events[2:], others[1:]
    return stream


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


def read_ids(bootstrap: str, topic: str, expected: int, timeout: float = 60) -> list[str]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
    )
    ids: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while len(ids) < expected and time.monotonic() < deadline:
            ids.extend(json.loads(message.value)["id"] for message in consumer)
    finally:
        consumer.close()
    return ids


def test_the_busiest_partitions_leader_killed_mid_stream_costs_no_acknowledged_record(
    cluster_pipeline: Pipeline, kafka_cluster: LocalCluster
) -> None:
    settings = cluster_pipeline.settings
    topic = Topics.from_settings(settings).raw
    hot = 1
    stream = skewed_stream(3000, settings.topic_partitions, hot)
    before, in_flight, after = stream[:900], stream[900:1500], stream[1500:]
    with FeedbackProducer(settings) as producer:
        for item in before:
            producer.send_event(item)
        assert producer.flush(timeout_s=60).events == len(before)
        written = end_offsets(kafka_cluster.bootstrap, topic)
        busiest = max(written, key=lambda part: written[part])
        assert busiest == hot and written[hot] == 600, written

        leader = partitions(kafka_cluster.bootstrap, [topic])[(topic, busiest)]["leader_id"]
        victim = kafka_cluster.node(leader)
        pid = victim.pid()
        assert pid is not None
        for item in in_flight:  # sent, not yet acknowledged (the producer lingers, batches)
            producer.send_event(item)
        os.kill(pid, signal.SIGKILL)  # without a word, its unacknowledged batches with it
        for item in after:
            producer.send_event(item)
        # retried on the new leader; two of three replicas in sync suffice
        assert producer.flush(timeout_s=120).events == len(in_flight) + len(after)

    alive = ",".join(n.bootstrap for n in kafka_cluster.nodes if n.node_id != leader)
    now = partitions(alive, [topic])[(topic, busiest)]
    assert now["leader_id"] not in (leader, -1) and leader not in now["isr_nodes"]
    ids = read_ids(alive, topic, len(stream))
    assert len(ids) == len(set(ids)), "a record was stored twice"  # the idempotent producer
    assert sorted(ids) == sorted(e.id for e in stream), "an acknowledged record was lost"
    assert end_offsets(alive, topic)[hot] == 2000

    victim.start()  # back from its own log; it catches up and rejoins every in-sync set
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = partitions(kafka_cluster.bootstrap, [topic]).values()
        if all(sorted(p["isr_nodes"]) == [1, 2, 3] for p in described):
            break
        time.sleep(1)
    else:
        pytest.fail(f"node {leader} did not rejoin the in-sync replicas: {list(described)}")
