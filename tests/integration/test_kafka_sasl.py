"""Radar's clients on a real broker that wants a SCRAM user (SASL_PLAINTEXT on loopback)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.errors import KafkaError

from ingest.producer import FeedbackProducer
from radar.broker import LocalBroker, broker_answers, local_broker
from radar.errors import RadarError
from radar.events import FeedbackEvent
from radar.settings import BrokerSettings, CoreSettings, KafkaSecurity
from radar.topics import Topics, ensure_topics
from streams.group import commit_start_offsets
from streams.progress import Offsets
from tests.integration.conftest import RADAR, ROOT
from tests.ports import free_port

pytestmark = pytest.mark.integration

USER, PASSWORD = "radar", "scram-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A second local broker whose only listener for clients wants SCRAM credentials."""
    settings = BrokerSettings(
        port=free_port(),
        controller_port=free_port(),
        cache_dir=ROOT / ".cache" / "kafka",
        heap_mb=512,
    )
    broker = LocalBroker(settings, tmp_path_factory.mktemp("kafka-sasl"), users={USER: PASSWORD})
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def sasl_env(sasl_broker: LocalBroker, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "RADAR_KAFKA_BOOTSTRAP": sasl_broker.bootstrap,
        "RADAR_TOPIC_PREFIX": f"s{uuid.uuid4().hex[:8]}.",
        "RADAR_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "RADAR_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
        "RADAR_KAFKA_SASL_USERNAME": USER,
        "RADAR_KAFKA_SASL_PASSWORD": PASSWORD,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


def _event(n: int) -> FeedbackEvent:
    now = "2026-11-20T10:00:00+00:00"
    return FeedbackEvent.model_validate(
        {
            "id": f"sasl-event-{n:04d}",
            "channel": "review",
            "source": "sasl",
            "external_id": str(n),
            "text": "物流太慢了",
            "created_at": now,
            "ingested_at": now,
        }
    )


def test_the_broker_config_has_no_listener_without_a_password(sasl_broker: LocalBroker) -> None:
    props = dict(
        line.split("=", 1) for line in sasl_broker.config_file.read_text().splitlines() if line
    )
    assert props["listeners"].startswith("SASL_PLAINTEXT://127.0.0.1:")
    assert "PLAINTEXT://" not in props["listeners"].replace("SASL_PLAINTEXT://", "")
    assert props["inter.broker.listener.name"] == "SASL_PLAINTEXT"


def test_radars_clients_produce_and_consume_with_the_right_user(sasl_env: dict[str, str]) -> None:
    core = CoreSettings()
    topics = Topics.from_settings(core)
    assert topics.raw in ensure_topics(core)  # the admin client
    with FeedbackProducer(core, client_id="radar-sasl-test") as producer:
        for n in range(5):
            producer.send_event(_event(n))
        assert producer.flush().events == 5
    assert commit_start_offsets(core.kafka_bootstrap, "radar-sasl-group", [topics.raw]) > 0

    async def read_back() -> list[bytes]:  # the worker's aiokafka clients
        offsets = Offsets(core.kafka_bootstrap)
        try:
            _, ends = await offsets.bounds([_tp(topics.raw, p) for p in range(4)])
            lag = await offsets.lag("radar-sasl-group", topics.raw, 4)
            assert lag == 5
            values: list[bytes] = []
            for partition, end in ends.items():
                values += [v for _, v in await offsets.read(topics.raw, partition, 0, end)]
            return values
        finally:
            await offsets.close()

    values = asyncio.run(read_back())
    assert sorted(json.loads(v)["id"] for v in values) == [f"sasl-event-{n:04d}" for n in range(5)]


def test_the_connector_cli_and_the_worker_run_through_sasl(
    sasl_env: dict[str, str], tmp_path: Path
) -> None:
    """`radar ingest` and `radar worker` as processes, credentials from the environment only;
    the scored events are read back with a kafka-python consumer made from KafkaSecurity."""
    source = tmp_path / "reviews.jsonl"
    source.write_text(
        "\n".join(json.dumps({"id": str(n), "text": "质量太差了，要退货"}) for n in range(3)),
        encoding="utf-8",
    )
    ingest = subprocess.run(
        [RADAR, "ingest", "reviews", str(source), "--json"],
        env=sasl_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout)["events"] == 3
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [RADAR, "worker", "--metrics-port", str(free_port())],
        env={**sasl_env, "RADAR_WORKER_APP_ID": f"radar-sasl-{uuid.uuid4().hex[:6]}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        scored = _consume(Topics.from_settings(CoreSettings()).scored, 3, timeout=120)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len({record["id"] for record in scored}) == 3, (tmp_path / "worker.log").read_text()
    assert all(record["is_complaint"] for record in scored)


@pytest.mark.parametrize(
    ("wrong", "logged"),
    [
        ({"RADAR_KAFKA_SASL_PASSWORD": "not-the-password"}, "Failed authentication"),
        ({"RADAR_KAFKA_SASL_USERNAME": "mallory"}, "Failed authentication"),
        ({"RADAR_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, None),
    ],
)
def test_wrong_credentials_are_refused(
    sasl_broker: LocalBroker,
    sasl_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    wrong: dict[str, str],
    logged: str | None,
) -> None:
    assert broker_answers(sasl_broker.bootstrap, security=KafkaSecurity().kafka_python())
    log = sasl_broker.log_file
    failures_before = log.read_text(errors="replace").count("Failed authentication")
    for name, value in wrong.items():
        monkeypatch.setenv(name, value)
    core = CoreSettings()
    assert not broker_answers(sasl_broker.bootstrap, security=KafkaSecurity().kafka_python())
    with pytest.raises(KafkaError, match="Unable to bootstrap"):
        ensure_topics(core, timeout_s=5)
    with pytest.raises(RadarError, match="cannot reach Kafka"):
        FeedbackProducer(core, bootstrap_timeout_ms=5000)
    if logged is not None:  # refused for the credentials, not for being away
        assert log.read_text(errors="replace").count(logged) > failures_before


def test_radar_kafka_up_takes_the_clients_user(
    sasl_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`radar kafka up` with SASL settings starts a broker for exactly that user."""
    monkeypatch.setenv("RADAR_BROKER_PORT", str(free_port()))
    monkeypatch.setenv("RADAR_BROKER_CONTROLLER_PORT", str(free_port()))
    broker = local_broker()
    assert broker.users == {USER: PASSWORD}
    monkeypatch.setenv("RADAR_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    with pytest.raises(RadarError, match="real cluster"):
        local_broker()


def _tp(topic: str, partition: int) -> object:
    from aiokafka.structs import TopicPartition

    return TopicPartition(topic, partition)


def _consume(topic: str, expected: int, timeout: float) -> list[dict[str, object]]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=CoreSettings().kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
        **KafkaSecurity().kafka_python(),
    )
    records: list[dict[str, object]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len({r["id"] for r in records}) < expected:
            records.extend(json.loads(m.value) for m in consumer)
    finally:
        consumer.close()
    return records
