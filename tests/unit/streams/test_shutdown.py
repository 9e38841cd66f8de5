"""The worker's stop has a deadline (the bounded wait for streams is covered by
tests/integration/test_clean_stop.py, on a real broker)."""

from __future__ import annotations

from typing import Any

from streams.shutdown import EXIT_STOP_TIMEOUT, RadarWorker


def test_the_worker_has_a_deadline_on_stopping(monkeypatch: Any) -> None:
    exits: list[int] = []
    monkeypatch.setattr("streams.shutdown.os._exit", exits.append)
    worker = RadarWorker.__new__(RadarWorker)
    worker.shutdown_timeout_s = 8.0
    worker._stop_now()
    assert exits == [EXIT_STOP_TIMEOUT] == [75]
