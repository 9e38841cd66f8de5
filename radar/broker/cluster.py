"""Local broker: a cluster of Kafka nodes (KRaft, each broker and controller) on loopback.

What a replicated production cluster does, on one machine, from the same jars as the
single broker: three nodes elect a controller among themselves, topics are replicated
to three of them and want two in sync, so one node may be killed (by a test, say) and
producers with ``acks=all`` and consumers carry on. The layout (ports, cluster id) is
kept in ``cluster.json`` in the cluster's folder, so ``down`` and ``status`` find it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.broker.server import BrokerStatus, LocalBroker, kafka_uuid
from radar.errors import BrokerError
from radar.settings import BrokerSettings

#: Most nodes ``radar kafka up --brokers`` starts (each is a JVM with its own heap).
MAX_BROKERS = 5


@dataclass(frozen=True)
class Layout:
    """Where each node listens, and the id the nodes' storage was formatted with."""

    ports: tuple[tuple[int, int], ...]  # (client, controller) per node, node ids from 1
    cluster_id: str

    @classmethod
    def spaced(cls, settings: BrokerSettings, brokers: int) -> Layout:
        """Node i (from 0) on the settings' ports + 2i: 9092/9093, 9094/9095, 9096/9097."""
        ports = tuple(
            (settings.port + 2 * i, settings.controller_port + 2 * i) for i in range(brokers)
        )
        return cls(ports, kafka_uuid())

    def as_dict(self) -> dict[str, Any]:
        return {"ports": [list(pair) for pair in self.ports], "cluster_id": self.cluster_id}


class LocalCluster:
    """``brokers`` Kafka nodes whose files live in ``home/node-<id>``.

    ``ports`` pins each node's (client, controller) ports; without it they are the
    settings' ports spaced by two. Replication of what Kafka creates itself, and the
    default of every topic, is three (or the number of nodes, when fewer).
    """

    def __init__(
        self,
        settings: BrokerSettings,
        home: Path,
        *,
        brokers: int = 3,
        ports: Sequence[tuple[int, int]] | None = None,
        partitions: int = 4,
        users: Mapping[str, str] | None = None,
    ) -> None:
        if not 1 <= brokers <= MAX_BROKERS:
            msg = f"a local cluster has 1 to {MAX_BROKERS} brokers, not {brokers}"
            raise BrokerError(msg)
        self.settings = settings
        self.home = home
        self.layout = self._layout(brokers, ports)
        every_port = [port for pair in self.layout.ports for port in pair]
        if len(set(every_port)) != len(every_port):
            msg = (
                f"the nodes' ports overlap ({every_port}); choose a controller port that is "
                "not within 2 x brokers of the client port (--port, --controller-port)"
            )
            raise BrokerError(msg)
        voters = ",".join(
            f"{node}@{settings.host}:{controller}"
            for node, (_client, controller) in enumerate(self.layout.ports, start=1)
        )
        self.replication = min(3, brokers)
        self.nodes = [
            LocalBroker(
                settings.model_copy(update={"port": client, "controller_port": controller}),
                home / f"node-{node}",
                partitions=partitions,
                users=users,
                node_id=node,
                voters=voters,
                cluster_id=self.layout.cluster_id,
                replication=self.replication,
                broker_key=home / "broker-user.key",
            )
            for node, (client, controller) in enumerate(self.layout.ports, start=1)
        ]

    @property
    def layout_file(self) -> Path:
        return self.home / "cluster.json"

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    def _layout(self, brokers: int, ports: Sequence[tuple[int, int]] | None) -> Layout:
        """The layout the nodes were formatted with, if any (it cannot change), else a new one."""
        wanted = tuple((int(a), int(b)) for a, b in ports) if ports else None
        if self.layout_file.exists():
            kept = json.loads(self.layout_file.read_text(encoding="utf-8"))
            layout = Layout(tuple((a, b) for a, b in kept["ports"]), kept["cluster_id"])
            if len(layout.ports) == brokers and wanted in (None, layout.ports):
                return layout
            msg = (
                f"the cluster in {self.home} was made with {len(layout.ports)} brokers on "
                f"{list(layout.ports)}; stop it and remove that folder to start another"
            )
            raise BrokerError(msg)
        if wanted is not None:
            if len(wanted) != brokers:
                msg = f"{len(wanted)} port pairs for {brokers} brokers"
                raise BrokerError(msg)
            return Layout(wanted, kafka_uuid())
        return Layout.spaced(self.settings, brokers)

    def start(self) -> list[int]:
        """Start every node that is not running, wait until all of them answer; their pids."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.layout_file.write_text(json.dumps(self.layout.as_dict()), encoding="utf-8")
        try:
            # a node answers only once a majority of controllers runs: start all (formatting
            # each node's storage is a JVM of its own, so side by side), then wait
            with ThreadPoolExecutor(len(self.nodes)) as pool:
                pids = list(pool.map(lambda node: node.start(wait=False), self.nodes))
            for node in self.nodes:
                node.wait_ready()
            self.wait_for_brokers(len(self.nodes))
        except BrokerError:
            self.stop()
            raise
        return pids

    def wait_for_brokers(self, count: int, timeout_s: float | None = None) -> None:
        """Return once the cluster's metadata lists ``count`` live brokers."""
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        deadline = time.monotonic() + (timeout_s or self.settings.start_timeout_s)
        live = 0
        while time.monotonic() < deadline:
            try:
                admin = KafkaAdminClient(
                    bootstrap_servers=self.bootstrap, **self.nodes[0].client_security()
                )
            except (KafkaError, OSError, ValueError):
                time.sleep(0.5)
                continue
            try:
                live = len(admin.describe_cluster()["brokers"])
            except (KafkaError, OSError):
                live = 0
            finally:
                admin.close()
            if live >= count:
                return
            time.sleep(0.5)
        msg = f"the cluster on {self.bootstrap} lists {live} of {count} brokers; see the logs"
        raise BrokerError(msg)

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop every node at once (one by one, the last ones would wait for a quorum gone)."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            stopped = list(pool.map(lambda node: node.stop(timeout_s), self.nodes))
        return any(stopped)

    def status(self) -> list[BrokerStatus]:
        return [node.status() for node in self.nodes]

    def node(self, node_id: int) -> LocalBroker:
        """The node with that id (from 1), to kill or restart one on its own."""
        return self.nodes[node_id - 1]


def existing_cluster(
    settings: BrokerSettings, home: Path, *, partitions: int = 4, users: Mapping[str, str] | None
) -> LocalCluster | None:
    """The cluster whose layout ``home`` keeps, or None when no cluster was made there."""
    layout = home / "cluster.json"
    if not layout.exists():
        return None
    ports = [tuple(pair) for pair in json.loads(layout.read_text(encoding="utf-8"))["ports"]]
    return LocalCluster(
        settings,
        home,
        brokers=len(ports),
        ports=[(int(a), int(b)) for a, b in ports],
        partitions=partitions,
        users=users,
    )
