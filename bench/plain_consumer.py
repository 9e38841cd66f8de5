"""The pipeline bench's baseline: a plain consumer that reads ``feedback.raw``, does no work,
and writes the same rows as the worker's sink to the same store.

What it reaches is what the broker and the store allow on this machine; the bench
prints Radar's rates beside it. Settings come from the environment like ``radar worker``.

    .venv/bin/python bench/plain_consumer.py   (started by bench/pipeline.py --baseline)
"""

from __future__ import annotations

import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radar.events import ScoredEvent
from radar.settings import CoreSettings
from radar.store import Store
from radar.topics import Topics


def unscored(value: bytes, now: datetime) -> ScoredEvent:
    """The raw event as a stored row with neutral scores (no validation, no scoring)."""
    data = json.loads(value)
    for name in ("created_at", "ingested_at"):
        data[name] = datetime.fromisoformat(data[name])
    return ScoredEvent.model_construct(
        **data, sentiment=0.5, sentiment_label="neu", scored_at=now, engine="none"
    )


def main() -> None:
    settings = CoreSettings()
    store = Store.from_settings(settings)
    consumer = KafkaConsumer(
        Topics.from_settings(settings).raw,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id="bench-plain-consumer",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    while running:
        batch = consumer.poll(timeout_ms=200)
        now = datetime.now(UTC)
        rows = [unscored(record.value, now) for records in batch.values() for record in records]
        if rows:
            store.add_scored(rows)
            consumer.commit()
    consumer.close()


if __name__ == "__main__":
    main()
