"""The local cluster's layout and node configuration (the nodes run in integration tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from radar.broker import LocalCluster
from radar.broker.cluster import existing_cluster
from radar.errors import BrokerError
from radar.settings import BrokerSettings

SETTINGS = BrokerSettings(port=19092, controller_port=19093)


def props(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def test_three_nodes_vote_together_on_ports_spaced_by_two(tmp_path: Path) -> None:
    cluster = LocalCluster(SETTINGS, tmp_path / "cluster", brokers=3, partitions=6)
    for node in cluster.nodes:
        node.write_config()
    configs = [props(node.config_file) for node in cluster.nodes]
    voters = "1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097"
    assert [c["node.id"] for c in configs] == ["1", "2", "3"]
    assert {c["controller.quorum.voters"] for c in configs} == {voters}
    assert [c["listeners"] for c in configs] == [
        f"PLAINTEXT://127.0.0.1:{client},CONTROLLER://127.0.0.1:{client + 1}"
        for client in (19092, 19094, 19096)
    ]
    assert cluster.bootstrap == "127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096"
    assert len({c["log.dirs"] for c in configs}) == 3
    for config in configs:
        assert config["num.partitions"] == "6"
        assert config["default.replication.factor"] == "3"
        assert config["offsets.topic.replication.factor"] == "3"
        assert config["min.insync.replicas"] == "2"
        assert config["transaction.state.log.min.isr"] == "2"


def test_a_single_broker_keeps_replication_one(tmp_path: Path) -> None:
    from radar.broker import LocalBroker

    broker = LocalBroker(SETTINGS, tmp_path / "kafka")
    broker.write_config()
    config = props(broker.config_file)
    assert config["offsets.topic.replication.factor"] == "1"
    assert config["min.insync.replicas"] == "1"


def test_the_layout_is_kept_so_down_and_status_find_the_nodes(tmp_path: Path) -> None:
    home = tmp_path / "cluster"
    assert existing_cluster(SETTINGS, home, users=None) is None
    made = LocalCluster(SETTINGS, home, brokers=3, ports=[(1, 2), (3, 4), (5, 6)])
    home.mkdir()
    made.layout_file.write_text(json.dumps(made.layout.as_dict()))
    found = existing_cluster(BrokerSettings(), home, users=None)
    assert found is not None
    assert found.bootstrap == "127.0.0.1:1,127.0.0.1:3,127.0.0.1:5"
    assert found.layout == made.layout  # the cluster id the nodes were formatted with
    with pytest.raises(BrokerError, match="made with 3 brokers"):
        LocalCluster(SETTINGS, home, brokers=5)


def test_overlapping_ports_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="ports overlap"):
        LocalCluster(BrokerSettings(port=9092, controller_port=9094), tmp_path, brokers=3)


def test_the_nodes_share_the_broker_users_password(tmp_path: Path) -> None:
    cluster = LocalCluster(SETTINGS, tmp_path / "cluster", brokers=3, users={"radar": "pw"})
    passwords = {node.client_security()["sasl_plain_password"] for node in cluster.nodes}
    assert len(passwords) == 1
    assert (tmp_path / "cluster" / "broker-user.key").stat().st_mode & 0o077 == 0
