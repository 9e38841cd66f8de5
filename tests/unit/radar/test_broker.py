"""The local broker's files and process bookkeeping (the broker runs in integration tests)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from radar.broker import LocalBroker
from radar.broker.server import kafka_uuid
from radar.errors import BrokerError
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
    cluster_id = kafka_uuid()
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    assert kafka_uuid() != cluster_id


def test_cluster_id_never_reads_as_an_option() -> None:
    # one URL-safe id in 64 begins with "-"; 2000 draws would meet dozens
    assert not [text for text in (kafka_uuid() for _ in range(2000)) if text.startswith("-")]


def test_a_stale_pid_file_is_not_a_running_broker(tmp_path: Path) -> None:
    broker = make(tmp_path)
    broker.home.mkdir(parents=True)
    broker.pid_file.write_text(str(os.getpid()))  # alive, but not a Kafka started with our config
    assert broker.pid() is None
    assert broker.status().running is False
    assert broker.stop() is False
    assert not broker.pid_file.exists()


def test_with_users_the_client_listener_wants_scram_and_the_broker_has_its_own_user(
    tmp_path: Path,
) -> None:
    broker = LocalBroker(
        BrokerSettings(port=19092, controller_port=19093),
        tmp_path / "kafka",
        users={"radar": "pw-radar"},
    )
    broker.write_config()
    text = broker.config_file.read_text()
    props = dict(line.split("=", 1) for line in text.splitlines() if line)
    assert props["listeners"] == "SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["inter.broker.listener.name"] == "SASL_PLAINTEXT"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-256,SCRAM-SHA-512"
    assert "pw-radar" not in text  # clients' passwords live in the metadata log, hashed
    key = broker.home / "broker-user.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert broker.client_security()["sasl_plain_password"] == key.read_text().strip()


def test_a_user_whose_password_would_break_the_format_command_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="password without"):
        LocalBroker(BrokerSettings(), tmp_path, users={"radar": 'a"b'})
