"""Connectors: source records → events or dead letters on Kafka, counted and flagged."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ingest.base import SourceRecord
from ingest.dedupe import DuplicateIndex
from ingest.metrics import ConnectorMetrics
from ingest.normalize import Normaliser
from ingest.producer import DeliveryReport, FeedbackProducer, RecordTooLarge
from ingest.settings import ConnectorSettings
from radar.clock import Clock, SystemClock
from radar.errors import ValidationFailed
from radar.events import FeedbackEvent, Heartbeat
from radar.masking import mask_urls, pseudonym_key
from radar.settings import CoreSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of one record: an event (maybe flagged) or a dead letter with its reason."""

    event_id: str | None = None
    duplicate_of: str | None = None
    deadletter_id: str | None = None
    reason: str | None = None
    message: str | None = None
    field: str | None = None


def make_normaliser(
    channel: str,
    source: str,
    core: CoreSettings,
    settings: ConnectorSettings,
    *,
    clock: Clock | None = None,
    mapping: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Normaliser:
    """The normaliser for one source, with the deployment's pseudonym key and time zone."""
    return Normaliser(
        channel=channel,
        source=source,
        pseudonym_key=pseudonym_key(core),
        mapping=dict(mapping or {}),
        clock=clock or SystemClock(),
        timezone=settings.zone,
        defaults=dict(defaults or {}),
    )


def make_dedupe(core: CoreSettings, settings: ConnectorSettings) -> DuplicateIndex | None:
    """The machine's shared duplicate index, or None when flagging is switched off."""
    if settings.dedupe_window_h <= 0:
        return None
    return DuplicateIndex(
        core.ensure_data_dir() / "ingest" / "recent.sqlite",
        window=timedelta(hours=settings.dedupe_window_h),
        threshold=settings.dedupe_similarity,
    )


class Emitter:
    """Sends one source's records: events to ``feedback.raw``, failures to the dead letters.

    Nothing here raises for a bad record: whatever goes wrong with one item,
    even a bug, becomes a dead letter with a reason, and the next item is read.
    """

    def __init__(
        self,
        producer: FeedbackProducer,
        normaliser: Normaliser,
        *,
        dedupe: DuplicateIndex | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.producer = producer
        self.normaliser = normaliser
        self.dedupe = dedupe
        self.clock = clock or SystemClock()
        self.metrics = ConnectorMetrics(normaliser.channel, normaliser.source)
        self.acknowledged = 0
        self.last_success_at: datetime | None = None
        self.newest_event_at: datetime | None = None
        self.lag_seconds: float | None = None

    @property
    def source(self) -> str:
        return self.normaliser.source

    @property
    def channel(self) -> str:
        return self.normaliser.channel

    def emit(self, record: SourceRecord) -> Outcome:
        """Send ``record`` as an event, or as a dead letter saying why it is not one."""
        self.metrics.read()
        error = record.error
        if error is None:
            if record.fields is None:
                error = ValidationFailed("record has no fields", reason="empty_record")
            else:
                try:
                    return self._send_event(self.normaliser.build(record.fields))
                except ValidationFailed as exc:
                    error = exc
                except RecordTooLarge as exc:
                    error = ValidationFailed(str(exc), reason="too_large")
                except Exception as exc:  # a bug must not stop the connector: keep the record
                    log.exception("%s: unexpected error on %r", self.source, record.locator)
                    error = ValidationFailed(
                        f"unexpected {type(exc).__name__}: {exc}", reason="internal_error"
                    )
        letter = self.normaliser.deadletter(record.raw, error, record.locator)
        self.producer.send_deadletter(letter)
        self.metrics.rejected(error.reason)
        return Outcome(
            deadletter_id=letter.id, reason=error.reason, message=str(error), field=error.field
        )

    def _send_event(self, event: FeedbackEvent) -> Outcome:
        original = None
        if self.dedupe is not None:
            original = self.dedupe.flag(event)
            if original is not None:
                event = event.model_copy(update={"duplicate_of": original})
                self.metrics.duplicate()
        self.producer.send_event(event)
        if self.newest_event_at is None or event.created_at > self.newest_event_at:
            self.newest_event_at = event.created_at
        return Outcome(event_id=event.id, duplicate_of=original)

    def flush(self, *, success: bool = True) -> DeliveryReport:
        """Wait for Kafka's acknowledgement of everything sent; raises DeliveryFailed.

        ``success`` records this moment as the source's last success (a poll
        or a request that went through); heartbeats alone do not count.
        """
        report = self.producer.flush()
        self.acknowledged += report.events
        self.metrics.produced(report.events)
        if success or report.events or report.deadletters:
            now = self.clock.now()
            self.last_success_at = now
            self.metrics.succeeded(now.timestamp())
        return report

    def note_caught_up(self, found_new: bool) -> None:
        """Update the lag after a poll: behind by the newest event's age, or 0 when idle."""
        now = self.clock.now()
        if found_new and self.newest_event_at is not None:
            self.lag_seconds = max(0.0, (now - self.newest_event_at).total_seconds())
        else:
            self.lag_seconds = 0.0
        self.metrics.lag(self.lag_seconds)
        self.newest_event_at = None

    def heartbeat(
        self, status: str = "ok", message: str | None = None, *, at: datetime | None = None
    ) -> Heartbeat:
        """Send this source's heartbeat and wait until Kafka has it."""
        beat = Heartbeat(
            source=self.source,
            channel=self.channel,
            at=at or self.clock.now(),
            status=status,
            last_success_at=self.last_success_at,
            records_total=self.acknowledged,
            lag_seconds=self.lag_seconds,
            # an error can quote a URL with its token, or what a source said: shown on the
            # dashboard, so masked like everything else
            message=mask_urls(message)[:500] if message else None,
        )
        self.producer.send_heartbeat(beat)
        self.flush(success=False)
        self.metrics.up(status != "down")
        return beat
