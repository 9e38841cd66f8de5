"""The local broker's files and process bookkeeping (the broker runs in integration tests)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from radar.broker import LocalBroker
from radar.broker.server import _kafka_uuid
from radar.settings import BrokerSettings


def make(tmp_path: Path) -> LocalBroker:
    return LocalBroker(
        BrokerSettings(port=19092, controller_port=19093), tmp_path / "kafka", partitions=6
    )


def test_config_is_single_node_kraft_on_loopback(tmp_path: Path) -> None:
    broker = make(tmp_path)
    broker.write_config()
    props = dict(line.split("=", 1) for line in broker.config_file.read_text().splitlines() if line)
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["num.partitions"] == "6"
    assert Path(props["log.dirs"]).is_relative_to(tmp_path)
    assert broker.bootstrap == "127.0.0.1:19092"


def test_cluster_id_is_16_bytes_url_safe() -> None:
    cluster_id = _kafka_uuid()
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    assert _kafka_uuid() != cluster_id


def test_a_stale_pid_file_is_not_a_running_broker(tmp_path: Path) -> None:
    broker = make(tmp_path)
    broker.home.mkdir(parents=True)
    broker.pid_file.write_text(str(os.getpid()))  # alive, but not a Kafka started with our config
    assert broker.pid() is None
    assert broker.status().running is False
    assert broker.stop() is False
    assert not broker.pid_file.exists()
