"""Shared kernel: the Kafka topic names (contract), in one place."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from radar.settings import CoreSettings, KafkaSecurity

log = logging.getLogger(__name__)

RAW = "feedback.raw"
DEADLETTER = "feedback.deadletter"
SCORED = "feedback.scored"
SIGNALS = "feedback.signals"
INCIDENTS = "feedback.incidents"
HEARTBEATS = "feedback.heartbeats"

#: Every topic Radar creates, in pipeline order.
ALL: tuple[str, ...] = (RAW, DEADLETTER, SCORED, SIGNALS, INCIDENTS, HEARTBEATS)


@dataclass(frozen=True)
class Topics:
    """Topic names with the deployment's prefix applied."""

    prefix: str = ""

    @classmethod
    def from_settings(cls, settings: CoreSettings) -> Topics:
        return cls(prefix=settings.topic_prefix)

    def name(self, base: str) -> str:
        if base not in ALL:
            msg = f"unknown topic {base!r}; known topics: {', '.join(ALL)}"
            raise ValueError(msg)
        return f"{self.prefix}{base}"

    @property
    def raw(self) -> str:
        return self.name(RAW)

    @property
    def deadletter(self) -> str:
        return self.name(DEADLETTER)

    @property
    def scored(self) -> str:
        return self.name(SCORED)

    @property
    def signals(self) -> str:
        return self.name(SIGNALS)

    @property
    def incidents(self) -> str:
        return self.name(INCIDENTS)

    @property
    def heartbeats(self) -> str:
        return self.name(HEARTBEATS)

    def all(self) -> list[str]:
        return [self.name(base) for base in ALL]


def min_insync_replicas(replication: int) -> int:
    """Replicas that must have a record before it counts as written (with ``acks=all``):
    a majority from three replicas on, so one broker may be lost without losing a record
    or stopping producers; 1 below three, where a majority would stop them instead."""
    return replication // 2 + 1 if replication >= 3 else 1


def topic_configs(replication: int) -> dict[str, str]:
    """The configuration every topic Radar creates gets (its own, and those Faust declares:
    the worker's windows topic and table changelogs), whatever the brokers' defaults."""
    return {"min.insync.replicas": str(min_insync_replicas(replication))}


def ensure_topics(
    settings: CoreSettings,
    *,
    extra: Sequence[str] = (),
    timeout_s: float = 30.0,
    security: KafkaSecurity | None = None,
) -> list[str]:
    """Create every missing Radar topic (and ``extra`` full names); returns those created.

    Partitions and replication come from the settings; from a replication of three on,
    a topic also wants a majority of its replicas in sync (``min.insync.replicas``, 2 of
    3) before a write with ``acks=all`` (every producer of Radar's) counts, so losing one
    broker loses no record. Existing topics are left as they are (Kafka cannot shrink
    partitions).
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    names = [*Topics.from_settings(settings).all(), *extra]
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="radar-topics",
        request_timeout_ms=int(timeout_s * 1000),
        bootstrap_timeout_ms=int(timeout_s * 1000),
        **(security or KafkaSecurity()).kafka_python(),
    )
    try:
        existing = set(admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            replication = settings.topic_replication
            _warn_if_underreplicated(replication, len(admin.describe_cluster()["brokers"]))
            configs = topic_configs(replication)
            new = [
                NewTopic(name, settings.topic_partitions, replication, topic_configs=configs)
                for name in missing
            ]
            # another process may have created them first; that is fine
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
        return missing
    finally:
        admin.close()


def _warn_if_underreplicated(replication: int, brokers: int) -> None:
    if brokers > 1 and replication < min(3, brokers):
        log.warning(
            "creating topics with replication %d on a cluster of %d brokers: a broker lost "
            "takes records with it; set RADAR_TOPIC_REPLICATION=%d",
            replication,
            brokers,
            min(3, brokers),
        )


def describe_topics(
    settings: CoreSettings, *, security: KafkaSecurity | None = None
) -> dict[str, int]:
    """Every topic in the cluster with its partition count (internal ones excluded)."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id="radar-status",
        **(security or KafkaSecurity()).kafka_python(),
    )
    try:
        names = sorted(n for n in admin.list_topics() if not n.startswith("__"))
        if not names:
            return {}
        described = admin.describe_topics(names)
        # kafka-python 3 says "name", 2.x said "topic"
        return {d.get("name") or d["topic"]: len(d["partitions"]) for d in described}
    finally:
        admin.close()
