"""Connectors: the Kafka producer every connector uses (acks=all, idempotent, compressed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from radar.errors import RadarError
from radar.events import DeadLetter, FeedbackEvent, Heartbeat
from radar.settings import CoreSettings, codec
from radar.topics import Topics

log = logging.getLogger(__name__)


class DeliveryFailed(RadarError):
    """Kafka did not acknowledge records; the source is not checkpointed past them."""


@dataclass
class DeliveryReport:
    """What Kafka acknowledged since the last flush."""

    events: int = 0
    deadletters: int = 0
    failures: list[str] = field(default_factory=list)


class FeedbackProducer:
    """Sends events, dead letters and heartbeats to their topics, keyed by id.

    Records are acknowledged by all in-sync replicas (``acks=all``) and the
    producer is idempotent, so retries never write a record twice. Call
    :meth:`flush` before advancing a checkpoint: it returns only when every
    record sent so far is acknowledged, and raises :class:`DeliveryFailed`
    otherwise.
    """

    def __init__(
        self,
        settings: CoreSettings | None = None,
        *,
        client_id: str = "radar-ingest",
        compression: str | None = None,
        **overrides: Any,
    ) -> None:
        settings = settings or CoreSettings()
        self.topics = Topics.from_settings(settings)
        config: dict[str, Any] = {
            "bootstrap_servers": settings.kafka_bootstrap.split(","),
            "client_id": client_id,
            "acks": "all",
            "enable_idempotence": True,
            "retries": 2**31 - 1,
            "max_in_flight_requests_per_connection": 5,
            "compression_type": codec(compression or settings.kafka_compression),
            "linger_ms": 20,
            "batch_size": 256 * 1024,
            "request_timeout_ms": 30_000,
            "delivery_timeout_ms": 120_000,
        }
        config.update(overrides)
        try:
            self._producer = KafkaProducer(**config)
        except KafkaError as exc:
            msg = (
                f"cannot reach Kafka at {settings.kafka_bootstrap} ({exc}); "
                "start it with `radar kafka up` or set RADAR_KAFKA_BOOTSTRAP"
            )
            raise RadarError(msg) from exc
        self._pending: list[tuple[str, FutureRecordMetadata]] = []
        self._report = DeliveryReport()

    def send_event(self, event: FeedbackEvent) -> None:
        self._send(self.topics.raw, event.id, event.to_json(), "event")

    def send_deadletter(self, letter: DeadLetter) -> None:
        self._send(self.topics.deadletter, letter.id, letter.to_json(), "deadletter")

    def send_heartbeat(self, beat: Heartbeat) -> None:
        self._send(self.topics.heartbeats, beat.source, beat.to_json(), "heartbeat")

    def _send(self, topic: str, key: str, value: bytes, kind: str) -> None:
        future = self._producer.send(topic, key=key.encode("utf-8"), value=value)
        self._pending.append((kind, future))

    def flush(self, timeout_s: float = 120.0) -> DeliveryReport:
        """Wait until everything sent is acknowledged; raise if anything failed."""
        self._producer.flush(timeout=timeout_s)
        report, self._report = self._report, DeliveryReport()
        for kind, future in self._pending:
            try:
                future.get(timeout=0)
            except KafkaError as exc:
                report.failures.append(f"{kind}: {exc}")
                continue
            if kind == "event":
                report.events += 1
            elif kind == "deadletter":
                report.deadletters += 1
        self._pending.clear()
        if report.failures:
            msg = (
                f"Kafka did not acknowledge {len(report.failures)} records "
                f"(first: {report.failures[0]}); nothing was checkpointed, run the ingest again"
            )
            raise DeliveryFailed(msg)
        return report

    @property
    def pending(self) -> int:
        return len(self._pending)

    def close(self, timeout_s: float = 30.0) -> None:
        self._producer.close(timeout=timeout_s)

    def __enter__(self) -> FeedbackProducer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
