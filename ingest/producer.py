"""Connectors: the Kafka producer every connector uses (acks=all, idempotent, compressed)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, MessageSizeTooLargeError, RecordListTooLargeError
from kafka.producer.future import FutureRecordMetadata

from radar.clock import SystemClock
from radar.errors import RadarError, ValidationFailed
from radar.events import DeadLetter, FeedbackEvent, Heartbeat, deadletter_for
from radar.masking import cut
from radar.settings import CoreSettings, KafkaSecurity, codec
from radar.topics import Topics

log = logging.getLogger(__name__)


class DeliveryFailed(RadarError):
    """Kafka did not acknowledge records; the source is not checkpointed past them."""


class RecordTooLarge(RadarError):
    """A record is larger than Kafka takes: sending it again would fail again."""


#: Errors that say the record itself is too large (a retry cannot help).
_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError)
#: What a dead letter keeps of its original when the whole letter was too large for Kafka.
SHRUNK_CHARS = 4_096


@dataclass
class DeliveryReport:
    """What Kafka acknowledged since the last flush."""

    events: int = 0
    deadletters: int = 0
    failures: list[str] = field(default_factory=list)

    def count(self, done: list[_Sent]) -> None:
        """Count what Kafka acknowledged."""
        for record in done:
            if record.kind == "event":
                self.events += 1
            elif record.kind == "deadletter":
                self.deadletters += 1


@dataclass
class _Sent:
    """A record handed to Kafka, kept until it is acknowledged (or sent again)."""

    kind: str
    topic: str
    key: str
    value: bytes
    future: FutureRecordMetadata | None = None

    def result(self, timeout_s: float) -> None:
        assert self.future is not None
        self.future.get(timeout=timeout_s)


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
        security: KafkaSecurity | None = None,
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
            **(security or KafkaSecurity()).kafka_python(),
        }
        config.update(overrides)
        self._config = config
        try:
            self._producer = KafkaProducer(**config)
        except KafkaError as exc:
            msg = (
                f"cannot reach Kafka at {settings.kafka_bootstrap} ({exc}); "
                "start it with `radar kafka up` or set RADAR_KAFKA_BOOTSTRAP"
            )
            raise RadarError(msg) from exc
        self._pending: list[_Sent] = []

    def send_event(self, event: FeedbackEvent) -> None:
        """Send an event; raises :class:`RecordTooLarge` when Kafka would never take it."""
        self._send(_Sent("event", self.topics.raw, event.id, event.to_json()))

    def send_deadletter(self, letter: DeadLetter) -> None:
        """Send a dead letter; one too large for Kafka goes with its original cut short."""
        topic = self.topics.deadletter
        try:
            self._send(_Sent("deadletter", topic, letter.id, letter.to_json()))
        except RecordTooLarge:
            self._send(_Sent("deadletter", topic, letter.id, shrunk(letter).to_json()))

    def send_heartbeat(self, beat: Heartbeat) -> None:
        self._send(_Sent("heartbeat", self.topics.heartbeats, beat.source, beat.to_json()))

    def _send(self, record: _Sent) -> None:
        try:
            record.future = self._producer.send(
                record.topic, key=record.key.encode("utf-8"), value=record.value
            )
        except _TOO_LARGE as exc:
            msg = (
                f"{record.kind} {record.key} is {len(record.value):,} bytes, more than Kafka takes"
            )
            raise RecordTooLarge(f"{msg} ({exc})") from exc
        except KafkaError as exc:  # metadata or buffer timeouts: try the poll again
            raise DeliveryFailed(f"Kafka did not take a {record.kind}: {exc}") from exc
        self._pending.append(record)

    def flush(self, timeout_s: float = 120.0) -> DeliveryReport:
        """Wait until everything sent is acknowledged; raise if anything failed.

        A record the broker refuses as too large (its limit can be below the
        producer's) is not retried for ever. That refusal is fatal to an
        idempotent producer and fails the records sent with it too, so the
        producer is made anew and the refused records are sent again one at a
        time: one still too large becomes a ``too_large`` dead letter (an event)
        or goes again with its original cut short (a dead letter).
        """
        report = DeliveryReport()
        failed, done = self._wait(timeout_s)
        report.count(done)
        if any(error == "too_large" for _, error in failed):
            self._renew()  # and whatever failed with the refused record goes again too
            for record, _ in failed:
                self._one_by_one(record, timeout_s, report)
        else:
            report.failures += [f"{record.kind}: {error}" for record, error in failed]
        if report.failures:
            msg = (
                f"Kafka did not acknowledge {len(report.failures)} records "
                f"(first: {report.failures[0]}); nothing was checkpointed, run the ingest again"
            )
            raise DeliveryFailed(msg)
        return report

    def _wait(self, timeout_s: float) -> tuple[list[tuple[_Sent, str]], list[_Sent]]:
        """Wait for what was sent: (records that failed, with why; records acknowledged)."""
        deadline = time.monotonic() + timeout_s
        try:
            self._producer.flush(timeout=timeout_s)
        except KafkaError as exc:  # a batch split after a refusal: its records are waited on
            log.info("Kafka flush: %s", exc)
        pending, self._pending = self._pending, []
        failed: list[tuple[_Sent, str]] = []
        done: list[_Sent] = []
        for record in pending:
            try:
                record.result(max(0.0, deadline - time.monotonic()))
            except _TOO_LARGE:
                failed.append((record, "too_large"))
            except KafkaError as exc:
                failed.append((record, str(exc)))
            else:
                done.append(record)
        return failed, done

    def _one_by_one(self, record: _Sent, timeout_s: float, report: DeliveryReport) -> None:
        self._send(record)
        failed, done = self._wait(timeout_s)
        report.count(done)
        if not failed:
            return
        [(_, error)] = failed
        if error != "too_large":
            report.failures.append(f"{record.kind}: {error}")
            return
        self._renew()
        replacement = too_large_letter(record.kind, record.value, "refused by the broker")
        if replacement is None:
            report.failures.append(f"{record.kind} {record.key}: too large for the broker")
            return
        topic = self.topics.deadletter
        self._send(_Sent("deadletter", topic, replacement.id, replacement.to_json()))
        failed, done = self._wait(timeout_s)
        report.count(done)
        if failed:
            self._renew()
            report.failures.append(f"dead letter {replacement.id}: {failed[0][1]}")

    def _renew(self) -> None:
        """A new Kafka producer in place of one that a refused record left unusable."""
        self._producer.close(timeout=5)
        self._producer = KafkaProducer(**self._config)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def close(self, timeout_s: float = 30.0) -> None:
        self._producer.close(timeout=timeout_s)

    def __enter__(self) -> FeedbackProducer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def shrunk(letter: DeadLetter) -> DeadLetter:
    """``letter`` with its original cut to :data:`SHRUNK_CHARS`, saying so."""
    note = f" (original cut to {SHRUNK_CHARS:,} characters: the letter was too large for Kafka)"
    return letter.model_copy(
        update={"original": cut(letter.original, SHRUNK_CHARS), "message": letter.message + note}
    )


def too_large_letter(kind: str, value: bytes, why: str) -> DeadLetter | None:
    """What goes to the dead letters instead of a record the broker refused as too large.

    An event becomes a ``too_large`` dead letter holding its start; a dead letter
    goes again shrunk; anything else (a heartbeat) has no replacement.
    """
    if kind == "deadletter":
        return shrunk(DeadLetter.model_validate_json(value))
    if kind != "event":
        return None
    event = FeedbackEvent.model_validate_json(value)
    error = ValidationFailed(
        f"the event is {len(value):,} bytes, more than Kafka takes ({why})", reason="too_large"
    )
    letter = deadletter_for(
        value[: SHRUNK_CHARS * 4],
        error,
        now=SystemClock().now(),
        stage="ingest",
        locator=event.external_id,
        source=event.source,
        channel=event.channel,
    )
    return shrunk(letter) if len(letter.original) > SHRUNK_CHARS else letter
