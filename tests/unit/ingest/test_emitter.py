"""The emitter's heartbeats: what a source's error says is masked before the dashboard shows it."""

from __future__ import annotations

from typing import Any

from ingest.emitter import Emitter
from ingest.producer import DeliveryReport
from radar.events import Heartbeat
from tests.fuzz.hostile import normaliser


class _Producer:
    """Stands in for the Kafka producer: keeps the heartbeats it was given."""

    def __init__(self) -> None:
        self.beats: list[Heartbeat] = []

    def send_heartbeat(self, beat: Heartbeat) -> None:
        self.beats.append(beat)

    def flush(self, *_args: Any) -> DeliveryReport:
        return DeliveryReport()


def test_a_down_heartbeat_quotes_no_token_or_personal_data() -> None:
    producer = _Producer()
    emitter = Emitter(producer, normaliser())  # type: ignore[arg-type]
    why = "https://api.shop.example/r?access_token=T0K3N&since=1: HTTP 500 (call 13812345678)"
    beat = emitter.heartbeat("down", why)
    assert beat.message is not None
    assert "T0K3N" not in beat.message and "13812345678" not in beat.message
    assert "access_token=***" in beat.message and producer.beats == [beat]
