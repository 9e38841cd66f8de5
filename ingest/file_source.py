"""Connectors: the file source behind ``radar ingest file`` (rows → events or dead letters)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.files import detect_format, read_rows
from ingest.normalize import Normaliser
from ingest.producer import FeedbackProducer, RecordTooLarge
from radar.errors import ValidationFailed

#: Rows sent between two waits for Kafka's acknowledgement.
FLUSH_EVERY = 5_000


@dataclass
class IngestSummary:
    """What one ingest run read and sent."""

    rows: int = 0
    events: int = 0
    deadletters: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "events": self.events,
            "deadletters": sum(self.deadletters.values()),
            "deadletters_by_reason": dict(self.deadletters),
        }


def ingest_file(
    path: Path,
    normaliser: Normaliser,
    producer: FeedbackProducer,
    *,
    fmt: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Send every row of ``path`` to ``feedback.raw``, or to ``feedback.deadletter`` with why.

    Returns once Kafka acknowledged everything; re-running it sends the same
    ids again, which the store ignores.
    """
    summary = IngestSummary()
    for row in read_rows(path, detect_format(path, fmt), on_progress=on_progress):
        summary.rows += 1
        error = row.error
        if error is None and row.fields is not None:
            try:
                producer.send_event(normaliser.build(row.fields))
                summary.events += 1
            except ValidationFailed as exc:
                error = exc
            except RecordTooLarge as exc:
                error = ValidationFailed(str(exc), reason="too_large")
        if error is not None:
            producer.send_deadletter(normaliser.deadletter(row.raw, error, row.locator))
            summary.deadletters[error.reason] += 1
        if producer.pending >= FLUSH_EVERY:
            producer.flush()
    producer.flush()
    return summary
