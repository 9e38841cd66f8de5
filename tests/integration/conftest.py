"""Integration fixtures: a real Kafka broker per test session, a fresh topic prefix per test."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer

from radar.broker import LocalBroker, LocalCluster
from radar.settings import BrokerSettings, CoreSettings
from radar.topics import Topics, ensure_topics
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
RADAR = str(Path(sys.executable).with_name("radar"))


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real single-node Kafka on free loopback ports, for the whole session."""
    settings = BrokerSettings(
        port=free_port(),
        controller_port=free_port(),
        cache_dir=ROOT / ".cache" / "kafka",
        heap_mb=512,
    )
    broker = LocalBroker(settings, tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def spaced_free_ports(nodes: int) -> tuple[int, int]:
    """A client and a controller port such that both + 2i (i < nodes) are free: the ports
    `radar kafka up --brokers N --port P --controller-port C` gives its nodes."""
    import socket

    for _ in range(50):
        port, controller = free_port(), free_port()
        wanted = [base + 2 * i for base in (port, controller) for i in range(nodes)]
        if len(set(wanted)) != len(wanted) or max(wanted) > 65535:
            continue
        with contextlib.ExitStack() as held:
            try:
                for candidate in wanted:
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
        return port, controller
    raise AssertionError("no free loopback ports spaced by two")


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A real three-node KRaft cluster on free loopback ports for the session, started as a
    user does (`radar kafka up --brokers 3`, which also creates Radar's unprefixed topics)."""
    data = tmp_path_factory.mktemp("cluster")
    port, controller = spaced_free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(
        {
            "RADAR_DATA_DIR": str(data),
            "RADAR_BROKER_CACHE_DIR": str(ROOT / ".cache" / "kafka"),
            "RADAR_BROKER_HEAP_MB": "384",
        }
    )
    command = ["kafka", "up", "--brokers", "3", "--port", str(port)]
    command += ["--controller-port", str(controller)]
    settings = BrokerSettings(
        port=port, controller_port=controller, cache_dir=ROOT / ".cache" / "kafka", heap_mb=384
    )
    try:
        up = subprocess.run([RADAR, *command], env=env, timeout=140, capture_output=True, text=True)
        assert up.returncode == 0, f"radar {' '.join(command)} failed:\n{up.stdout}\n{up.stderr}"
        yield LocalCluster(settings, data / "kafka-cluster", brokers=3)  # the layout `up` kept
    finally:
        subprocess.run([RADAR, "kafka", "down"], env=env, timeout=120, capture_output=True)


@dataclass
class Pipeline:
    """One test's slice of the system: its settings, env for subprocesses, and helpers."""

    bootstrap: str
    env: dict[str, str]
    data_dir: Path
    settings: CoreSettings
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def topics(self) -> Topics:
        return Topics.from_settings(self.settings)

    def radar(
        self, *args: str, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run the radar CLI as a user would."""
        result = subprocess.run(
            [RADAR, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            command = " ".join(args)
            msg = f"radar {command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            raise AssertionError(msg)
        return result

    def start(self, *args: str, name: str = "worker") -> subprocess.Popen[bytes]:
        """Start a long-running radar command; stopped when the test ends."""
        log = (self.data_dir / f"{name}-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [RADAR, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def use_store(self, url: str) -> None:
        """The store of every service started from now on, and of the test's own reads."""
        self.env["RADAR_STORE_URL"] = url
        self.settings = self.settings.model_copy(update={"store_url": url})

    def report(self) -> dict[str, Any]:
        return json.loads(self.radar("report", "--json").stdout)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 90, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.logs()}")

    def logs(self, tail: int = 3000) -> str:
        """The end of every process log, for failure messages."""
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(errors="replace")[-tail:]
            for p in sorted(self.data_dir.glob("*.log"))
        )

    def consume(
        self, base_topic: str, expected: int, timeout: float = 60, *, distinct: bool = False
    ) -> list[dict[str, Any]]:
        """All records of a topic (from the start) once at least ``expected`` arrived
        (``distinct``: records with different ids, so redeliveries do not count twice)."""
        consumer = KafkaConsumer(
            self.topics.name(base_topic),
            bootstrap_servers=self.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            consumer_timeout_ms=1000,
        )
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                records.extend(json.loads(m.value) for m in consumer)
                arrived = len({r.get("id") for r in records}) if distinct else len(records)
                if arrived >= expected:
                    break
        finally:
            consumer.close()
        return records

    def lag(self, group: str) -> int:
        """Messages the consumer group has not committed yet, over all its topics."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        try:
            offsets = admin.list_group_offsets(group).get(group, {})
            if not offsets:
                return -1
            ours = {
                tp: meta.offset
                for tp, meta in offsets.items()
                if tp.topic.startswith(self.settings.topic_prefix)
            }
            ends = consumer.end_offsets(list(ours))
            return sum(max(0, ends[tp] - committed) for tp, committed in ours.items())
        finally:
            admin.close()
            consumer.close()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def pipeline(
    kafka_broker: str, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    """Settings for one test: the session broker, a fresh topic prefix and consumer group."""
    tag = uuid.uuid4().hex[:8]
    values = {
        "RADAR_KAFKA_BOOTSTRAP": kafka_broker,
        "RADAR_TOPIC_PREFIX": f"t{tag}.",
        "RADAR_WORKER_APP_ID": f"radar-worker-{tag}",
        "RADAR_WORKER_BATCH_WITHIN_S": "0.2",
        "RADAR_WORKER_STATS_INTERVAL_S": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    env = dict(os.environ.items())
    settings = CoreSettings()
    ensure_topics(settings)
    isolated_settings.mkdir(parents=True, exist_ok=True)
    running = Pipeline(kafka_broker, env, isolated_settings, settings)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def cluster_pipeline(
    kafka_cluster: LocalCluster, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    """What ``pipeline`` gives, on the three-node cluster (every node running at the start),
    with topics replicated to three nodes as a production deployment has them."""
    kafka_cluster.start()  # a node an earlier test killed and left down is back
    tag = uuid.uuid4().hex[:8]
    values = {
        "RADAR_KAFKA_BOOTSTRAP": kafka_cluster.bootstrap,
        "RADAR_TOPIC_PREFIX": f"c{tag}.",
        "RADAR_TOPIC_REPLICATION": "3",
        "RADAR_WORKER_APP_ID": f"radar-worker-{tag}",
        "RADAR_WORKER_BATCH_WITHIN_S": "0.2",
        "RADAR_WORKER_STATS_INTERVAL_S": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = CoreSettings()
    ensure_topics(settings)
    isolated_settings.mkdir(parents=True, exist_ok=True)
    running = Pipeline(
        kafka_cluster.bootstrap, dict(os.environ.items()), isolated_settings, settings
    )
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own (the session's must not go down under other tests)."""
    settings = BrokerSettings(
        port=free_port(),
        controller_port=free_port(),
        cache_dir=ROOT / ".cache" / "kafka",
        heap_mb=384,
    )
    broker = LocalBroker(settings, tmp_path / "kafka")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def broker_pipeline(
    own_broker: LocalBroker, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    """What the ``pipeline`` fixture gives, on :func:`own_broker`."""
    tag = uuid.uuid4().hex[:8]
    values = {
        "RADAR_KAFKA_BOOTSTRAP": own_broker.bootstrap,
        "RADAR_TOPIC_PREFIX": f"t{tag}.",
        "RADAR_WORKER_APP_ID": f"radar-worker-{tag}",
        "RADAR_WORKER_BATCH_WITHIN_S": "0.2",
        "RADAR_WORKER_STATS_INTERVAL_S": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = CoreSettings()
    ensure_topics(settings)
    isolated_settings.mkdir(parents=True, exist_ok=True)
    running = Pipeline(own_broker.bootstrap, dict(os.environ.items()), isolated_settings, settings)
    try:
        yield running
    finally:
        running.stop_all()


__all__ = ["Pipeline", "free_port", "spaced_free_ports"]
