"""Shared kernel: the Kafka topic names (contract), in one place."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from radar.settings import CoreSettings, KafkaSecurity

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


def ensure_topics(
    settings: CoreSettings,
    *,
    extra: Sequence[str] = (),
    timeout_s: float = 30.0,
    security: KafkaSecurity | None = None,
) -> list[str]:
    """Create every missing Radar topic (and ``extra`` full names); returns those created.

    Partitions and replication come from the settings; existing topics are
    left as they are (Kafka cannot shrink partitions).
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
            new = [
                NewTopic(name, settings.topic_partitions, settings.topic_replication)
                for name in missing
            ]
            # another process may have created them first; that is fine
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
        return missing
    finally:
        admin.close()


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
